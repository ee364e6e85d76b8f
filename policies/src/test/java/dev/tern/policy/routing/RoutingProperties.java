package dev.tern.policy.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.BackendHealth;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthEvaluator;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.testing.ServiceBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The rules of DESIGN.md as properties over any policy, any health and any history. */
class RoutingProperties {

  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  private static final List<ClientZone> CLIENTS =
      List.of("DE", "FR", "NO", "EU", "europe", "GB", "US", "north-america", "JP", "asia", "BR", "default")
          .stream().map(ServiceBuilder::zone).toList();
  private static final String[][] SITES = {
    {"aws:eu-central-1", "EU"}, {"azure:westeurope", "EU"}, {"gcp:europe-west1", "EU"},
    {"aws:eu-west-1", "EU"}, {"aws:us-east-1", "US"}, {"gcp:us-central1", "US"},
    {"azure:eastus", "US"}, {"gcp:asia-northeast1", "APAC"}, {"aws:ap-southeast-1", "APAC"},
  };

  private final RoutingEngine engine = new RoutingEngine();

  /** One step of history: each backend's health, the drained ones, time passing, policy edits. */
  record Step(List<Health> health, List<Boolean> drained, int secondsLater, boolean policyEdit) {}

  @Provide
  Arbitrary<Service> services() {
    Arbitrary<List<int[]>> backends =
        Combinators.combine(
                Arbitraries.integers().between(0, SITES.length - 1),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(1, 3),
                Arbitraries.integers().between(100, 1000))
            .as((site, weight, priority, capacity) -> new int[] {site, weight, priority, capacity})
            .list().ofMinSize(1).ofMaxSize(6);
    Arbitrary<Integer> method = Arbitraries.integers().between(0, 3);
    Arbitrary<Integer> residency = Arbitraries.integers().between(0, 3);
    Arbitrary<int[]> guardrails =
        Combinators.combine(
                Arbitraries.integers().between(0, 2),
                Arbitraries.integers().between(25, 100),
                Arbitraries.integers().between(1, 10),
                Arbitraries.integers().between(0, 2000))
            .as((min, share, changes, demand) -> new int[] {min, share, changes, demand});
    Arbitrary<Long> seed = Arbitraries.longs();
    return Combinators.combine(backends, method, residency, guardrails, seed).as(RoutingProperties::service);
  }

  private static Service service(List<int[]> specs, int method, int residency, int[] guard, long seed) {
    ServiceBuilder b = ServiceBuilder.service("svc");
    List<String> names = new ArrayList<>();
    boolean anyWeight = false;
    for (int i = 0; i < specs.size(); i++) {
      int[] s = specs.get(i);
      int weight = (i == specs.size() - 1 && !anyWeight) ? Math.max(1, s[1]) : s[1];
      anyWeight |= weight > 0;
      String name = "b" + i;
      names.add(name);
      b.backend(name, SITES[s[0]][0], SITES[s[0]][1], weight, s[2], s[3]);
    }
    java.util.Random random = new java.util.Random(seed);
    switch (method) {
      case 0 -> b.routing(new RoutingMethod.Weighted());
      case 1 -> b.routing(new RoutingMethod.Failover());
      case 2 -> b.routing(new RoutingMethod.Latency(Duration.ofMillis(random.nextInt(50))));
      default -> {
        String[] zones = {"EU", "north-america", "DE", "default"};
        String[] pairs = new String[zones.length * 2];
        for (int z = 0; z < zones.length; z++) {
          List<String> shuffled = new ArrayList<>(names);
          java.util.Collections.shuffle(shuffled, random);
          pairs[2 * z] = zones[z];
          pairs[2 * z + 1] = String.join(",", shuffled.subList(0, 1 + random.nextInt(shuffled.size())));
        }
        b.geo(pairs);
      }
    }
    WhenNoneHealthy when = random.nextBoolean() ? WhenNoneHealthy.SERVE_UNHEALTHY : WhenNoneHealthy.ANSWER_NOTHING;
    if (residency >= 1) {
      b.residency("EU", when, "EU");
    }
    if (residency >= 2) {
      b.residency("north-america", WhenNoneHealthy.SERVE_UNHEALTHY, "US");
    }
    if (residency == 3) {
      b.residency("asia", when, "APAC", "US");
    }
    return b.guardrails(guard[0], guard[1] / 100.0, guard[2])
        .demand("EU", guard[3])
        .zones("DE", "FR", "GB", "US", "JP", "asia")
        .build();
  }

  @Provide
  Arbitrary<List<Step>> histories() {
    Arbitrary<Step> step =
        Combinators.combine(
                Arbitraries.of(Health.class).list().ofSize(6),
                Arbitraries.of(true, false, false, false, false, false).list().ofSize(6),
                Arbitraries.integers().between(0, 90),
                Arbitraries.of(true, false, false, false, false))
            .as(Step::new);
    return step.list().ofMinSize(1).ofMaxSize(8);
  }

  /** Runs a history through the engine and hands every decision to {@code check}. */
  private void run(Service service, List<Step> history, java.util.function.BiConsumer<Decision, Map<String, Health>> check) {
    CompiledService compiled = CompiledService.of(service);
    Optional<RoutingPlan> previous = Optional.empty();
    Instant now = T0;
    long policyVersion = 1;
    Map<String, HealthVerdict> verdicts = new HashMap<>();
    for (Step step : history) {
      now = now.plusSeconds(step.secondsLater());
      if (step.policyEdit()) {
        policyVersion++;
      }
      Map<String, Health> health = new LinkedHashMap<>();
      Set<String> drained = new java.util.HashSet<>();
      LatencyMatrix.Builder latency = LatencyMatrix.builder();
      for (int i = 0; i < compiled.backendCount(); i++) {
        String name = compiled.backend(i).name();
        Health h = step.health().get(i);
        health.put(name, h);
        HealthVerdict old = verdicts.get(name);
        Instant since = old != null && old.health() == h ? old.since() : now;
        Optional<Instant> lastUnhealthy =
            old == null ? Optional.empty()
                : old.health() == Health.UNHEALTHY && h != Health.UNHEALTHY ? Optional.of(now) : old.lastUnhealthy();
        verdicts.put(name, new HealthVerdict(name, h, since, lastUnhealthy, List.of(), "generated"));
        if (step.drained().get(i)) {
          drained.add(name);
        }
        latency.put(Region.parse(SITES[(i + step.secondsLater()) % SITES.length][0]).orElseThrow(), name, 5 + (i * 37 + step.secondsLater()) % 80);
      }
      Decision d = engine.decide(compiled, policyVersion, new HealthView(verdicts, latency.build(), drained), previous, now);
      check.accept(d, health);
      previous = Optional.of(d.plan());
    }
  }

  @Property(tries = 400)
  void residency_is_never_violated(@ForAll("services") Service service, @ForAll("histories") List<Step> history) {
    run(service, history, (d, health) -> {
      for (ClientZone client : CLIENTS) {
        ZoneAnswer answer = d.plan().answerFor(client);
        for (ResidencyRule rule : service.residencyFor(client)) {
          for (WeightedAnswer a : answer.answers()) {
            Jurisdiction j = service.backend(a.backend()).map(Backend::jurisdiction).orElseThrow();
            assertTrue(rule.allowed().contains(j),
                () -> client + " answered with " + a.backend() + " (" + j + ") against " + rule + "\n" + answer);
          }
        }
      }
    });
  }

  @Property(tries = 400)
  void an_unhealthy_backend_gets_traffic_only_where_the_plan_says_why(
      @ForAll("services") Service service, @ForAll("histories") List<Step> history) {
    run(service, history, (d, health) -> {
      for (ZoneAnswer z : d.plan().zones()) {
        for (WeightedAnswer a : z.answers()) {
          if (health.get(a.backend()) == Health.UNHEALTHY) {
            assertTrue(a.standing().servesUnhealthy(), () -> a + " in " + z);
            if (a.standing() == WeightedAnswer.Standing.FAIL_OPEN) {
              assertEquals(ZoneAnswer.Mode.FAIL_OPEN, z.mode());
              assertTrue(
                  d.warnings().stream().anyMatch(w -> w.zone().equals(Optional.of(z.zone()))
                      || w.kind() == PlanWarning.Kind.RATE_LIMITED),
                  () -> "no warning for " + z + " in " + d.warnings());
            }
          }
        }
      }
    });
  }

  @Property(tries = 400)
  void weights_in_every_answered_zone_sum_to_the_plan_total(
      @ForAll("services") Service service, @ForAll("histories") List<Step> history) {
    run(service, history, (d, health) -> {
      for (ZoneAnswer z : d.plan().zones()) {
        if (z.mode() == ZoneAnswer.Mode.NO_ANSWER) {
          assertTrue(z.answers().isEmpty());
        } else {
          assertEquals(RoutingPlan.WEIGHT_TOTAL, z.totalWeight(), z::toString);
          assertTrue(z.answers().stream().allMatch(a -> a.weight() > 0));
        }
      }
    });
  }

  @Property(tries = 300)
  void the_same_inputs_always_give_the_same_plan(
      @ForAll("services") Service service, @ForAll("histories") List<Step> history) {
    List<RoutingPlan> first = new ArrayList<>();
    List<RoutingPlan> second = new ArrayList<>();
    run(service, history, (d, h) -> first.add(d.plan()));
    run(service, history, (d, h) -> second.add(d.plan()));
    assertEquals(first, second);
  }

  /**
   * Vantages see random results each round; in the second world one more vantage, cut off from
   * everything, reports every check failed. The verdicts and plans must not differ.
   */
  @Property(tries = 300)
  void one_isolated_vantage_never_changes_a_plan(
      @ForAll("services") Service service,
      @ForAll("vantageCount") int vantages,
      @ForAll("roundResults") List<List<Boolean>> rounds) {
    List<Region> normal =
        List.of("aws:us-east-1", "gcp:europe-west1", "azure:japaneast", "aws:eu-west-1").stream()
            .limit(vantages).map(k -> Region.parse(k).orElseThrow()).toList();
    Region cutOff = Region.parse("gcp:us-west1").orElseThrow();
    // Three always-reachable canaries make isolation recognisable even for a one-backend service.
    List<String> watched = new ArrayList<>(service.backends().stream().map(Backend::name).toList());
    watched.addAll(List.of("canary-1", "canary-2", "canary-3"));
    List<RoutingPlan> clean = world(service, watched, normal, Optional.empty(), rounds);
    List<RoutingPlan> withCutOff = world(service, watched, normal, Optional.of(cutOff), rounds);
    for (int r = 0; r < clean.size(); r++) {
      assertTrue(clean.get(r).sameAnswersAs(withCutOff.get(r)), "round " + r);
    }
  }

  @Provide
  Arbitrary<Integer> vantageCount() {
    return Arbitraries.integers().between(2, 4);
  }

  @Provide
  Arbitrary<List<List<Boolean>>> roundResults() {
    return Arbitraries.of(true, true, false).list().ofSize(4 * 9).list().ofMinSize(1).ofMaxSize(10);
  }

  private List<RoutingPlan> world(
      Service service, List<String> watched, List<Region> normal, Optional<Region> cutOff, List<List<Boolean>> rounds) {
    CompiledService compiled = CompiledService.of(service);
    Map<String, BackendHealth> book = new LinkedHashMap<>();
    watched.forEach(b -> book.put(b, BackendHealth.initial(b, T0)));
    Optional<RoutingPlan> previous = Optional.empty();
    List<RoutingPlan> plans = new ArrayList<>();
    for (int r = 0; r < rounds.size(); r++) {
      Instant at = T0.plusSeconds(10L * r);
      for (int v = 0; v < normal.size(); v++) {
        for (int b = 0; b < watched.size(); b++) {
          boolean ok = b >= watched.size() - 3 || rounds.get(r).get((v * 9 + b) % rounds.get(r).size());
          String name = watched.get(b);
          ProbeObservation o =
              ok ? ProbeObservation.ok(normal.get(v), "svc", name, at, Duration.ofMillis(10 + 7 * v + b))
                 : ProbeObservation.failed(normal.get(v), "svc", name, at, "timeout");
          book.put(name, HealthEvaluator.observe(book.get(name), o, service.health()));
        }
      }
      if (cutOff.isPresent()) {
        for (String name : watched) {
          book.put(name, HealthEvaluator.observe(
              book.get(name), ProbeObservation.failed(cutOff.get(), "svc", name, at, "network unreachable"), service.health()));
        }
      }
      Set<Region> isolated = HealthEvaluator.isolatedVantages(book.values(), at, service.health().staleAfter());
      Map<String, HealthVerdict> verdicts = new HashMap<>();
      for (String name : watched) {
        BackendHealth h = HealthEvaluator.evaluate(book.get(name), at, service.health(), isolated);
        book.put(name, h);
        verdicts.put(name, h.verdict());
      }
      LatencyMatrix latency = HealthEvaluator.latencies(book, at, service.health());
      Decision d = engine.decide(compiled, 1, new HealthView(verdicts, latency, Set.of()), previous, at);
      plans.add(d.plan());
      previous = Optional.of(d.plan());
    }
    return plans;
  }
}
