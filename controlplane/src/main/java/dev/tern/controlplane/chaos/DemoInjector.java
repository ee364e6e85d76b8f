package dev.tern.controlplane.chaos;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import dev.tern.controlplane.demo.DemoRegions;
import dev.tern.policy.geo.Region;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * The {@code demo} injector: stops the demo world's simulated region servers for real and starts
 * them again (an outage), or cuts one region's probe off from every backend and reconnects it (a
 * probe partition). Only on the demo's nodes, where the world is in the process. The other faults
 * the scenario format names for it are refused when a run starts.
 */
@Singleton
@Requires(property = "tern.demo.enabled", value = "true")
final class DemoInjector implements FaultInjector {

  private final DemoRegions regions;

  DemoInjector(DemoRegions regions) {
    this.regions = regions;
  }

  @Override
  public Injector kind() {
    return Injector.DEMO;
  }

  /** Whether this injector can put {@code fault} into the world. */
  static boolean injects(Fault fault) {
    return fault instanceof Fault.Outage || fault instanceof Fault.ProbePartition;
  }

  @Override
  public void inject(Fault fault, List<TargetBackend> targets) throws InjectionException {
    if (!injects(fault)) {
      throw new InjectionException("the demo injector injects outages and probe partitions, not " + fault.kind());
    }
    if (fault instanceof Fault.ProbePartition p) {
      try {
        regions.cutOff(p.vantage(), true);
      } catch (IllegalArgumentException e) {
        throw new InjectionException(e.getMessage(), e);
      }
      return;
    }
    for (TargetBackend t : targets) {
      if (regions.stop(t.region()).isEmpty()) {
        throw new InjectionException(t.key() + " runs in " + t.region().key() + ", which is not one of the demo's regions");
      }
    }
  }

  @Override
  public void revert(Fault fault, List<TargetBackend> targets) throws InjectionException {
    if (fault instanceof Fault.ProbePartition p) {
      try {
        regions.cutOff(p.vantage(), false);
      } catch (IllegalArgumentException e) {
        throw new InjectionException(e.getMessage(), e);
      }
      return;
    }
    StringBuilder failed = new StringBuilder();
    for (Region region : targets.stream().map(TargetBackend::region).distinct().toList()) {
      try {
        regions.start(region);
      } catch (RuntimeException e) {
        failed.append(region.key()).append(": ").append(e.getMessage()).append("; ");
      }
    }
    if (!failed.isEmpty()) {
      throw new InjectionException("could not start " + failed.toString().trim());
    }
  }
}
