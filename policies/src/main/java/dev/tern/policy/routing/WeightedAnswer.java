package dev.tern.policy.routing;

import java.util.Objects;

/**
 * One backend in a zone's answer set.
 *
 * @param weight share of the zone's answers, out of {@link RoutingPlan#WEIGHT_TOTAL}
 * @param standing why this backend may answer; anything but HEALTHY or UNKNOWN marks a backend
 *     served although it looks unhealthy
 */
public record WeightedAnswer(String backend, String address, int weight, Standing standing) {

  /** Why a backend is in an answer set. */
  public enum Standing {
    /** The quorum sees it up. */
    HEALTHY,
    /** No quorum either way, and it was already answering: the status quo is kept. */
    UNKNOWN,
    /** Every backend the zone may use looks unhealthy: serving anyway, within residency. */
    FAIL_OPEN,
    /** Unhealthy, but taking it out would drain more than the guardrails allow. */
    GUARDRAIL_HELD,
    /** Unhealthy, but the service reached its plan-change limit; the last plan is kept. */
    RATE_LIMITED;

    /** True for the standings under which an UNHEALTHY backend may still get traffic. */
    public boolean servesUnhealthy() {
      return this == FAIL_OPEN || this == GUARDRAIL_HELD || this == RATE_LIMITED;
    }
  }

  public WeightedAnswer {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(standing, "standing");
  }
}
