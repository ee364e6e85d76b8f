package dev.tern.policy.routing;

import dev.tern.policy.geo.ClientZone;
import java.util.Objects;
import java.util.Optional;

/**
 * Something a decision did that a human must hear about: the alerter pages on these.
 *
 * @param zone the client zone concerned, or empty for the whole service
 */
public record PlanWarning(Kind kind, String service, Optional<ClientZone> zone, String message) {

  /** What happened. */
  public enum Kind {
    /** Every backend a zone may use looks unhealthy; serving them anyway. */
    FAIL_OPEN,
    /** A residency zone has no healthy allowed backend; its fallback applies. */
    RESIDENCY_FALLBACK,
    /** A guardrail kept an unhealthy backend in service. */
    GUARDRAIL_BLOCKED,
    /** The preferred backends lack the capacity for a zone's demand: traffic spread wider. */
    CAPACITY_SPREAD,
    /** The plan-change limit held a change back. */
    RATE_LIMITED
  }

  public PlanWarning {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(message, "message");
  }
}
