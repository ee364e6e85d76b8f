package dev.tern.controlplane.chaos;

import dev.tern.chaos.scenario.ParsedScenarios;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.controlplane.state.ChaosRun;
import dev.tern.controlplane.state.ReplicatedState;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scenarios of the runs whose fault is in, parsed once per run from the YAML the run was
 * committed with. Faults that act through the replicated state alone (probe-fault,
 * provider-fault) read them on every node.
 */
final class RunScenarios {

  /** A run whose fault is in, with its scenario. */
  record Active(ChaosRun run, Scenario scenario) {}

  private final ScenarioParser parser = new ScenarioParser();
  private final Map<String, Optional<Scenario>> parsed = new ConcurrentHashMap<>();

  /** Every run whose fault is in now, oldest first; a run whose YAML no longer parses is left out. */
  List<Active> faultIn(ReplicatedState state) {
    Set<String> in = new HashSet<>();
    List<Active> out = new java.util.ArrayList<>();
    for (ChaosRun run : state.chaosRuns()) {
      if (!run.faultIn()) {
        continue;
      }
      in.add(run.id());
      parsed.computeIfAbsent(run.id(), id -> {
        ParsedScenarios p = parser.parse(run.yaml());
        return p.isValid() && p.scenarios().size() == 1 ? Optional.of(p.scenarios().getFirst()) : Optional.empty();
      }).ifPresent(s -> out.add(new Active(run, s)));
    }
    parsed.keySet().retainAll(in);
    return out;
  }
}
