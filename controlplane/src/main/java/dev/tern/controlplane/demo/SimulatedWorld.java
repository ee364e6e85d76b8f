package dev.tern.controlplane.demo;

import dev.tern.policy.geo.Countries;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.BackendHealth;
import dev.tern.policy.health.HealthEvaluator;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.Decision;
import dev.tern.policy.routing.HealthView;
import dev.tern.policy.routing.RoutingEngine;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * A world in memory for the demo: one probe agent in every region that hosts a backend, checks
 * every round, and the real health evaluator and decision engine deciding on what they see.
 * Regions can go dark (their backends and their probe agent lose the network) and come back.
 */
final class SimulatedWorld {

  static final Duration ROUND = Duration.ofSeconds(10);

  private final Policy policy;
  private final List<Region> vantages;
  private final Map<String, CompiledService> compiled = new LinkedHashMap<>();
  private final Map<String, Map<String, BackendHealth>> book = new LinkedHashMap<>();
  private final Map<String, RoutingPlan> plans = new LinkedHashMap<>();
  private final Set<Region> dark = new TreeSet<>(Comparator.comparing(Region::key));
  private final RoutingEngine engine = new RoutingEngine();
  private Set<Region> isolated = Set.of();
  private Instant now;
  private long round;

  SimulatedWorld(Policy policy, Instant start) {
    this.policy = policy;
    this.now = start;
    TreeSet<Region> regions = new TreeSet<>(Comparator.comparing(Region::key));
    for (Service s : policy.services()) {
      compiled.put(s.name(), CompiledService.of(s));
      Map<String, BackendHealth> backends = new LinkedHashMap<>();
      for (Backend b : s.backends()) {
        backends.put(b.name(), BackendHealth.initial(b.name(), start));
        regions.add(b.region());
      }
      book.put(s.name(), backends);
    }
    this.vantages = List.copyOf(regions);
  }

  List<Region> vantages() {
    return vantages;
  }

  Instant now() {
    return now;
  }

  Set<Region> isolated() {
    return isolated;
  }

  Map<String, RoutingPlan> plans() {
    return plans;
  }

  void goDark(Region region) {
    dark.add(region);
  }

  void heal(Region region) {
    dark.remove(region);
  }

  /** One probe round from every vantage, then a decision for every service; returns the decisions. */
  List<Decision> round() {
    now = now.plus(ROUND);
    round++;
    List<BackendHealth> all = new ArrayList<>();
    for (Service s : policy.services()) {
      Map<String, BackendHealth> backends = book.get(s.name());
      for (Backend b : s.backends()) {
        BackendHealth state = backends.get(b.name());
        for (Region v : vantages) {
          state = HealthEvaluator.observe(state, probe(v, s, b), s.health());
        }
        backends.put(b.name(), state);
        all.add(state);
      }
    }
    isolated = HealthEvaluator.isolatedVantages(all, now, policy.services().getFirst().health().staleAfter());
    List<Decision> decisions = new ArrayList<>();
    for (Service s : policy.services()) {
      Map<String, BackendHealth> backends = book.get(s.name());
      Map<String, HealthVerdict> verdicts = new HashMap<>();
      for (Map.Entry<String, BackendHealth> e : backends.entrySet()) {
        BackendHealth evaluated = HealthEvaluator.evaluate(e.getValue(), now, s.health(), isolated);
        e.setValue(evaluated);
        verdicts.put(e.getKey(), evaluated.verdict());
      }
      LatencyMatrix latency = HealthEvaluator.latencies(backends, now, s.health());
      Decision d =
          engine.decide(compiled.get(s.name()), 1, new HealthView(verdicts, latency, Set.of()),
              Optional.ofNullable(plans.get(s.name())), now);
      plans.put(s.name(), d.plan());
      decisions.add(d);
    }
    return decisions;
  }

  private ProbeObservation probe(Region vantage, Service s, Backend b) {
    if (dark.contains(vantage)) {
      return ProbeObservation.failed(vantage, s.name(), b.name(), now, "network unreachable");
    }
    if (dark.contains(b.region())) {
      return ProbeObservation.failed(vantage, s.name(), b.name(), now, "connect timed out after 2s");
    }
    return ProbeObservation.ok(vantage, s.name(), b.name(), now, latency(vantage, b.region()));
  }

  /** Distance-shaped latency with a little deterministic jitter. */
  private Duration latency(Region from, Region to) {
    double base;
    if (from.equals(to)) {
      base = 2;
    } else if (from.country().equals(to.country())) {
      base = 6;
    } else if (Countries.continentOf(from.country()).equals(Countries.continentOf(to.country()))) {
      base = 22;
    } else {
      base = 85;
    }
    long jitterMicros = Math.floorMod((from.key() + to.key()).hashCode() * 31L + round * 7919L, 3000L);
    return Duration.ofNanos((long) (base * 1_000_000) + jitterMicros * 1000);
  }
}
