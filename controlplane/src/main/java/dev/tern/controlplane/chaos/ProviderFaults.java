package dev.tern.controlplane.chaos;

import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import dev.tern.controlplane.state.ReplicatedState;
import java.util.Optional;

/**
 * The provider API failures the {@code provider-fault} injector has in, derived from the
 * replicated state alone like {@link ProbeFaults}: while a run of it is committed and not healed,
 * every call the reconciler would make to that kind of provider fails as a retryable API error
 * before it leaves the node. Whichever node leads reconciles with the fault in; the committed heal
 * takes it out everywhere.
 */
public final class ProviderFaults {

  private final RunScenarios runs = new RunScenarios();

  /** The run whose fault makes {@code kind}'s API calls fail now, if any. */
  public Optional<String> failing(ReplicatedState state, String kind) {
    return runs.faultIn(state).stream()
        .filter(a -> a.scenario().injector() == Injector.PROVIDER_FAULT
            && a.scenario().fault() instanceof Fault.ProviderApiFailure f && f.provider().equals(kind))
        .map(a -> a.run().id()).findFirst();
  }
}
