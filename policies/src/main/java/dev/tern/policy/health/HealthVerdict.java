package dev.tern.policy.health;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of one backend as the quorum of vantage points sees it, with the evidence.
 *
 * @param since when the backend entered this state
 * @param lastUnhealthy when the backend last stopped being UNHEALTHY; empty if it never was. A
 *     backend that recovered from a failure waits for the failback delay; a new one does not.
 * @param evidence the views of the vantage points that voted (fresh ones only)
 * @param reason one line a human can read: who saw what
 */
public record HealthVerdict(
    String backend,
    Health health,
    Instant since,
    Optional<Instant> lastUnhealthy,
    List<VantageView> evidence,
    String reason) {

  public HealthVerdict {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(since, "since");
    Objects.requireNonNull(lastUnhealthy, "lastUnhealthy");
    evidence = List.copyOf(evidence);
    Objects.requireNonNull(reason, "reason");
  }

  /** The verdict of a backend nobody has reported on yet. */
  public static HealthVerdict unknown(String backend, Instant since) {
    return new HealthVerdict(
        backend, Health.UNKNOWN, since, Optional.empty(), List.of(), "no vantage point has reported yet");
  }

  /** The vantage points among the evidence that call the backend down. */
  public List<String> downVantages() {
    return evidence.stream()
        .filter(v -> v.opinion() == VantageView.Opinion.DOWN)
        .map(v -> v.vantage().key())
        .toList();
  }
}
