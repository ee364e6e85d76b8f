package dev.tern.policy.health;

import dev.tern.policy.geo.Region;
import java.time.Instant;
import java.util.Optional;

/**
 * What one vantage point currently thinks of one backend, after hysteresis.
 *
 * @param opinion UP, DOWN or UNDECIDED (reported, but neither threshold reached yet)
 * @param consecutiveOk good rounds in a row
 * @param consecutiveFailed failed rounds in a row
 * @param latencyMillis smoothed latency of the good rounds, NaN before the first one
 */
public record VantageView(
    Region vantage,
    Instant lastSeen,
    Opinion opinion,
    int consecutiveOk,
    int consecutiveFailed,
    double latencyMillis,
    Optional<String> lastError) {

  /** A vantage point's own call on a backend. */
  public enum Opinion {
    UP,
    DOWN,
    UNDECIDED
  }

  public boolean hasLatency() {
    return !Double.isNaN(latencyMillis);
  }
}
