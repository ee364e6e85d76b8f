package dev.tern.policy.routing;

import static dev.tern.policy.testing.ServiceBuilder.service;
import static dev.tern.policy.testing.ServiceBuilder.zone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Region;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.WeightedAnswer.Standing;
import dev.tern.policy.routing.ZoneAnswer.Mode;
import dev.tern.policy.testing.ServiceBuilder;
import dev.tern.policy.testing.Verdicts;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RoutingEngineTest {

  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  private final RoutingEngine engine = new RoutingEngine();

  private Decision decide(Service s, Verdicts v) {
    return engine.decide(CompiledService.of(s), 1, v.view(), Optional.empty(), T0);
  }

  private Decision decide(Service s, Verdicts v, RoutingPlan previous, Instant now) {
    return engine.decide(CompiledService.of(s), 1, v.view(), Optional.of(previous), now);
  }

  /** Backend name → weight, in answer order. */
  private static Map<String, Integer> weights(ZoneAnswer z) {
    Map<String, Integer> out = new LinkedHashMap<>();
    z.answers().forEach(a -> out.put(a.backend(), a.weight()));
    return out;
  }

  private static ServiceBuilder shop() {
    return service("shop")
        .backend("fra", "aws:eu-central-1", "EU", 3, 1, 1000)
        .backend("ams", "azure:westeurope", "EU", 1, 2, 1000)
        .backend("iad", "gcp:us-east4", "US", 1, 3, 1000);
  }

  private static Service threeRegionShop(RoutingMethod method) {
    return shop().routing(method).build();
  }

  static Stream<Arguments> methodTable() {
    return Stream.of(
        // method, down backends, expected default-zone weights
        Arguments.of(new RoutingMethod.Weighted(), List.of(), Map.of("fra", 600, "ams", 200, "iad", 200)),
        Arguments.of(new RoutingMethod.Weighted(), List.of("fra"), Map.of("ams", 500, "iad", 500)),
        Arguments.of(new RoutingMethod.Failover(), List.of(), Map.of("fra", 1000)),
        Arguments.of(new RoutingMethod.Failover(), List.of("fra"), Map.of("ams", 1000)),
        Arguments.of(new RoutingMethod.Failover(), List.of("fra", "ams"), Map.of("iad", 1000)));
  }

  @ParameterizedTest
  @MethodSource("methodTable")
  void each_method_answers_the_default_zone_from_the_eligible_backends(
      RoutingMethod method, List<String> down, Map<String, Integer> expected) {
    Verdicts v = Verdicts.since(T0.minusSeconds(600)).up("fra", "ams", "iad").down(down.toArray(String[]::new));
    ZoneAnswer answer = decide(threeRegionShop(method), v).plan().answerFor(zone("default"));
    assertEquals(expected, weights(answer));
    assertEquals(Mode.NORMAL, answer.mode());
  }

  @Test
  void geo_falls_through_to_the_next_healthy_entry_and_zones_without_a_list_use_the_one_above() {
    Service s = shop().geo("EU", "fra,ams", "default", "iad,fra").build();
    Verdicts v = Verdicts.since(T0.minusSeconds(600)).up("ams", "iad").down("fra");
    RoutingPlan plan = decide(s, v).plan();
    assertEquals(Map.of("ams", 1000), weights(plan.answerFor(zone("DE"))));
    assertEquals(Map.of("iad", 1000), weights(plan.answerFor(zone("US"))));
    assertTrue(plan.answerFor(zone("EU")).explanation().stream().anyMatch(l -> l.contains("fra left out: UNHEALTHY")));
  }

  @Test
  void eu_clients_never_leave_the_eu_when_every_eu_backend_fails() {
    Service s =
        service("shop")
            .backend("fra", "aws:eu-central-1", "EU")
            .backend("ams", "azure:westeurope", "EU")
            .backend("iad", "gcp:us-east4", "US")
            .routing(new RoutingMethod.Failover())
            .residency("EU", WhenNoneHealthy.SERVE_UNHEALTHY, "EU")
            .build();
    Decision d = decide(s, Verdicts.since(T0.minusSeconds(600)).up("iad").down("fra", "ams"));
    ZoneAnswer eu = d.plan().answerFor(zone("FR"));
    assertEquals(Mode.FAIL_OPEN, eu.mode());
    assertEquals(List.of("fra", "ams"), eu.answers().stream().map(WeightedAnswer::backend).toList());
    assertTrue(eu.answers().stream().allMatch(a -> a.standing() == Standing.FAIL_OPEN));
    assertTrue(d.warnings().stream().anyMatch(w -> w.kind() == PlanWarning.Kind.RESIDENCY_FALLBACK));
    assertEquals(Map.of("iad", 1000), weights(d.plan().answerFor(zone("US"))));
  }

  @Test
  void answer_nothing_residency_gives_eu_clients_no_address_rather_than_a_foreign_one() {
    Service s =
        service("pay")
            .backend("fra", "aws:eu-central-1", "EU")
            .backend("iad", "gcp:us-east4", "US")
            .residency("EU", WhenNoneHealthy.ANSWER_NOTHING, "EU")
            .build();
    Decision d = decide(s, Verdicts.since(T0.minusSeconds(600)).up("iad").down("fra"));
    ZoneAnswer eu = d.plan().answerFor(zone("DE"));
    assertEquals(Mode.NO_ANSWER, eu.mode());
    assertTrue(eu.answers().isEmpty());
    assertEquals(Map.of("fra", 500, "iad", 500), weights(decide(s, Verdicts.since(T0).up("fra", "iad")).plan().answerFor(zone("default"))));
  }

  @Test
  void every_backend_unhealthy_fails_open_and_says_so() {
    Decision d = decide(threeRegionShop(new RoutingMethod.Failover()), Verdicts.since(T0.minusSeconds(9)).down("fra", "ams", "iad"));
    ZoneAnswer z = d.plan().answerFor(zone("default"));
    assertEquals(Mode.FAIL_OPEN, z.mode());
    assertEquals(Map.of("fra", 1000), weights(z));
    assertEquals(PlanWarning.Kind.FAIL_OPEN, d.warnings().getFirst().kind());
  }

  @Test
  void guardrail_never_drains_more_capacity_than_allowed_and_keeps_the_latest_failure_in() {
    Service s =
        service("api")
            .backend("a", "aws:us-east-1", "US")
            .backend("b", "aws:us-west-2", "US")
            .backend("c", "gcp:us-central1", "US")
            .backend("d", "azure:eastus", "US")
            .guardrails(1, 0.5, 6)
            .build();
    Verdicts v =
        Verdicts.since(T0.minusSeconds(600)).up("d")
            .downSince(T0.minusSeconds(30), "a")
            .downSince(T0.minusSeconds(20), "b")
            .downSince(T0.minusSeconds(10), "c");
    Decision d = decide(s, v);
    ZoneAnswer z = d.plan().answerFor(zone("default"));
    assertEquals(Map.of("c", 500, "d", 500), weights(z));
    assertEquals(Standing.GUARDRAIL_HELD, z.answers().getFirst().standing());
    assertTrue(d.warnings().stream().anyMatch(w -> w.kind() == PlanWarning.Kind.GUARDRAIL_BLOCKED && w.message().contains("c (would drain more than 50% of capacity)")));
  }

  @Test
  void guardrail_keeps_the_minimum_number_of_backends_in_service() {
    Service s =
        service("api").backend("a", "aws:us-east-1", "US").backend("b", "aws:us-west-2", "US")
            .backend("c", "gcp:us-central1", "US").guardrails(2, 1.0, 6).build();
    Verdicts v = Verdicts.since(T0.minusSeconds(600)).up("c").downSince(T0.minusSeconds(30), "a").downSince(T0.minusSeconds(20), "b");
    assertEquals(Map.of("b", 500, "c", 500), weights(decide(s, v).plan().answerFor(zone("default"))));
  }

  @Test
  void failover_spreads_onto_the_next_tier_when_the_first_lacks_capacity_for_the_demand() {
    Service s =
        service("shop")
            .backend("fra", "aws:eu-central-1", "EU", 1, 1, 300)
            .backend("ams", "azure:westeurope", "EU", 1, 2, 300)
            .backend("dub", "aws:eu-west-1", "EU", 1, 3, 300)
            .routing(new RoutingMethod.Failover())
            .demand("EU", 500)
            .build();
    Decision d = decide(s, Verdicts.since(T0.minusSeconds(600)).up("fra", "ams", "dub"));
    assertEquals(Map.of("fra", 500, "ams", 500), weights(d.plan().answerFor(zone("EU"))));
    assertEquals(Map.of("fra", 1000), weights(d.plan().answerFor(zone("default"))));
    assertEquals(PlanWarning.Kind.CAPACITY_SPREAD, d.warnings().getFirst().kind());
  }

  @Test
  void a_recovered_backend_gets_traffic_back_only_after_the_failback_delay() {
    Service s = threeRegionShop(new RoutingMethod.Failover());
    RoutingPlan failedOver = decide(s, Verdicts.since(T0.minusSeconds(600)).up("ams", "iad").down("fra")).plan();
    Instant recovered = T0.plusSeconds(10);
    Verdicts back = Verdicts.since(T0.minusSeconds(600)).up("ams", "iad").recoveredAt(recovered, "fra");
    Decision early = decide(s, back, failedOver, recovered.plusSeconds(59));
    assertFalse(early.changed());
    assertEquals(Map.of("ams", 1000), weights(early.plan().answerFor(zone("default"))));
    Decision late = decide(s, back, failedOver, recovered.plusSeconds(60));
    assertTrue(late.changed());
    assertEquals(Map.of("fra", 1000), weights(late.plan().answerFor(zone("default"))));
    assertEquals(failedOver.version() + 1, late.plan().version());
  }

  @Test
  void a_backend_that_never_failed_takes_traffic_at_once_without_waiting_for_failback() {
    Service s = threeRegionShop(new RoutingMethod.Failover());
    RoutingPlan before = decide(s, Verdicts.since(T0.minusSeconds(600)).up("fra", "ams", "iad")).plan();
    Decision d = decide(s, Verdicts.since(T0).up("ams", "iad").down("fra"), before, T0.plusSeconds(1));
    assertEquals(Map.of("ams", 1000), weights(d.plan().answerFor(zone("default"))));
  }

  @Test
  void an_unknown_backend_keeps_answering_if_it_did_and_does_not_start_if_it_did_not() {
    Service s = threeRegionShop(new RoutingMethod.Weighted());
    RoutingPlan before = decide(s, Verdicts.since(T0.minusSeconds(600)).up("fra", "ams").down("iad")).plan();
    Decision d = decide(s, Verdicts.since(T0.minusSeconds(600)), before, T0.plusSeconds(30));
    assertFalse(d.changed());
    assertEquals(Map.of("fra", 750, "ams", 250), weights(d.plan().answerFor(zone("default"))));
    assertTrue(d.plan().answerFor(zone("default")).answers().stream().allMatch(a -> a.standing() == Standing.UNKNOWN));
  }

  @Test
  void latency_picks_the_fastest_from_the_nearest_vantages_and_ignores_jitter_within_tolerance() {
    Service s =
        service("api")
            .backend("fra", "aws:eu-central-1", "EU")
            .backend("iad", "aws:us-east-1", "US")
            .routing(new RoutingMethod.Latency(Duration.ofMillis(20)))
            .zones("EU", "north-america")
            .build();
    Region euVantage = Region.parse("gcp:europe-west1").orElseThrow();
    Region usVantage = Region.parse("azure:eastus").orElseThrow();
    LatencyMatrix m1 =
        LatencyMatrix.builder().put(euVantage, "fra", 10).put(euVantage, "iad", 90)
            .put(usVantage, "fra", 95).put(usVantage, "iad", 8).build();
    Verdicts v = Verdicts.since(T0.minusSeconds(600)).up("fra", "iad").latency(m1);
    RoutingPlan first = decide(s, v).plan();
    assertEquals(Map.of("fra", 1000), weights(first.answerFor(zone("DE"))));
    assertEquals(Map.of("iad", 1000), weights(first.answerFor(zone("US"))));

    LatencyMatrix jitter =
        LatencyMatrix.builder().put(euVantage, "fra", 25).put(euVantage, "iad", 12)
            .put(usVantage, "fra", 95).put(usVantage, "iad", 8).build();
    Decision d2 = decide(s, Verdicts.since(T0.minusSeconds(600)).up("fra", "iad").latency(jitter), first, T0.plusSeconds(10));
    assertFalse(d2.changed());

    LatencyMatrix shift =
        LatencyMatrix.builder().put(euVantage, "fra", 60).put(euVantage, "iad", 12)
            .put(usVantage, "fra", 95).put(usVantage, "iad", 8).build();
    Decision d3 = decide(s, Verdicts.since(T0.minusSeconds(600)).up("fra", "iad").latency(shift), first, T0.plusSeconds(20));
    assertTrue(d3.changed());
    assertEquals(Map.of("iad", 1000), weights(d3.plan().answerFor(zone("EU"))));
  }

  @Test
  void plan_changes_beyond_the_limit_are_held_but_a_policy_change_is_not() {
    Service s = shop().routing(new RoutingMethod.Failover()).guardrails(1, 1.0, 2).build();
    CompiledService c = CompiledService.of(s);
    HealthView allUp = Verdicts.since(T0.minusSeconds(600)).up("fra", "ams", "iad").view();
    HealthView fraDown = Verdicts.since(T0.minusSeconds(600)).up("ams", "iad").down("fra").view();
    RoutingPlan p = engine.decide(c, 1, allUp, Optional.empty(), T0).plan();
    p = engine.decide(c, 1, fraDown, Optional.of(p), T0.plusSeconds(1)).plan();
    p = engine.decide(c, 1, allUp, Optional.of(p), T0.plusSeconds(2)).plan();
    Decision held = engine.decide(c, 1, fraDown, Optional.of(p), T0.plusSeconds(3));
    assertFalse(held.changed());
    ZoneAnswer z = held.plan().answerFor(zone("default"));
    assertEquals(Map.of("fra", 1000), weights(z));
    assertEquals(Standing.RATE_LIMITED, z.answers().getFirst().standing());
    assertEquals(PlanWarning.Kind.RATE_LIMITED, held.warnings().getLast().kind());

    Decision operator = engine.decide(c, 2, fraDown, Optional.of(p), T0.plusSeconds(3));
    assertTrue(operator.changed());
    Decision later = engine.decide(c, 1, fraDown, Optional.of(held.plan()), T0.plusSeconds(62));
    assertTrue(later.changed());
    assertEquals(Map.of("ams", 1000), weights(later.plan().answerFor(zone("default"))));
  }

  @Test
  void an_operator_drain_takes_a_backend_out_without_counting_against_the_guardrail() {
    Service s = shop().guardrails(1, 0.34, 6).build();
    Verdicts v = Verdicts.since(T0.minusSeconds(600)).up("ams").drained("fra").down("iad");
    ZoneAnswer z = decide(s, v).plan().answerFor(zone("default"));
    assertEquals(Map.of("ams", 500, "iad", 500), weights(z));
    assertTrue(z.explanation().contains("fra left out: drained by an operator"));
  }

  @Test
  void the_same_inputs_always_give_the_same_plan() {
    Service s = threeRegionShop(new RoutingMethod.Failover());
    Verdicts v = Verdicts.since(T0.minusSeconds(600)).up("ams", "iad").down("fra");
    assertEquals(decide(s, v).plan(), decide(s, v).plan());
  }
}
