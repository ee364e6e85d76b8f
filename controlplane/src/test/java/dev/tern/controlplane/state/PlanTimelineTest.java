package dev.tern.controlplane.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ClientZone;
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
import org.junit.jupiter.api.Test;

/** The timeline of plan changes: each new plan with its cause, linked to the audit log, replicated like the rest. */
class PlanTimelineTest {

  static final Instant T = TernStateMachineTest.T;

  /** A plan answering EU with one backend. */
  static RoutingPlan plan(long version, String backend, String explanation) {
    return new RoutingPlan("shop", "shop.gslb.example.com", version, 1, 30, T.plusSeconds(version), List.of(T),
        List.of(new ZoneAnswer(ClientZone.EU, ZoneAnswer.Mode.NORMAL,
            List.of(new WeightedAnswer(backend, backend.equals("fra") ? "192.0.2.10" : "198.51.100.10", 1000,
                WeightedAnswer.Standing.HEALTHY)),
            List.of("residency: clients in EU only get EU backends", explanation))));
  }

  static List<Command> history() {
    return List.of(
        new Command.PutService("ada", T, "launch", "shop", TernStateMachineTest.yaml("shop", "shop.gslb.example.com")),
        new Command.PublishPlan("decision-loop", T, 0, plan(1, "fra", "failover: fra is in the first tier"), Optional.empty()),
        new Command.PublishPlan("decision-loop", T.plusSeconds(5), 1, plan(2, "iad", "failover: iad takes over"),
            Optional.of(new FailoverEvent("shop", 1, 2, List.of("fra UNHEALTHY"), List.of("aws:us-east-1", "gcp:europe-west1"),
                List.of("EU: - fra"), T.plusSeconds(4), T.plusSeconds(5)))),
        new Command.SetDrain("ops", T.plusSeconds(6), "kernel upgrade", "shop", "iad", true),
        new Command.PublishPlan("decision-loop", T.plusSeconds(7), 2, plan(3, "fra", "failover: fra is back"), Optional.empty()),
        new Command.PublishPlan("decision-loop", T.plusSeconds(8), 3, plan(4, "iad", "latency: iad is fastest"), Optional.empty()));
  }

  static TernStateMachine replay(List<Command> commands) {
    TernStateMachine sm = new TernStateMachine();
    commands.forEach(c -> assertTrue(sm.apply(c).applied(), c.toString()));
    return sm;
  }

  @Test
  void every_plan_change_says_what_caused_it_and_links_to_its_audit_entry() {
    ReplicatedState state = replay(history()).state();
    List<PlanChange> timeline = state.planChanges(Optional.empty(), Long.MAX_VALUE, 100);

    assertEquals(List.of("engine", "drain", "failover", "policy"), timeline.stream().map(PlanChange::kind).toList());
    PlanChange launch = timeline.get(3);
    assertEquals("ada: service.create shop (launch)", launch.cause());
    assertEquals(auditOf(state, "service.create").sequence(), launch.auditSequence());

    PlanChange failover = timeline.get(2);
    assertEquals(1, failover.fromVersion());
    assertEquals(2, failover.toVersion());
    assertEquals(Optional.of(T.plusSeconds(4)), failover.detectedAt());
    assertEquals("health: fra UNHEALTHY (seen by aws:us-east-1, gcp:europe-west1)", failover.cause());
    AuditEntry audited = auditOf(state, "plan.failover");
    assertEquals(audited.sequence(), failover.auditSequence());
    assertEquals("decision-loop", audited.actor());
    assertEquals(failover.cause(), audited.reason());
    assertTrue(audited.after().contains("- fra (192.0.2.10) weight 1000"), audited.after());

    PlanChange drain = timeline.get(1);
    assertEquals("ops: backend.drain shop/iad (kernel upgrade)", drain.cause());
    assertEquals(auditOf(state, "backend.drain").sequence(), drain.auditSequence());

    PlanChange engine = timeline.get(0);
    assertEquals("the routing method: latency: iad is fastest", engine.cause());
    assertEquals(0, engine.auditSequence());
    assertEquals(List.of("failover"), state.planChanges(Optional.of("shop"), failover.sequence() + 1, 1).stream()
        .map(PlanChange::kind).toList(), "paging back from a sequence");
    assertEquals(List.of(), state.planChanges(Optional.of("cart"), Long.MAX_VALUE, 10));
  }

  @Test
  void a_failback_is_named_as_such() {
    List<Command> commands = new java.util.ArrayList<>(history().subList(0, 3));
    commands.add(new Command.PublishPlan("decision-loop", T.plusSeconds(30), 2, plan(3, "fra", "failover: fra is back"),
        Optional.of(new FailoverEvent("shop", 2, 3, List.of("fra HEALTHY"), List.of(), List.of("EU: + fra"),
            T.plusSeconds(20), T.plusSeconds(30)))));
    ReplicatedState state = replay(commands).state();
    PlanChange back = state.planChanges(Optional.empty(), Long.MAX_VALUE, 1).getFirst();
    assertEquals("failback", back.kind());
    assertEquals("plan.failback", state.audit(back.auditSequence() - 1, 1).getFirst().action());
  }

  @Test
  void a_plan_that_changes_no_answer_leaves_no_entry_and_takes_the_pending_cause_with_it() {
    List<Command> commands = new java.util.ArrayList<>(history().subList(0, 2));
    commands.add(new Command.SetDrain("ops", T.plusSeconds(6), "check", "shop", "iad", true));
    commands.add(new Command.PublishPlan("decision-loop", T.plusSeconds(7), 1, plan(2, "fra", "failover: fra stays"),
        Optional.empty()));
    commands.add(new Command.PublishPlan("decision-loop", T.plusSeconds(8), 2, plan(3, "iad", "latency: iad is fastest"),
        Optional.empty()));
    List<PlanChange> timeline = replay(commands).state().planChanges(Optional.empty(), Long.MAX_VALUE, 10);
    assertEquals(List.of("engine", "policy"), timeline.stream().map(PlanChange::kind).toList());
  }

  @Test
  void the_timeline_is_the_same_on_every_node_and_survives_a_snapshot() throws Exception {
    TernStateMachine a = replay(history());
    TernStateMachine b = replay(history());
    assertEquals(a.state().planChanges(Optional.empty(), Long.MAX_VALUE, 100),
        b.state().planChanges(Optional.empty(), Long.MAX_VALUE, 100));

    // A snapshot taken between an operator change and its plan keeps the pending cause.
    TernStateMachine midway = replay(history().subList(0, 4));
    TernStateMachine restored = new TernStateMachine();
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot(midway))));
    assertArrayEquals(snapshot(midway), snapshot(restored));
    history().subList(4, 6).forEach(restored::apply);
    assertEquals(a.state().planChanges(Optional.empty(), Long.MAX_VALUE, 100),
        restored.state().planChanges(Optional.empty(), Long.MAX_VALUE, 100));
  }

  @Test
  void a_snapshot_written_before_the_timeline_existed_still_loads() throws Exception {
    TernStateMachine sm = replay(history());
    byte[] full = snapshot(sm);
    byte[] older = coreSnapshot(sm);
    assertTrue(older.length < full.length);
    TernStateMachine restored = new TernStateMachine();
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(older)));
    assertEquals(sm.state().services().size(), restored.state().services().size());
    assertEquals(sm.state().audit(0, 100), restored.state().audit(0, 100));
    assertEquals(List.of(), restored.state().planChanges(Optional.empty(), Long.MAX_VALUE, 10));
  }

  /** The snapshot as a Tern from before the timeline wrote it: its core sections only. */
  private static byte[] coreSnapshot(TernStateMachine sm) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      sm.writeCore(out);
    }
    return bytes.toByteArray();
  }

  private static AuditEntry auditOf(ReplicatedState state, String action) {
    return state.audit(0, 100).stream().filter(e -> e.action().equals(action)).findFirst().orElseThrow();
  }

  private static byte[] snapshot(TernStateMachine sm) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      sm.writeContentTo(out);
    }
    return bytes.toByteArray();
  }
}
