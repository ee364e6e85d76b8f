package dev.tern.controlplane.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.health.Health;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Replay without a cluster: the codec, rejections as results, determinism, snapshots. */
class TernStateMachineTest {

  static final Instant T = Instant.parse("2026-11-23T12:00:00.123Z");

  static String yaml(String name, String hostname) {
    return """
        kind: Service
        name: %s
        hostname: %s
        routing:
          method: failover
        backends:
          - {name: fra, cloud: aws, region: eu-central-1, jurisdiction: EU, address: 192.0.2.10}
          - {name: iad, cloud: aws, region: us-east-1, jurisdiction: US, address: 198.51.100.10, priority: 2}
        """.formatted(name, hostname);
  }

  static RoutingPlan plan(String service, long version) {
    return new RoutingPlan(service, service + ".gslb.example.com", version, 1, 30, T, List.of(T),
        List.of(new ZoneAnswer(ClientZone.EU, ZoneAnswer.Mode.FAIL_OPEN,
            List.of(new WeightedAnswer("fra", "192.0.2.10", 1000, WeightedAnswer.Standing.FAIL_OPEN)),
            List.of("fail-open: every backend these clients may use looks unhealthy"))));
  }

  static Stream<Command> everyCommand() {
    return Stream.of(
        new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")),
        new Command.DeleteService("ada", T, "retire", "shop"),
        new Command.SetDrain("ops", T, "kernel upgrade", "shop", "fra", true),
        new Command.RecordVerdicts("decision-loop", T, List.of(new VerdictRecord("shop", "fra", Health.UNHEALTHY, T,
            Optional.of(T.minusSeconds(60)), "2 of 3 vantage points see it down", List.of("aws:us-east-1", "gcp:europe-west1")))),
        new Command.PublishPlan("decision-loop", T, 1, plan("shop", 2), Optional.of(new FailoverEvent("shop", 1, 2,
            List.of("fra UNHEALTHY"), List.of("aws:us-east-1"), List.of("EU: - fra"), T, T))),
        new Command.RecordMembership("ada", T, "grow", "add", "n4"),
        new Command.OpenTerm("raft", T, "n2", 7),
        new Command.PutScenario("ada", T, "game day", "eu-region-outage", "kind: ChaosScenario"),
        new Command.PauseScenario("ops", T, "freeze", "eu-region-outage", true),
        new Command.StartChaosRun("ops", T, "game day", "eu-1", "eu-region-outage", "kind: ChaosScenario",
            List.of("shop/fra"), T.plusSeconds(30)),
        new Command.ScheduleFired("chaos-scheduler", T, "eu-region-outage", T.minusSeconds(5), "started run eu-1"),
        new Command.StartChaosRun("ops", T, "second", "eu-2", "eu-region-outage", "kind: ChaosScenario",
            List.of("shop/fra"), T.plusSeconds(30)),
        new Command.HealChaosRun("chaos-runner", T.plusSeconds(30), "eu-1"),
        new Command.HealChaosRun("chaos-runner", T.plusSeconds(31), "eu-2"),
        new Command.EndChaosRun("chaos-runner", T.plusSeconds(40), "eu-1", "PASS", "{}"),
        new Command.RecordDelivery("notifier", T, 1, "oncall", "trigger", "delivered"),
        new Command.ResolveIncident("notifier", T.plusSeconds(60), 1, "fra HEALTHY again for 10 s"),
        new Command.RecordGuardrailBlock("decision-loop", T, "shop", "minHealthyBackends 2 keeps fra in service",
            List.of("fra")),
        new Command.RecordProviderSyncFailing("provider-reconciler", T.plusSeconds(61), "shop", "route53-prod", T,
            "Throttling: Rate exceeded"),
        new Command.RecordProviderDrift("provider-reconciler", T, "shop", "route53-prod",
            List.of("upsert z-eu.shop.gslb.example.com. A [eu-fra] weight 255")),
        new Command.RecordDiscovery("kubernetes-discovery", T, "eks-fra", false,
            java.util.Map.of("shop", List.of(DiscoveryReplayTest.found("eks-fra", "fra-web", "203.0.113.7", true)))),
        new Command.PublishPlan("decision-loop", T, 1, plan("shop", 2), Optional.empty(),
            Optional.of(new LeaderStamp("n2", 7))),
        new Command.StartChaosRun("ops", T, "game day", "eu-3", "eu-region-outage", "kind: ChaosScenario",
            List.of("shop/fra"), T.plusSeconds(30), Optional.of(new LeaderStamp("n2", 7))));
  }

  @Test
  void a_provider_failing_too_long_opens_an_incident_and_a_hand_edit_is_audited() throws Exception {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")));
    assertTrue(sm.apply(new Command.RecordProviderSyncFailing("provider-reconciler", T.plusSeconds(61), "shop",
        "route53-prod", T, "Throttling: Rate exceeded")).applied());
    Incident incident = sm.state().openIncident("shop").orElseThrow();
    assertEquals("provider-sync", incident.kind());
    assertEquals(java.util.Optional.of(T), incident.detectedAt(), "detected when the failures began");
    assertTrue(incident.summary().contains("route53-prod has failed to sync since"), incident.summary());
    sm.apply(new Command.RecordProviderSyncFailing("provider-reconciler", T.plusSeconds(90), "shop", "azure-prod", T,
        "HTTP 503"));
    assertEquals(1, sm.state().incidents().size(), "a second provider failing updates the open incident");
    assertFalse(sm.apply(new Command.RecordProviderSyncFailing("provider-reconciler", T, "nope", "route53-prod", T,
        "x")).applied(), "no such service");

    sm.apply(new Command.RecordProviderDrift("provider-reconciler", T, "shop", "route53-prod",
        List.of("upsert z-eu.shop.gslb.example.com. A [eu-fra] weight 255")));
    assertTrue(sm.state().audit(0, 100).stream().anyMatch(e -> e.action().equals("provider.drift")
        && e.toString().contains("route53-prod found a hand edit")), sm.state().audit(0, 100).toString());
  }

  @ParameterizedTest
  @MethodSource("everyCommand")
  void every_command_survives_encoding_unchanged(Command command) throws Exception {
    byte[] bytes = CommandCodec.encode(command);
    assertEquals(command, CommandCodec.decode(bytes, 0, bytes.length));
  }

  @Test
  void bytes_from_an_unknown_command_or_a_newer_version_are_refused_not_misread() {
    byte[] unknown = {0, 99, 1, 0, 0, 0, 0};
    assertThrows(CommandCodec.UnknownCommandException.class, () -> CommandCodec.decode(unknown, 0, unknown.length));
    byte[] newer = CommandCodec.encode(everyCommand().findFirst().orElseThrow());
    newer[2] = 3;
    assertThrows(CommandCodec.UnknownCommandException.class, () -> CommandCodec.decode(newer, 0, newer.length));
  }

  @Test
  void a_put_service_from_an_older_log_replays_as_applying_whatever_the_version() throws Exception {
    Command.PutService put = new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com"));
    byte[] current = CommandCodec.encode(put);
    // Version 1 of the encoding had no ifVersion: the same bytes without the last eight.
    byte[] older = java.util.Arrays.copyOf(current, current.length - Long.BYTES);
    older[2] = 1;
    assertEquals(put, CommandCodec.decode(older, 0, older.length));
  }

  @Test
  void a_put_made_on_a_stale_copy_is_refused_and_changes_nothing() {
    TernStateMachine sm = new TernStateMachine();
    String yaml = yaml("shop", "shop.gslb.example.com");
    assertTrue(sm.apply(new Command.PutService("ada", T, "launch", "shop", yaml, 0)).applied());
    assertTrue(sm.apply(new Command.PutService("ada", T, "new address", "shop", yaml.replace("198.51.100.10", "198.51.100.11"), 1))
        .applied());
    ApplyResult stale = sm.apply(new Command.PutService("bob", T, "my edit", "shop", yaml, 1));
    assertEquals(new ApplyResult.Rejected("the policy of shop is at version 2, not 1: it changed since this edit was"
        + " loaded; load it again and reapply the change"), stale);
    assertTrue(sm.state().service("shop").orElseThrow().yaml().contains("198.51.100.11"), "bob's stale edit changed nothing");
    assertInstanceOf(ApplyResult.Rejected.class, sm.apply(new Command.PutService("bob", T, "new", "shop", yaml, 0)),
        "version 0 means the service must not exist yet");
  }

  @Test
  void invalid_commands_are_rejected_as_results_and_change_nothing() {
    TernStateMachine sm = new TernStateMachine();
    assertTrue(sm.apply(new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com"))).applied());
    List<ApplyResult> results = List.of(
        sm.apply(new Command.PutService("ada", T, "clash", "cart", yaml("cart", "SHOP.gslb.example.com."))),
        sm.apply(new Command.PutService("ada", T, "wrong name", "cart", yaml("shop", "cart.gslb.example.com"))),
        sm.apply(new Command.PutService("ada", T, "broken", "cart", "kind: Service\nname: cart\n")),
        sm.apply(new Command.SetDrain("ops", T, "x", "shop", "nope", true)),
        sm.apply(new Command.DeleteService("ada", T, "x", "nope")),
        sm.apply(new Command.PublishPlan("decision-loop", T, 7, plan("shop", 8), Optional.empty())));
    results.forEach(r -> assertInstanceOf(ApplyResult.Rejected.class, r));
    assertTrue(((ApplyResult.Rejected) results.getFirst()).reason().contains("already served by service shop"));
    assertTrue(((ApplyResult.Rejected) results.getLast()).reason().contains("is at version 0, not 7"));
    assertEquals(1, sm.state().policyVersion());
    assertEquals(1, sm.state().audit(0, 100).size());
  }

  @Test
  void replaying_the_same_log_gives_the_same_state_and_a_snapshot_restores_it() throws Exception {
    List<Command> log = everyCommandInOrder();
    TernStateMachine a = new TernStateMachine();
    TernStateMachine b = new TernStateMachine();
    log.forEach(a::apply);
    log.forEach(b::apply);
    assertArrayEquals(snapshot(a), snapshot(b));

    TernStateMachine restored = new TernStateMachine();
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot(a))));
    assertArrayEquals(snapshot(a), snapshot(restored));
    assertEquals(2, restored.state().service("shop").orElseThrow().plan().orElseThrow().version());
    assertEquals("kernel upgrade", restored.state().service("shop").orElseThrow().drains().get("fra").reason());
    assertEquals(List.of("fra UNHEALTHY"), restored.state().failovers(1).getFirst().failed());
    // Chaos: a run healed but still watched keeps its heal; the catalogue keeps its schedule's history.
    ChaosRun watched = restored.state().chaosRun("eu-2").orElseThrow();
    assertEquals(Optional.of(T.plusSeconds(31)), watched.healedAt());
    assertTrue(watched.active() && !watched.faultIn());
    ChaosScenarioEntry entry = restored.state().scenario("eu-region-outage").orElseThrow();
    assertTrue(entry.paused());
    assertEquals(Optional.of(T.minusSeconds(5)), entry.lastDue());
    assertEquals(a.state().chaosGeneration(), restored.state().chaosGeneration());
    assertEquals(5, restored.state().chaosGeneration(), "two starts, two heals, one end");
    Incident incident = restored.state().incident(1).orElseThrow();
    assertEquals("fail-open", incident.kind(), "plan v1 failed open in EU");
    assertTrue(incident.delivered("oncall", "trigger"));
    assertEquals(Optional.of(T.plusSeconds(60)), incident.resolvedAt());
  }

  @Test
  void a_schedule_fires_once_per_start_time_and_a_heal_is_once() {
    TernStateMachine sm = new TernStateMachine();
    assertTrue(sm.apply(new Command.PutScenario("ada", T, "x", "s", "kind: ChaosScenario")).applied());
    assertTrue(sm.apply(new Command.ScheduleFired("chaos-scheduler", T, "s", T, "started run s-1")).applied());
    assertInstanceOf(ApplyResult.Rejected.class, sm.apply(new Command.ScheduleFired("chaos-scheduler", T, "s", T, "again")),
        "a second leader firing the same start time is refused");
    assertInstanceOf(ApplyResult.Rejected.class, sm.apply(new Command.HealChaosRun("chaos-runner", T, "nope")));
    assertTrue(sm.apply(new Command.StartChaosRun("ops", T, "r", "s-1", "s", "y", List.of(), T.plusSeconds(9))).applied());
    assertTrue(sm.apply(new Command.HealChaosRun("chaos-runner", T, "s-1")).applied());
    assertInstanceOf(ApplyResult.Rejected.class, sm.apply(new Command.HealChaosRun("chaos-runner", T, "s-1")));
  }

  private static List<Command> everyCommandInOrder() {
    return List.of(
        new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")),
        new Command.SetDrain("ops", T, "kernel upgrade", "shop", "fra", true),
        new Command.RecordVerdicts("decision-loop", T, List.of(new VerdictRecord("shop", "iad", Health.HEALTHY, T,
            Optional.empty(), "3 of 3 vantage points see it up", List.of()))),
        new Command.PublishPlan("decision-loop", T, 0, plan("shop", 1), Optional.empty()),
        new Command.PublishPlan("decision-loop", T, 1, plan("shop", 2), Optional.of(new FailoverEvent("shop", 1, 2,
            List.of("fra UNHEALTHY"), List.of("aws:us-east-1"), List.of("EU: - fra"), T, T))),
        new Command.RecordMembership("ada", T, "grow", "add", "n4"),
        new Command.OpenTerm("raft", T, "n2", 7),
        new Command.PutScenario("ada", T, "game day", "eu-region-outage", "kind: ChaosScenario"),
        new Command.PauseScenario("ops", T, "freeze", "eu-region-outage", true),
        new Command.StartChaosRun("ops", T, "game day", "eu-1", "eu-region-outage", "kind: ChaosScenario",
            List.of("shop/fra"), T.plusSeconds(30)),
        new Command.ScheduleFired("chaos-scheduler", T, "eu-region-outage", T.minusSeconds(5), "started run eu-1"),
        new Command.StartChaosRun("ops", T, "second", "eu-2", "eu-region-outage", "kind: ChaosScenario",
            List.of("shop/fra"), T.plusSeconds(30)),
        new Command.HealChaosRun("chaos-runner", T.plusSeconds(30), "eu-1"),
        new Command.HealChaosRun("chaos-runner", T.plusSeconds(31), "eu-2"),
        new Command.EndChaosRun("chaos-runner", T.plusSeconds(40), "eu-1", "PASS", "{}"),
        new Command.RecordDelivery("notifier", T, 1, "oncall", "trigger", "delivered"),
        new Command.ResolveIncident("notifier", T.plusSeconds(60), 1, "fra HEALTHY again for 10 s"));
  }

  static RoutingPlan normalPlan(long version, String backend) {
    return new RoutingPlan("shop", "shop.gslb.example.com", version, 1, 30, T, List.of(T),
        List.of(new ZoneAnswer(ClientZone.EU, ZoneAnswer.Mode.NORMAL,
            List.of(new WeightedAnswer(backend, "192.0.2.10", 1000, WeightedAnswer.Standing.HEALTHY)), List.of("best"))));
  }

  static Command.PublishPlan failover(long version, String backend) {
    return new Command.PublishPlan("decision-loop", T.plusSeconds(version), version - 1, normalPlan(version, "iad"),
        Optional.of(new FailoverEvent("shop", version - 1, version, List.of(backend + " UNHEALTHY"), List.of("aws:us-east-1"),
            List.of("EU: " + backend + " -> iad"), T, T)));
  }

  @Test
  void one_incident_per_episode_opens_from_a_failover_updates_on_more_and_resolves_once() {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")));
    assertTrue(sm.apply(new Command.PublishPlan("decision-loop", T, 0, normalPlan(1, "fra"), Optional.empty())).applied());
    assertEquals(List.of(), sm.state().incidents(), "a plan that moved nothing for health opens nothing");
    assertTrue(sm.apply(new Command.StartChaosRun("ops", T, "drill", "drill-1", "drill", "y", List.of("shop/fra"),
        T.plusSeconds(30))).applied());

    assertTrue(sm.apply(failover(2, "fra")).applied());
    Incident opened = sm.state().openIncident("shop").orElseThrow();
    assertEquals("failover", opened.kind());
    assertEquals(List.of("fra"), opened.failed());
    assertEquals(List.of("aws:us-east-1"), opened.seenBy());
    assertEquals(Optional.of("drill-1"), opened.chaosRun(), "opened while a chaos run's fault was in on shop: a test");
    assertTrue(opened.summary().startsWith("shop: traffic moved away from fra (UNHEALTHY, seen down by aws:us-east-1)"),
        opened.summary());

    sm.apply(new Command.RecordVerdicts("decision-loop", T.plusSeconds(3), List.of(new VerdictRecord("shop", "iad",
        Health.UNHEALTHY, T, Optional.empty(), "down", List.of("gcp:europe-west1")))));
    assertTrue(sm.apply(failover(3, "iad")).applied());
    assertEquals(1, sm.state().incidents().size(), "more failures in an open episode update it");
    Incident updated = sm.state().incident(opened.id()).orElseThrow();
    assertEquals(List.of("fra", "iad"), updated.failed());
    assertEquals(2, updated.updates().size(), updated.updates().toString());

    assertTrue(sm.apply(new Command.RecordDelivery("notifier", T, opened.id(), "oncall", "trigger", "delivered")).applied());
    assertInstanceOf(ApplyResult.Rejected.class,
        sm.apply(new Command.RecordDelivery("notifier", T, opened.id(), "oncall", "trigger", "delivered")),
        "a second leader recording the same delivery is refused");
    assertTrue(sm.apply(new Command.ResolveIncident("notifier", T.plusSeconds(60), opened.id(), "healthy")).applied());
    assertInstanceOf(ApplyResult.Rejected.class, sm.apply(new Command.ResolveIncident("notifier", T, opened.id(), "again")));
    assertTrue(sm.state().openIncident("shop").isEmpty());

    assertTrue(sm.apply(failover(4, "fra")).applied());
    assertEquals(2, sm.state().openIncident("shop").orElseThrow().id(), "a new episode is a new incident");
    assertEquals(List.of("incident.open", "incident.resolve", "incident.open"), sm.state().audit(0, 100).stream()
        .map(AuditEntry::action).filter(a -> a.startsWith("incident.")).toList());
  }

  @Test
  void a_blocked_guardrail_and_frequent_leader_changes_open_incidents_too() throws Exception {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")));
    assertTrue(sm.apply(new Command.RecordGuardrailBlock("decision-loop", T, "shop",
        "minHealthyBackends 2 keeps fra in service", List.of("fra"))).applied());
    Incident guardrail = sm.state().openIncident("shop").orElseThrow();
    assertEquals("guardrail", guardrail.kind());
    assertEquals(List.of("fra"), guardrail.failed());

    sm.apply(new Command.OpenTerm("raft", T, "n1", 1));
    sm.apply(new Command.OpenTerm("raft", T.plus(java.time.Duration.ofMinutes(11)), "n2", 2));
    sm.apply(new Command.OpenTerm("raft", T.plus(java.time.Duration.ofMinutes(12)), "n3", 3));
    assertTrue(sm.state().openIncident(TernStateMachine.CLUSTER).isEmpty(), "the first term is out of the window");
    sm.apply(new Command.OpenTerm("raft", T.plus(java.time.Duration.ofMinutes(13)), "n1", 4));
    Incident churn = sm.state().openIncident(TernStateMachine.CLUSTER).orElseThrow();
    assertEquals("leader-churn", churn.kind());
    assertTrue(churn.summary().startsWith("cluster: 3 leader changes in 10 minutes, the latest to n1"), churn.summary());

    TernStateMachine restored = new TernStateMachine();
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot(sm))));
    assertEquals(sm.state().recentTerms(), restored.state().recentTerms(), "the window survives a snapshot");
    restored.apply(new Command.OpenTerm("raft", T.plus(java.time.Duration.ofMinutes(14)), "n2", 5));
    sm.apply(new Command.OpenTerm("raft", T.plus(java.time.Duration.ofMinutes(14)), "n2", 5));
    assertArrayEquals(snapshot(sm), snapshot(restored));
  }

  private static byte[] snapshot(TernStateMachine sm) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      sm.writeContentTo(out);
    }
    return bytes.toByteArray();
  }
}
