package dev.tern.policy.routing;

import static dev.tern.policy.testing.ServiceBuilder.service;
import static dev.tern.policy.testing.ServiceBuilder.zone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.testing.Verdicts;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlanDiffTest {

  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  private final RoutingEngine engine = new RoutingEngine();

  private final Service shop =
      service("shop")
          .backend("fra", "aws:eu-central-1", "EU", 3, 1, 1000)
          .backend("ams", "azure:westeurope", "EU", 1, 1, 1000)
          .backend("iad", "gcp:us-east4", "US", 1, 2, 1000)
          .routing(new RoutingMethod.Failover())
          .residency("EU", WhenNoneHealthy.ANSWER_NOTHING, "EU")
          .build();

  private RoutingPlan plan(Verdicts v, Optional<RoutingPlan> previous, Instant now) {
    return engine.decide(CompiledService.of(shop), 1, v.view(), previous, now).plan();
  }

  @Test
  void a_failover_lists_per_zone_what_left_what_joined_and_what_was_reweighted() {
    RoutingPlan before = plan(Verdicts.since(T0).up("fra", "ams", "iad"), Optional.empty(), T0);
    RoutingPlan after = plan(Verdicts.since(T0).up("ams", "iad").down("fra"), Optional.of(before), T0.plusSeconds(30));
    PlanDiff diff = PlanDiff.between(Optional.of(before), after);

    assertEquals(1, diff.fromVersion());
    assertEquals(2, diff.toVersion());
    assertEquals(List.of(zone("EU"), zone("default")), diff.changes().stream().map(PlanDiff.ZoneChange::zone).toList());
    PlanDiff.ZoneChange eu = diff.changes().getFirst();
    assertEquals(PlanDiff.ZoneChange.Kind.CHANGED, eu.kind());
    assertEquals(List.of("- fra (192.0.2.1) weight 750", "~ ams weight 250 -> 1000"), eu.lines());
    assertTrue(diff.render().startsWith("shop: plan v1 -> v2\n  EU (changed)\n    - fra"), diff.render());
  }

  @Test
  void a_zone_that_stops_answering_shows_its_mode_change() {
    RoutingPlan before = plan(Verdicts.since(T0).up("fra", "ams", "iad"), Optional.empty(), T0);
    RoutingPlan after = plan(Verdicts.since(T0).up("iad").down("fra", "ams"), Optional.of(before), T0.plusSeconds(30));
    PlanDiff.ZoneChange eu = PlanDiff.between(Optional.of(before), after).changes().getFirst();
    assertEquals(List.of("mode NORMAL -> NO_ANSWER", "- fra (192.0.2.1) weight 750", "- ams (192.0.2.2) weight 250"), eu.lines());
  }

  @Test
  void the_first_plan_adds_every_zone_and_an_unchanged_plan_has_no_changes() {
    RoutingPlan first = plan(Verdicts.since(T0).up("fra", "ams", "iad"), Optional.empty(), T0);
    PlanDiff initial = PlanDiff.between(Optional.empty(), first);
    assertEquals(List.of(PlanDiff.ZoneChange.Kind.ADDED, PlanDiff.ZoneChange.Kind.ADDED),
        initial.changes().stream().map(PlanDiff.ZoneChange::kind).toList());
    assertEquals("+ fra 750, ams 250", initial.changes().getFirst().lines().getFirst());
    RoutingPlan same = plan(Verdicts.since(T0).up("fra", "ams", "iad"), Optional.of(first), T0.plusSeconds(5));
    assertTrue(PlanDiff.between(Optional.of(first), same).isEmpty());
    assertEquals("shop: no change\n", PlanDiff.between(Optional.of(first), same).render());
  }
}
