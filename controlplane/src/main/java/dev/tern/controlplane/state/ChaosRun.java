package dev.tern.controlplane.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One chaos run as replicated: committed before its fault is injected, so that whichever node
 * leads when {@link #revertDueAt} comes reverts it, and ended with its outcome and report.
 *
 * @param yaml the scenario as it was run
 * @param targets the backends hit, {@code service/backend}
 * @param healedAt when its fault was reverted; empty while the fault is in (a run stays active after
 *     the heal while the recovery is watched)
 * @param end empty while the run is active
 * @param startedBy the leader that started it; empty for a run started before leaders stamped runs
 */
public record ChaosRun(
    String id, String scenario, String yaml, String actor, String reason, Instant startedAt, Instant revertDueAt,
    List<String> targets, Optional<Instant> healedAt, Optional<Ended> end, Optional<LeaderStamp> startedBy) {

  /** How a run ended: when, its overall outcome (PASS, FAIL, INCONCLUSIVE, ABORTED) and its report as JSON. */
  public record Ended(Instant at, String outcome, String report) {
    public Ended {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(report, "report");
    }
  }

  public ChaosRun {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(scenario, "scenario");
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(revertDueAt, "revertDueAt");
    targets = List.copyOf(targets);
    Objects.requireNonNull(healedAt, "healedAt");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(startedBy, "startedBy");
  }

  public boolean active() {
    return end.isEmpty();
  }

  /** Whether its fault is (or may still be) in the world: active and not yet healed. */
  public boolean faultIn() {
    return end.isEmpty() && healedAt.isEmpty();
  }

  ChaosRun withHealedAt(Instant at) {
    return new ChaosRun(id, scenario, yaml, actor, reason, startedAt, revertDueAt, targets, Optional.of(at), end, startedBy);
  }

  ChaosRun ended(Ended ended) {
    return new ChaosRun(id, scenario, yaml, actor, reason, startedAt, revertDueAt, targets,
        Optional.of(healedAt.orElse(ended.at())), Optional.of(ended), startedBy);
  }

  ChaosRun withStartedBy(LeaderStamp stamp) {
    return new ChaosRun(id, scenario, yaml, actor, reason, startedAt, revertDueAt, targets, healedAt, end,
        Optional.of(stamp));
  }
}
