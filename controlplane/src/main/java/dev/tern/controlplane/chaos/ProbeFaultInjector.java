package dev.tern.controlplane.chaos;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The {@code probe-fault} injector: the probes report the targets as failing (or slow, or
 * flapping) while the backends are left alone, so detection, decision, DNS and paging are
 * exercised without hurting anyone.
 *
 * <p>It acts through the replicated state alone: the committed run is the fault. Every node puts
 * it in the probes' assignments ({@link ProbeFaults}) from the moment the run is committed until
 * its heal is, and the probes pick it up through their long poll within a second. So inject and
 * revert have nothing to do here, and no node can leave it behind: the heal (or the end) a new
 * leader commits takes it out everywhere.
 */
@Singleton
final class ProbeFaultInjector implements FaultInjector {

  @Override
  public Injector kind() {
    return Injector.PROBE_FAULT;
  }

  @Override
  public void inject(Fault fault, List<TargetBackend> targets) {
    // The committed StartChaosRun already carries the fault to every probe.
  }

  @Override
  public void revert(Fault fault, List<TargetBackend> targets) {
    // The HealChaosRun the runner commits next takes it out of every assignment.
  }
}
