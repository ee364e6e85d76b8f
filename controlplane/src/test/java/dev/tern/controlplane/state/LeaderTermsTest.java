package dev.tern.controlplane.state;

import static dev.tern.controlplane.state.TernStateMachineTest.T;
import static dev.tern.controlplane.state.TernStateMachineTest.normalPlan;
import static dev.tern.controlplane.state.TernStateMachineTest.yaml;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The record of which node led which Raft term, and the leaders' stamps on plans and chaos runs:
 * carried by the commands, checked and kept by the state machine, and read back from logs and
 * snapshots written before either existed.
 */
class LeaderTermsTest {

  private static final LeaderStamp N2_IN_7 = new LeaderStamp("n2", 7);

  /** {@code OpenTerm("raft", T, "n2")} as version 1 of its encoding wrote it: id 7, version 1, actor, at, leader. */
  private static final String OPEN_TERM_V1 = "0007" + "01" + "00000004" + "72616674" + "000001a20846fe7b" + "00000002" + "6e32";

  @Test
  void an_open_term_from_an_older_log_replays_without_a_term_and_records_no_leader() throws Exception {
    byte[] old = HexFormat.of().parseHex(OPEN_TERM_V1);
    Command decoded = CommandCodec.decode(old, 0, old.length);
    assertEquals(new Command.OpenTerm("raft", T, "n2", Command.OpenTerm.NO_TERM), decoded);

    TernStateMachine sm = new TernStateMachine();
    assertTrue(sm.apply(decoded).applied());
    assertEquals(Map.of(), sm.state().termLeaders());
    assertEquals(List.of(T), sm.state().recentTerms(), "it still counts as a leader change");
  }

  @Test
  void a_plan_and_a_chaos_start_from_an_older_log_replay_without_a_stamp() throws Exception {
    // Version 1 of both encodings ended where version 2 appends the stamp's presence byte.
    Command.PublishPlan plan = new Command.PublishPlan("decision-loop", T, 0, normalPlan(1, "fra"), Optional.empty());
    Command.StartChaosRun start = new Command.StartChaosRun("ops", T, "drill", "drill-1", "drill", "kind: ChaosScenario",
        List.of("shop/fra"), T.plusSeconds(30));
    for (Command unstamped : List.<Command>of(plan, start)) {
      byte[] current = CommandCodec.encode(unstamped);
      assertEquals(0, current[current.length - 1], "an absent stamp is one zero byte");
      byte[] older = Arrays.copyOf(current, current.length - 1);
      older[2] = 1;
      assertEquals(unstamped, CommandCodec.decode(older, 0, older.length));
    }
  }

  @Test
  void every_stamped_command_survives_encoding_unchanged() throws Exception {
    List<Command> commands = List.of(
        new Command.OpenTerm("raft", T, "n2", 7),
        new Command.PublishPlan("decision-loop", T, 0, normalPlan(1, "fra"), Optional.empty(), Optional.of(N2_IN_7)),
        new Command.StartChaosRun("ops", T, "drill", "drill-1", "drill", "y", List.of(), T, Optional.of(N2_IN_7)));
    for (Command c : commands) {
      byte[] bytes = CommandCodec.encode(c);
      assertEquals(2, bytes[2], c.getClass().getSimpleName() + " is written as version 2");
      assertEquals(c, CommandCodec.decode(bytes, 0, bytes.length));
    }
  }

  @Test
  void each_term_keeps_its_first_leader_and_a_different_claim_is_refused_and_audited() {
    TernStateMachine sm = new TernStateMachine();
    assertTrue(sm.apply(new Command.OpenTerm("raft", T, "n1", 3)).applied());
    assertTrue(sm.apply(new Command.OpenTerm("raft", T, "n1", 3)).applied(), "the same claim again is no conflict");
    assertTrue(sm.apply(new Command.OpenTerm("raft", T.plusSeconds(1), "n2", 4)).applied());
    int leaderChanges = sm.state().recentTerms().size();

    ApplyResult conflict = sm.apply(new Command.OpenTerm("raft", T.plusSeconds(2), "n3", 3));
    assertInstanceOf(ApplyResult.Rejected.class, conflict);
    assertEquals(new ApplyResult.Rejected("n3 claims to lead term 3 (to open it), but n1 is recorded as its leader"),
        conflict);
    assertEquals(Map.of(3L, "n1", 4L, "n2"), sm.state().termLeaders());
    AuditEntry audited = sm.state().audit(0, 100).getLast();
    assertEquals(List.of("cluster.term-conflict", "term 3", "n1", "n3"),
        List.of(audited.action(), audited.target(), audited.before(), audited.after()));
    assertEquals(leaderChanges, sm.state().recentTerms().size(), "a refused claim is no leader change");
  }

  @Test
  void a_plan_or_a_chaos_run_stamped_with_another_nodes_term_is_refused() {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")));
    sm.apply(new Command.OpenTerm("raft", T, "n1", 3));

    ApplyResult plan = sm.apply(new Command.PublishPlan("decision-loop", T, 0, normalPlan(1, "fra"), Optional.empty(),
        Optional.of(new LeaderStamp("n2", 3))));
    ApplyResult run = sm.apply(new Command.StartChaosRun("ops", T, "drill", "drill-1", "drill", "y", List.of("shop/fra"),
        T.plusSeconds(30), Optional.of(new LeaderStamp("n2", 3))));
    assertInstanceOf(ApplyResult.Rejected.class, plan);
    assertInstanceOf(ApplyResult.Rejected.class, run);
    assertTrue(sm.state().service("shop").orElseThrow().plan().isEmpty());
    assertTrue(sm.state().chaosRuns().isEmpty());
    assertEquals(2, sm.state().audit(0, 100).stream().filter(e -> e.action().equals("cluster.term-conflict")).count());

    assertTrue(sm.apply(new Command.PublishPlan("decision-loop", T, 0, normalPlan(1, "fra"), Optional.empty(),
        Optional.of(new LeaderStamp("n1", 3)))).applied());
    assertTrue(sm.apply(new Command.StartChaosRun("ops", T, "drill", "drill-1", "drill", "y", List.of("shop/fra"),
        T.plusSeconds(30), Optional.of(N2_IN_7))).applied(), "a stamp of a term not yet recorded records it");
    assertEquals(Optional.of(new LeaderStamp("n1", 3)), sm.state().planChanges(Optional.empty(), Long.MAX_VALUE, 1)
        .getFirst().decidedBy());
    assertEquals(Optional.of(N2_IN_7), sm.state().chaosRun("drill-1").orElseThrow().startedBy());
    assertEquals(Map.of(3L, "n1", 7L, "n2"), sm.state().termLeaders());
  }

  @Test
  void only_the_most_recent_terms_are_kept() {
    TernStateMachine sm = new TernStateMachine();
    int terms = ReplicatedState.TERM_LEADERS_RETAINED + 10;
    for (int term = 1; term <= terms; term++) {
      sm.apply(new Command.OpenTerm("raft", T, "n" + (term % 3), term));
    }
    assertEquals(ReplicatedState.TERM_LEADERS_RETAINED, sm.state().termLeaders().size());
    assertEquals(11L, sm.state().termLeaders().firstKey());
    assertEquals((long) terms, sm.state().termLeaders().lastKey());
  }

  @Test
  void term_leaders_and_stamps_survive_a_snapshot_and_a_snapshot_written_before_them_still_loads() throws Exception {
    TernStateMachine stamped = new TernStateMachine();
    stamped(true).forEach(stamped::apply);
    TernStateMachine restored = new TernStateMachine();
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot(stamped))));
    assertArrayEquals(snapshot(stamped), snapshot(restored));
    assertEquals(Map.of(7L, "n2"), restored.state().termLeaders());
    assertEquals(Optional.of(N2_IN_7), restored.state().planChanges(Optional.empty(), Long.MAX_VALUE, 1).getFirst()
        .decidedBy());
    assertEquals(Optional.of(N2_IN_7), restored.state().chaosRun("drill-1").orElseThrow().startedBy());

    // The same log before terms and stamps existed; its snapshot had no sections for them.
    TernStateMachine unstamped = new TernStateMachine();
    stamped(false).forEach(unstamped::apply);
    byte[] current = snapshot(unstamped);
    byte[] emptySections = new byte[3 * Integer.BYTES];
    assertArrayEquals(emptySections, Arrays.copyOfRange(current, current.length - emptySections.length, current.length));
    byte[] older = Arrays.copyOf(current, current.length - emptySections.length);
    TernStateMachine fromOlder = new TernStateMachine();
    fromOlder.readContentFrom(new DataInputStream(new ByteArrayInputStream(older)));
    assertArrayEquals(current, snapshot(fromOlder));
    assertEquals(Map.of(), fromOlder.state().termLeaders());
    assertEquals(1, fromOlder.state().service("shop").orElseThrow().plan().orElseThrow().version());
  }

  private static List<Command> stamped(boolean stamps) {
    Optional<LeaderStamp> stamp = stamps ? Optional.of(N2_IN_7) : Optional.empty();
    return List.of(
        new Command.PutService("ada", T, "launch", "shop", yaml("shop", "shop.gslb.example.com")),
        new Command.OpenTerm("raft", T, "n2", stamps ? 7 : Command.OpenTerm.NO_TERM),
        new Command.PublishPlan("decision-loop", T, 0, normalPlan(1, "fra"), Optional.empty(), stamp),
        new Command.StartChaosRun("ops", T, "drill", "drill-1", "drill", "y", List.of("shop/fra"), T.plusSeconds(30), stamp));
  }

  private static byte[] snapshot(TernStateMachine sm) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      sm.writeContentTo(out);
    }
    return bytes.toByteArray();
  }
}
