package dev.tern.chaos.verdict;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.chaos.verdict.Report.Outcome;
import dev.tern.chaos.verdict.RunRecord.PageSeen;
import dev.tern.chaos.verdict.RunRecord.PlanSeen;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Verdicts on runs of the built-in EU region outage, told apart by what the cluster did. */
class VerdictsTest {

  static final Instant T = Instant.parse("2026-11-23T03:00:00Z");
  static final Map<String, String> JURISDICTIONS = Map.of(
      "shop/fra", "EU", "shop/ams", "EU", "shop/iad", "US");
  /** EU answered by Frankfurt, the scenario's target, when the fault goes in. */
  static final PlanSeen BEFORE = plan(0, 1, "fra", "iad");

  /** Every timing expectation at once, pages and failback included. */
  static Scenario euOutage() {
    return new ScenarioParser().parse("""
        kind: ChaosScenario
        name: eu-region-outage
        hypothesis: EU clients move to another EU backend, a page goes out, and traffic comes back.
        targets:
          regions: [aws:eu-central-1]
        fault:
          kind: outage
        duration: 30s
        injector: demo
        expect:
          failoverWithin: 10s
          noTrafficToTargetsAfter: 15s
          pageWithin: 15s
          pageResolvedAfterHeal: true
          failbackWithin: 30s
        """).scenarios().getFirst();
  }

  static PlanSeen plan(double seconds, long version, String eu, String def) {
    return new PlanSeen(T.plusMillis((long) (seconds * 1000)), "shop", version, Map.of("EU", List.of(eu), "default", List.of(def)));
  }

  static RunRecord run(List<PlanSeen> plans, List<PageSeen> pages) {
    return new RunRecord(T, Optional.of(T.plusSeconds(30)), T.plusSeconds(90), Set.of("shop/fra"), List.of(BEFORE), plans,
        pages, JURISDICTIONS);
  }

  static PageSeen page(double openedAfter, Double resolvedAfter) {
    return new PageSeen("shop", T.plusMillis((long) (openedAfter * 1000)),
        Optional.ofNullable(resolvedAfter).map(r -> T.plusMillis((long) (r * 1000))), true);
  }

  static Map<String, Outcome> outcomes(Report report) {
    Map<String, Outcome> out = new java.util.LinkedHashMap<>();
    report.results().forEach(r -> out.put(r.expectation(), r.outcome()));
    return out;
  }

  @Test
  void a_textbook_run_passes_every_expectation_with_its_evidence() throws IOException {
    Report report = Verdicts.judge(euOutage(), run(
        List.of(plan(2.5, 2, "ams", "iad"), plan(34, 3, "fra", "iad")),
        List.of(page(3, 40.0))));

    assertEquals(Outcome.PASS, report.overall(), report.toString());
    assertEquals(List.of("residency", "failoverWithin 10 s", "noTrafficToTargetsAfter 15 s", "pageWithin 15 s",
        "pageResolvedAfterHeal", "failbackWithin 30 s"), List.copyOf(outcomes(report).keySet()));
    assertEquals("shop plan v2 after 2.5 s", evidence(report, "failoverWithin 10 s"));
    assertEquals("paged for shop after 3 s (marked as a chaos test)", evidence(report, "pageWithin 15 s"));
    assertEquals("resolved 10 s after the heal", evidence(report, "pageResolvedAfterHeal"));
    assertEquals("shop plan v3 after 4 s", evidence(report, "failbackWithin 30 s"));
  }

  @Test
  void an_eu_client_answered_from_the_us_fails_the_run_whatever_else_passed() throws IOException {
    Report report = Verdicts.judge(euOutage(), run(
        List.of(plan(2.5, 2, "iad", "iad"), plan(34, 3, "fra", "iad")), List.of(page(3, 40.0))));

    assertEquals(Outcome.FAIL, report.overall());
    assertEquals(Outcome.FAIL, outcomes(report).get("residency"));
    assertEquals("plan v2 of shop answered EU clients with shop/iad (US) at +2.5 s", evidence(report, "residency"));
    assertEquals(Outcome.PASS, outcomes(report).get("failoverWithin 10 s"), "the move itself was in time");
  }

  @Test
  void a_slow_or_missing_failover_fails_with_how_long_it_took() throws IOException {
    Report slow = Verdicts.judge(euOutage(), run(List.of(plan(12, 2, "ams", "iad"), plan(34, 3, "fra", "iad")),
        List.of(page(3, 40.0))));
    assertEquals(Outcome.FAIL, outcomes(slow).get("failoverWithin 10 s"));
    assertEquals("shop plan v2 after 12 s", evidence(slow, "failoverWithin 10 s"));
    assertEquals(Outcome.PASS, outcomes(slow).get("noTrafficToTargetsAfter 15 s"));

    Report never = Verdicts.judge(euOutage(), run(List.of(), List.of(page(3, 40.0))));
    assertEquals("no plan of shop without shop/fra was committed during the run", evidence(never, "failoverWithin 10 s"));
    assertEquals("plan v1 of shop, in force after 15 s, still answers with shop/fra",
        evidence(never, "noTrafficToTargetsAfter 15 s"));
    assertEquals("shop plan v1 after 0 ms", evidence(never, "failbackWithin 30 s"), "never left, so never needed to come back");
  }

  @Test
  void pages_must_open_in_time_and_resolve_after_the_heal() throws IOException {
    List<PlanSeen> plans = List.of(plan(2.5, 2, "ams", "iad"), plan(34, 3, "fra", "iad"));
    assertEquals(Outcome.FAIL, outcomes(Verdicts.judge(euOutage(), run(plans, List.of()))).get("pageWithin 15 s"));
    assertEquals("paged for shop after 20 s (marked as a chaos test)",
        evidence(Verdicts.judge(euOutage(), run(plans, List.of(page(20, 40.0)))), "pageWithin 15 s"));
    assertEquals("the page was still open when the run ended",
        evidence(Verdicts.judge(euOutage(), run(plans, List.of(page(3, null)))), "pageResolvedAfterHeal"));
    assertEquals("the page resolved at +20 s, before the heal at +30 s",
        evidence(Verdicts.judge(euOutage(), run(plans, List.of(page(3, 20.0)))), "pageResolvedAfterHeal"));
  }

  @Test
  void a_partitioned_vantage_that_moved_traffic_fails_no_failover_and_the_change_count() throws IOException {
    Scenario partition = new ScenarioParser().parse(Files.readString(Path.of("..", "docs", "examples", "chaos",
        "vantage-partition.yaml")).replace("shop/aws-frankfurt", "shop/fra")).scenarios().getFirst();
    RunRecord calm = run(List.of(), List.of());
    assertEquals(Outcome.PASS, Verdicts.judge(partition, calm).overall());
    assertEquals("the targets kept their traffic until the heal", evidence(Verdicts.judge(partition, calm), "noFailover"));

    Report moved = Verdicts.judge(partition, run(List.of(plan(4, 2, "ams", "iad")), List.of()));
    assertEquals(Outcome.FAIL, moved.overall());
    assertEquals("plan v2 of shop dropped shop/fra at +4 s", evidence(moved, "noFailover"));
    assertEquals("1 plan committed during the run", evidence(moved, "maxPlanChanges 0"));
  }

  @Test
  void provider_sync_is_judged_from_the_reconciles_after_the_heal() throws IOException {
    Scenario provider = new ScenarioParser().parse(Files.readString(Path.of("..", "docs", "examples", "chaos",
        "provider-api-outage.yaml"))).scenarios().getFirst();
    Instant heal = T.plusSeconds(60);
    Optional<String> down = Optional.of("chaos: provider-api-failure");
    List<RunRecord.SyncSeen> syncs = List.of(new RunRecord.SyncSeen(T.plusSeconds(1), "r53", "shop", 4, down),
        new RunRecord.SyncSeen(T.plusSeconds(9), "r53", "shop", 4, down),
        new RunRecord.SyncSeen(heal.plusSeconds(7), "r53", "shop", 4, Optional.empty()));
    Report synced = Verdicts.judge(provider, new RunRecord(T, Optional.of(heal), T.plusSeconds(90), Set.of(),
        List.of(BEFORE), List.of(), List.of(), JURISDICTIONS, List.of(), Set.of("r53"), syncs));
    assertEquals(Outcome.PASS, synced.overall());
    assertEquals("r53 synced shop v4 7 s after the heal, after 2 failed attempts", evidence(synced, "syncedWithin 30 s"));

    Report late = Verdicts.judge(provider, new RunRecord(T, Optional.of(heal), T.plusSeconds(120), Set.of(),
        List.of(BEFORE), List.of(), List.of(), JURISDICTIONS, List.of(), Set.of("r53"), List.of(syncs.get(0),
            new RunRecord.SyncSeen(heal.plusSeconds(45), "r53", "shop", 4, Optional.empty()))));
    assertEquals(Outcome.FAIL, late.overall());
    assertEquals("r53 synced shop 45 s after the heal, later than 30 s", evidence(late, "syncedWithin 30 s"));

    Report never = Verdicts.judge(provider, new RunRecord(T, Optional.of(heal), T.plusSeconds(90), Set.of(),
        List.of(BEFORE), List.of(), List.of(), JURISDICTIONS, List.of(), Set.of("r53"), syncs.subList(0, 2)));
    assertEquals("r53 did not sync shop after the heal (2 failed attempts, the last: chaos: provider-api-failure)",
        evidence(never, "syncedWithin 30 s"));
  }

  @Test
  void what_the_record_cannot_show_is_inconclusive_not_passed() throws IOException {
    Scenario provider = new ScenarioParser().parse(Files.readString(Path.of("..", "docs", "examples", "chaos",
        "provider-api-outage.yaml"))).scenarios().getFirst();
    Report report = Verdicts.judge(provider, new RunRecord(T, Optional.of(T.plusSeconds(60)), T.plusSeconds(90), Set.of(),
        List.of(BEFORE), List.of(), List.of(), JURISDICTIONS));
    assertEquals(Outcome.INCONCLUSIVE, report.overall(), "no provider in the record: nothing to judge sync on");
    assertEquals(Outcome.PASS, outcomes(report).get("residency"));
  }

  @Test
  void a_target_that_was_not_answering_cannot_fail_over_and_says_so() throws IOException {
    RunRecord idle = new RunRecord(T, Optional.of(T.plusSeconds(30)), T.plusSeconds(90), Set.of("shop/ams"), List.of(BEFORE),
        new ArrayList<>(), List.of(page(3, 40.0)), JURISDICTIONS);
    Report report = Verdicts.judge(euOutage(), idle);
    assertEquals("no target was answering when the fault went in", evidence(report, "failoverWithin 10 s"));
    assertEquals(Outcome.PASS, report.overall());
  }

  @Test
  void recovery_is_judged_from_the_targets_verdicts_after_the_heal() {
    Scenario scenario = new ScenarioParser().parse("""
        kind: ChaosScenario
        name: recovery
        hypothesis: The region is healthy again soon after it returns.
        targets:
          backends: [shop/fra]
        fault:
          kind: outage
        duration: 30s
        injector: demo
        expect:
          recoveredWithin: 10s
        """).scenarios().getFirst();
    List<RunRecord.VerdictSeen> verdicts = List.of(new RunRecord.VerdictSeen(T.plusSeconds(2), "shop/fra", "UNHEALTHY"),
        new RunRecord.VerdictSeen(T.plusSeconds(33), "shop/fra", "HEALTHY"));
    RunRecord quick = new RunRecord(T, Optional.of(T.plusSeconds(30)), T.plusSeconds(90), Set.of("shop/fra"), List.of(BEFORE),
        List.of(), List.of(), JURISDICTIONS, verdicts);
    assertEquals("shop/fra HEALTHY 3 s after the heal", evidence(Verdicts.judge(scenario, quick), "recoveredWithin 10 s"));
    assertEquals(Outcome.PASS, Verdicts.judge(scenario, quick).overall());
    RunRecord never = new RunRecord(T, Optional.of(T.plusSeconds(30)), T.plusSeconds(90), Set.of("shop/fra"), List.of(BEFORE),
        List.of(), List.of(), JURISDICTIONS, verdicts.subList(0, 1));
    assertEquals(Outcome.FAIL, Verdicts.judge(scenario, never).overall());
    RunRecord slow = new RunRecord(T, Optional.of(T.plusSeconds(30)), T.plusSeconds(90), Set.of("shop/fra"), List.of(BEFORE),
        List.of(), List.of(), JURISDICTIONS, List.of(verdicts.get(0), new RunRecord.VerdictSeen(T.plusSeconds(45), "shop/fra",
        "HEALTHY")));
    assertEquals(Outcome.FAIL, Verdicts.judge(scenario, slow).overall());
  }

  private static String evidence(Report report, String expectation) {
    return report.results().stream().filter(r -> r.expectation().equals(expectation)).findFirst().orElseThrow().evidence();
  }
}
