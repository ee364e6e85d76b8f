package dev.tern.controlplane.chaos;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.demo.DemoNodes;
import dev.tern.controlplane.demo.DemoRegions;
import dev.tern.policy.geo.Region;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code demo} injector: acts on the demo world for real. Only on the demo's nodes, where the
 * world is in the process; every node's injector acts on the same world, so any node can revert
 * what another injected.
 *
 * <table>
 *   <tr><th>Fault</th><th>Inject</th><th>Revert</th></tr>
 *   <tr><td>outage</td><td>the targets' region servers stop listening</td><td>they listen again</td></tr>
 *   <tr><td>latency, errors</td><td>the region servers answer that much later, or that share with 503</td><td>they answer normally</td></tr>
 *   <tr><td>flap</td><td>the region servers go down and up every period</td><td>the flapping stops, the servers listen</td></tr>
 *   <tr><td>probe-partition</td><td>the vantage's probe is cut off from every backend</td><td>it is reconnected</td></tr>
 *   <tr><td>leader-kill</td><td>this node (the leader running the run) crashes</td><td>every crashed node starts again</td></tr>
 * </table>
 */
@Singleton
@Requires(property = "tern.demo.enabled", value = "true")
final class DemoInjector implements FaultInjector {

  private final DemoRegions regions;
  private final Optional<DemoNodes> nodes;
  private final RaftNode node;

  DemoInjector(DemoRegions regions, Optional<DemoNodes> nodes, RaftNode node) {
    this.regions = regions;
    this.nodes = nodes;
    this.node = node;
  }

  @Override
  public Injector kind() {
    return Injector.DEMO;
  }

  /** Whether this injector can put {@code fault} into the world. */
  static boolean injects(Fault fault) {
    return !(fault instanceof Fault.ProviderApiFailure);
  }

  @Override
  public void inject(Fault fault, List<TargetBackend> targets) throws InjectionException {
    switch (fault) {
      case Fault.ProbePartition p -> cutOff(p.vantage(), true);
      case Fault.LeaderKill k -> {
        if (!demoNodes().crash(node.nodeId())) {
          throw new InjectionException(node.nodeId() + " is not one of the demo's running nodes");
        }
      }
      case Fault.Outage o -> eachRegion(targets, r -> regions.stop(r));
      case Fault.AddedLatency l -> eachRegion(targets, r -> regions.degrade(r, l.latency(), 0));
      case Fault.ErrorRate e -> eachRegion(targets, r -> regions.degrade(r, Duration.ZERO, e.rate()));
      case Fault.Flap f -> eachRegion(targets, r -> regions.flap(r, f.period()));
      case Fault.ProviderApiFailure p -> throw new InjectionException("the demo has no cloud provider to fail");
    }
  }

  @Override
  public void revert(Fault fault, List<TargetBackend> targets) throws InjectionException {
    switch (fault) {
      case Fault.ProbePartition p -> cutOff(p.vantage(), false);
      case Fault.LeaderKill k -> {
        try {
          demoNodes().restartCrashed();
        } catch (RuntimeException e) {
          throw new InjectionException("could not start the crashed nodes again: " + e.getMessage(), e);
        }
      }
      case Fault.Outage o -> eachRegion(targets, r -> regions.start(r));
      case Fault.AddedLatency l -> eachRegion(targets, r -> regions.restore(r));
      case Fault.ErrorRate e -> eachRegion(targets, r -> regions.restore(r));
      case Fault.Flap f -> eachRegion(targets, r -> regions.stopFlapping(r));
      case Fault.ProviderApiFailure p -> { }
    }
  }

  private DemoNodes demoNodes() throws InjectionException {
    return nodes.orElseThrow(() -> new InjectionException("this demo node cannot crash or start nodes"));
  }

  private void cutOff(Region vantage, boolean cut) throws InjectionException {
    try {
      regions.cutOff(vantage, cut);
    } catch (IllegalArgumentException e) {
      throw new InjectionException(e.getMessage(), e);
    }
  }

  /** One region action, empty when the region is not one of the demo's. */
  private interface RegionAction {
    Optional<DemoRegions.RegionStatus> apply(Region region);
  }

  /** Acts on every target's region once, carrying on past failures and reporting them all. */
  private static void eachRegion(List<TargetBackend> targets, RegionAction action) throws InjectionException {
    StringBuilder failed = new StringBuilder();
    for (TargetBackend t : targets.stream().filter(distinctRegions()).toList()) {
      try {
        if (action.apply(t.region()).isEmpty()) {
          failed.append(t.key()).append(" runs in ").append(t.region().key()).append(", which is not one of the demo's regions; ");
        }
      } catch (RuntimeException e) {
        failed.append(t.region().key()).append(": ").append(e.getMessage()).append("; ");
      }
    }
    if (!failed.isEmpty()) {
      throw new InjectionException(failed.toString().trim());
    }
  }

  private static java.util.function.Predicate<TargetBackend> distinctRegions() {
    java.util.Set<Region> seen = new java.util.HashSet<>();
    return t -> seen.add(t.region());
  }
}
