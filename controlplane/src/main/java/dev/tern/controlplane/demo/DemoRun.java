package dev.tern.controlplane.demo;

import dev.tern.policy.geo.Region;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.Decision;
import dev.tern.policy.routing.PlanDiff;
import dev.tern.policy.routing.PlanWarning;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The demo's story: plans for the policy with every backend healthy, a region going dark, the
 * failover the probes and the engine produce, and the failback once the region is back.
 */
public final class DemoRun {


  private final Policy policy;
  private final Region outage;
  private final PrintStream out;
  private final Instant start;
  private final int maxRounds;
  private final Set<String> isolatedNow = new HashSet<>();

  public DemoRun(Policy policy, Region outage, PrintStream out, Instant start) {
    this.policy = policy;
    this.outage = outage;
    this.out = out;
    this.start = start;
    this.maxRounds = maxRounds(policy);
  }

  /**
   * Rounds the outage and the recovery may each take before the demo stops waiting: long enough
   * for the slowest service to detect, recover and wait out its failback delay, with room to spare.
   */
  static int maxRounds(Policy policy) {
    long worst = 0;
    for (Service s : policy.services()) {
      var h = s.health();
      long seconds = h.staleAfter().toSeconds() + h.failbackDelay().toSeconds()
          + (long) (h.failAfter() + h.recoverAfter()) * SimulatedWorld.ROUND.toSeconds();
      worst = Math.max(worst, seconds);
    }
    return (int) (worst / SimulatedWorld.ROUND.toSeconds()) + 6;
  }

  /** The region the demo takes down by default: where the first service's first backend runs. */
  public static Region defaultOutage(Policy policy) {
    return policy.services().getFirst().backends().getFirst().region();
  }

  /** Plays the story; returns true when failover and failback both happened. */
  public boolean play() {
    SimulatedWorld world = new SimulatedWorld(policy, start);
    out.printf("Probe agents in %d regions: %s%n", world.vantages().size(), keys(world.vantages()));
    for (int i = 0; i < 3; i++) {
      world.round();
    }
    out.printf("%n%s  every backend healthy; the plans are:%n", clock(world));
    world.plans().values().forEach(this::printPlan);
    Map<String, RoutingPlan> healthy = new LinkedHashMap<>(world.plans());

    out.printf("%n%s  %s goes dark: its backends and its probe agent lose the network%n", clock(world), outage.key());
    world.goDark(outage);
    Instant darkAt = world.now();
    Set<String> affected = affected(healthy);
    boolean failedOver = runUntil(world, darkAt, () -> movedAway(world, affected), "failover");

    out.printf("%n%s  %s is back%n", clock(world), outage.key());
    world.heal(outage);
    Instant healedAt = world.now();
    boolean failedBack =
        runUntil(world, healedAt, () -> sameAnswers(world.plans(), healthy), "failback");
    out.printf("%nServices whose traffic used %s: %s. Failover %s, failback %s.%n",
        outage.key(), affected.isEmpty() ? "none" : String.join(", ", affected),
        failedOver ? "done" : "NOT SEEN", failedBack ? "done" : "NOT SEEN");
    return failedOver && failedBack;
  }

  private boolean runUntil(SimulatedWorld world, Instant since, java.util.function.BooleanSupplier done, String what) {
    Set<String> warned = new HashSet<>();
    for (int i = 0; i < maxRounds; i++) {
      Map<String, RoutingPlan> before = new LinkedHashMap<>(world.plans());
      List<Decision> decisions = world.round();
      Set<String> isolated = new HashSet<>(world.isolated().stream().map(Region::key).toList());
      for (String v : isolated) {
        if (isolatedNow.add(v)) {
          out.printf("%s  probe agent in %s sees every backend down while others see them up:"
              + " its votes are set aside%n", clock(world), v);
        }
      }
      for (String v : List.copyOf(isolatedNow)) {
        if (!isolated.contains(v)) {
          isolatedNow.remove(v);
          out.printf("%s  probe agent in %s sees backends up again and votes again%n", clock(world), v);
        }
      }
      for (Decision d : decisions) {
        for (PlanWarning w : d.warnings()) {
          String key = d.plan().service() + w.kind() + w.zone();
          if (warned.add(key)) {
            out.printf("%s  page: %s %s%s: %s%n", clock(world), d.plan().service(), w.kind(),
                w.zone().map(z -> " (" + z.key() + ")").orElse(""), w.message());
          }
        }
        if (d.changed()) {
          PlanDiff diff = PlanDiff.between(Optional.ofNullable(before.get(d.plan().service())), d.plan());
          out.printf("%s  %s", clock(world), indent(diff.render()));
          printReasons(d.plan(), diff);
        }
      }
      if (done.getAsBoolean()) {
        out.printf("%s  %s complete, %d s after the event%n", clock(world), what,
            Duration.between(since, world.now()).toSeconds());
        return true;
      }
    }
    out.printf("%s  no %s within %d rounds%n", clock(world), what, maxRounds);
    return false;
  }

  private void printReasons(RoutingPlan plan, PlanDiff diff) {
    Set<String> shown = new HashSet<>();
    for (PlanDiff.ZoneChange c : diff.changes()) {
      plan.zone(c.zone()).ifPresent(z -> z.explanation().forEach(line -> {
        if (shown.add(line)) {
          out.printf("          why: %s%n", line);
        }
      }));
    }
  }

  private Set<String> affected(Map<String, RoutingPlan> plans) {
    Set<String> names = new java.util.TreeSet<>();
    for (Service s : policy.services()) {
      RoutingPlan p = plans.get(s.name());
      for (ZoneAnswer z : p.zones()) {
        for (WeightedAnswer a : z.answers()) {
          if (s.backend(a.backend()).map(b -> b.region().equals(outage)).orElse(false)) {
            names.add(s.name());
          }
        }
      }
    }
    return names;
  }

  private boolean movedAway(SimulatedWorld world, Set<String> affected) {
    Set<String> still = affected(world.plans());
    return affected.stream().noneMatch(still::contains);
  }

  private static boolean sameAnswers(Map<String, RoutingPlan> now, Map<String, RoutingPlan> then) {
    for (Map.Entry<String, RoutingPlan> e : then.entrySet()) {
      if (!now.get(e.getKey()).sameAnswersAs(e.getValue())) {
        return false;
      }
    }
    return true;
  }

  private void printPlan(RoutingPlan plan) {
    Service s = policy.service(plan.service()).orElseThrow();
    out.printf("  %s  (%s, ttl %d s, plan v%d)%n", plan.hostname(), s.routing().key(), plan.ttl(), plan.version());
    for (ZoneAnswer z : plan.zones()) {
      String answers = z.answers().isEmpty() ? "(no answer)" : String.join("  ",
          z.answers().stream().map(a -> a.backend() + " " + a.address() + " w" + a.weight()).toList());
      out.printf("    %-15s %s%s%n", z.zone().key(), answers, z.mode() == ZoneAnswer.Mode.NORMAL ? "" : "  [" + z.mode() + "]");
    }
  }

  private String clock(SimulatedWorld world) {
    return String.format("t+%-4s", Duration.between(start, world.now()).toSeconds() + "s");
  }

  private static String indent(String text) {
    return text.replace("\n  ", "\n          ");
  }

  private static <T> String keys(List<T> items) {
    Function<T, String> key = t -> t instanceof Region r ? r.key() : t.toString();
    return String.join(", ", items.stream().map(key).toList());
  }
}
