package dev.tern.controlplane.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A plan change caused by health: what failed, who saw it, from → to per zone, and when it was
 * detected and decided.
 *
 * @param failed the backends whose verdict changed, with their new health
 * @param seenBy the vantage points that saw the failures
 * @param changes the plan diff, one line per zone change
 * @param detectedAt when the first of these verdicts changed
 * @param decidedAt when the new plan was decided
 */
public record FailoverEvent(
    String service,
    long fromVersion,
    long toVersion,
    List<String> failed,
    List<String> seenBy,
    List<String> changes,
    Instant detectedAt,
    Instant decidedAt) {

  public FailoverEvent {
    Objects.requireNonNull(service, "service");
    failed = List.copyOf(failed);
    seenBy = List.copyOf(seenBy);
    changes = List.copyOf(changes);
  }
}
