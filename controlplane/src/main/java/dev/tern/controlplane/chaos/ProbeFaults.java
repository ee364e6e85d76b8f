package dev.tern.controlplane.chaos;

import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import dev.tern.controlplane.state.ChaosRun;
import dev.tern.controlplane.state.ReplicatedState;
import dev.tern.policy.geo.Region;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.serde.annotation.Serdeable;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The faults the {@code probe-fault} injector puts in the probes' assignments, derived from the
 * replicated state alone: every run of that injector whose fault is in names its fault on each of
 * its targets. Any node serves the same assignment, and a fault leaves the assignments the moment
 * its heal (or end) is committed, whoever commits it.
 */
public final class ProbeFaults {

  /**
   * A fault as a probe reads it. {@code latencyMs} for latency, {@code errorRate} for errors,
   * {@code periodMs} and {@code since} (the first down period's start) for flap.
   */
  @Serdeable
  public record Wire(String run, String kind, @Nullable Long latencyMs, @Nullable Double errorRate,
      @Nullable Long periodMs, @Nullable String since) {}

  private final RunScenarios runs = new RunScenarios();

  /** {@code service/backend} → the fault a probe in {@code region} must report for it. */
  public Map<String, Wire> forRegion(ReplicatedState state, Region region) {
    Map<String, Wire> out = new HashMap<>();
    for (RunScenarios.Active a : runs.faultIn(state)) {
      if (a.scenario().injector() == Injector.PROBE_FAULT) {
        wire(a.run(), a.scenario().fault(), region).ifPresent(w -> a.run().targets().forEach(t -> out.put(t, w)));
      }
    }
    return out;
  }

  private static Optional<Wire> wire(ChaosRun run, Fault fault, Region region) {
    return switch (fault) {
      case Fault.Outage o -> Optional.of(new Wire(run.id(), "outage", null, null, null, null));
      case Fault.AddedLatency l -> Optional.of(new Wire(run.id(), "latency", l.latency().toMillis(), null, null, null));
      case Fault.ErrorRate e -> Optional.of(new Wire(run.id(), "errors", null, e.rate(), null, null));
      case Fault.Flap f -> Optional.of(new Wire(run.id(), "flap", null, null, f.period().toMillis(),
          run.startedAt().toString()));
      // Only the partitioned vantage point loses its view; every other probe checks as usual.
      case Fault.ProbePartition p -> p.vantage().equals(region)
          ? Optional.of(new Wire(run.id(), "outage", null, null, null, null)) : Optional.empty();
      case Fault.ProviderApiFailure p -> Optional.empty();
      case Fault.LeaderKill k -> Optional.empty();
    };
  }
}
