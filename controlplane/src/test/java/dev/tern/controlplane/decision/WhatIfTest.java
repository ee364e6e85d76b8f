package dev.tern.controlplane.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.HealthView;
import dev.tern.policy.routing.RoutingEngine;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import dev.tern.policy.yaml.PolicyParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The what-if on the demo's shop: six backends, three in the EU, routed by latency. */
class WhatIfTest {

  static final Instant NOW = Instant.parse("2026-11-23T12:00:00Z");
  static final List<String> EU = List.of("aws-frankfurt", "azure-amsterdam", "gcp-belgium");
  static final ClientZone EU_ZONE = ClientZone.parse("EU").orElseThrow();
  static final ClientZone NORTH_AMERICA = ClientZone.parse("north-america").orElseThrow();

  final WhatIf whatIf = new WhatIf();

  static Service shop(String guardrails) {
    try (InputStream in = WhatIfTest.class.getResourceAsStream("/demo/shop.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND_PORT", "8080");
      if (!guardrails.isEmpty()) {
        yaml = yaml.replace("  maxPlanChangesPerMinute: 60", guardrails);
      }
      return new PolicyParser().parse(yaml).policy().orElseThrow().services().getFirst();
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** From Frankfurt, Frankfurt is fastest, then Amsterdam, then Belgium; from Virginia, AWS then Azure. */
  static LatencyMatrix latency() {
    Map<String, double[]> ms = Map.of(
        "aws-frankfurt", new double[] {5, 8, 90, 180},
        "azure-amsterdam", new double[] {40, 45, 95, 185},
        "gcp-belgium", new double[] {80, 85, 100, 190},
        "aws-virginia", new double[] {90, 92, 5, 200},
        "azure-virginia", new double[] {95, 97, 40, 210},
        "gcp-singapore", new double[] {180, 185, 200, 5});
    List<Region> vantages = Stream.of("aws:eu-central-1", "gcp:europe-west1", "aws:us-east-1", "gcp:asia-southeast1")
        .map(k -> Region.parse(k).orElseThrow()).toList();
    LatencyMatrix.Builder b = LatencyMatrix.builder();
    ms.forEach((backend, row) -> {
      for (int i = 0; i < row.length; i++) {
        b.put(vantages.get(i), backend, row[i]);
      }
    });
    return b.build();
  }

  static WhatIf.Today today(Service service, Instant lastPlanChange, int recentChanges) {
    CompiledService compiled = CompiledService.of(service);
    Map<String, HealthVerdict> verdicts = new HashMap<>();
    service.backends().forEach(b -> verdicts.put(b.name(),
        new HealthVerdict(b.name(), Health.HEALTHY, NOW.minusSeconds(600), Optional.empty(), List.of(), "all up")));
    LatencyMatrix latency = latency();
    RoutingPlan plan = new RoutingEngine().decide(compiled, 1, new HealthView(verdicts, latency, Set.of()), Optional.empty(),
        lastPlanChange).plan();
    List<Instant> recent = new ArrayList<>();
    for (int i = 0; i < recentChanges; i++) {
      recent.add(lastPlanChange);
    }
    RoutingPlan committed = new RoutingPlan(plan.service(), plan.hostname(), plan.version(), plan.policyVersion(), plan.ttl(),
        plan.decidedAt(), recent, plan.zones());
    return new WhatIf.Today(compiled, 1, verdicts, latency, Set.of(), Optional.of(committed));
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("Frankfurt fails: EU moves to Amsterdam", Set.of("aws-frankfurt"), "azure-amsterdam", "NORMAL", "aws-virginia"),
        Arguments.of("Frankfurt and Amsterdam fail: EU moves to Belgium", Set.of("aws-frankfurt", "azure-amsterdam"),
            "gcp-belgium", "NORMAL", "aws-virginia"),
        Arguments.of("every EU backend fails: EU is served its own, fail-open", Set.copyOf(EU), "aws-frankfurt", "FAIL_OPEN",
            "aws-virginia"),
        Arguments.of("all of AWS fails: EU to Amsterdam, North America to Azure",
            Set.of("aws-frankfurt", "aws-virginia"), "azure-amsterdam", "NORMAL", "azure-virginia"),
        Arguments.of("a US backend fails: EU stays", Set.of("aws-virginia"), "aws-frankfurt", "NORMAL", "azure-virginia"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void eu_clients_stay_on_eu_backends_whatever_fails(String why, Set<String> failed, String euBackend, String euMode,
      String northAmericaBackend) {
    WhatIf.Outcome o = whatIf.analyse(today(shop(""), NOW.minusSeconds(600), 0), failed, NOW);

    ZoneAnswer eu = o.whatIf().zone(EU_ZONE).orElseThrow();
    assertEquals(List.of(euBackend), eu.answers().stream().map(WeightedAnswer::backend).toList(), why);
    assertEquals(euMode, eu.mode().name(), why);
    assertEquals(northAmericaBackend, o.whatIf().zone(NORTH_AMERICA).orElseThrow().answers().getFirst().backend(), why);
    assertTrue(o.residencyHolds(), why);
    WhatIf.ZoneResidency euResidency = o.residency().stream().filter(r -> r.zone().equals(EU_ZONE)).findFirst().orElseThrow();
    assertEquals("EU clients stay on EU backends: yes", euResidency.statement(), why);
    for (ZoneAnswer z : o.whatIf().zones()) {
      for (WeightedAnswer a : z.answers()) {
        assertTrue(!failed.contains(a.backend()) || eu.mode() == ZoneAnswer.Mode.FAIL_OPEN, why + ": " + a);
      }
    }
  }

  @Test
  void the_plan_change_limit_does_not_hide_the_move_but_is_reported_in_words() {
    Service limited = shop("  maxPlanChangesPerMinute: 2");
    WhatIf.Outcome o = whatIf.analyse(today(limited, NOW.minusSeconds(10), 2), Set.of("aws-frankfurt"), NOW);

    assertEquals("azure-amsterdam", o.whatIf().zone(EU_ZONE).orElseThrow().answers().getFirst().backend());
    assertTrue(o.diff().render().contains("- aws-frankfurt"), o.diff().render());
    assertTrue(o.notes().getFirst().startsWith("In reality the plan-change limit would hold this change back"), o.notes().toString());
  }

  @Test
  void a_drain_guardrail_that_would_block_the_move_is_reported_in_words() {
    Service guarded = shop("  maxPlanChangesPerMinute: 60\n  maxAutoDrainShare: 0.2");
    WhatIf.Outcome o = whatIf.analyse(today(guarded, NOW.minusSeconds(600), 0), Set.of("aws-frankfurt", "azure-amsterdam"), NOW);

    assertTrue(o.notes().stream().anyMatch(n -> n.startsWith("A guardrail blocks part of this move")), o.notes().toString());
    assertTrue(o.residencyHolds());
  }

  @Test
  void failing_nothing_of_a_service_changes_nothing() {
    WhatIf.Outcome o = whatIf.analyse(today(shop(""), NOW.minusSeconds(600), 0), Set.of(), NOW);
    assertTrue(o.diff().isEmpty(), o.diff().render());
    assertEquals(o.current().version(), o.whatIf().version());
  }
}
