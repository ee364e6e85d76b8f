package dev.tern.controlplane.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.cluster.ClusterConfig;
import dev.tern.controlplane.cluster.ClusterConfig.Member;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.FailoverEvent;
import dev.tern.controlplane.state.LeaderStamp;
import dev.tern.controlplane.testing.ServiceYaml;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Ingestion → verdict → plan → commit, on three real nodes, with a clock the test moves. */
class DecisionLoopClusterTest {

  static final String YAML = ServiceYaml.failover("shop", 2, 2, "60s");

  static final List<Region> VANTAGES = List.of("aws:us-east-1", "gcp:europe-west1", "azure:japaneast").stream()
      .map(k -> Region.parse(k).orElseThrow()).toList();

  /** A clock the test moves by hand. */
  static final class MovableClock extends Clock {
    volatile Instant now = Instant.parse("2026-11-23T12:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  record Node(RaftNode raft, HealthBook book, DecisionLoop loop) {}

  private final MovableClock clock = new MovableClock();
  private final List<Node> nodes = new ArrayList<>();

  private void startCluster(Path dir) throws Exception {
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        members.add(new Member("n" + i, "127.0.0.1", s.getLocalPort()));
      }
    }
    for (Member m : members) {
      RaftNode raft = new RaftNode(new ClusterConfig(m.id(), members, dir.resolve(m.id()),
          "decision-loop-test-secret-0123", false, ClusterConfig.DEFAULT_MAX_LOG_BYTES)).start();
      HealthBook book = new HealthBook(raft.state());
      nodes.add(new Node(raft, book, new DecisionLoop(raft, book, clock, Duration.ofSeconds(5))));
    }
    await("a leader", () -> nodes.stream().anyMatch(n -> n.raft().isLeader()));
  }

  /** Commits the shop policy, then one healthy round: every node holds the first plan, on fra. */
  private void applyShopAndFirstPlan() {
    nodes.get(0).raft().submit(new Command.PutService("admin", clock.now, "first", "shop", YAML), Duration.ofSeconds(5)).join();
    await("policy on every node", () -> nodes.stream().allMatch(n -> n.raft().state().service("shop").isPresent()));
    round(Set.of());
    await("first plan everywhere", () -> nodes.stream().allMatch(n -> answer(n.raft()).equals("[fra]")));
  }

  /** One probe round from every vantage to every node; {@code down} backends fail. */
  private void round(Set<String> down) {
    clock.now = clock.now.plusSeconds(10);
    List<ProbeObservation> batch = shopRound(down);
    for (Node n : nodes) {
      if (n.raft() != null) {
        n.book().ingest(batch);
      }
    }
    for (Node n : nodes) {
      n.loop().tick();
    }
  }

  private Node leader() {
    return nodes.stream().filter(n -> n.raft().isLeader()).findFirst().orElseThrow();
  }

  private static String answer(RaftNode n) {
    return n.state().service("shop").flatMap(s -> s.plan()).map(p -> p.answerFor(ClientZone.DEFAULT).answers().stream()
        .map(WeightedAnswer::backend).toList().toString()).orElse("none");
  }

  @Test
  void observations_become_verdicts_then_a_committed_failover_on_every_node_and_a_new_leader_decides_at_once(
      @TempDir Path dir) throws Exception {
    startCluster(dir);
    try {
      ApplyResult put = nodes.get(0).raft().submit(
          new Command.PutService("admin", clock.now, "first", "shop", YAML), Duration.ofSeconds(5)).join();
      assertTrue(put.applied());
      await("policy on every node", () -> nodes.stream().allMatch(n -> n.raft().state().service("shop").isPresent()));

      round(Set.of());
      await("first plan everywhere", () -> nodes.stream().allMatch(n -> answer(n.raft()).equals("[fra]")));

      round(Set.of("fra"));
      assertEquals("[fra]", answer(leader().raft()), "one failed round is fewer than failAfter");
      round(Set.of("fra"));
      await("failover everywhere", () -> nodes.stream().allMatch(n -> answer(n.raft()).equals("[ams]")));

      RaftNode any = nodes.get(2).raft();
      assertEquals(Health.UNHEALTHY, any.state().service("shop").orElseThrow().verdicts().get("fra").health());
      FailoverEvent event = any.state().failovers(1).getFirst();
      assertEquals(List.of("fra UNHEALTHY"), event.failed());
      assertEquals(3, event.seenBy().size());
      assertEquals(1, event.fromVersion());
      assertEquals(2, event.toVersion());
      assertTrue(event.changes().contains("default: - fra (192.0.2.10) weight 1000"), event.changes().toString());
      LeaderStamp failedOverBy = assertDecidedByTheLeader();

      // The leader dies; the next one decides from its own warm health book without new rounds.
      Node old = leader();
      old.raft().crash();
      nodes.remove(old);
      await("a new leader", () -> nodes.stream().anyMatch(n -> n.raft().isLeader()));
      clock.now = clock.now.plusSeconds(1);
      Node next = leader();
      int before = next.raft().state().service("shop").orElseThrow().plan().map(RoutingPlan::version).orElse(0L).intValue();
      next.loop().tick();
      assertEquals(before, next.raft().state().service("shop").orElseThrow().plan().orElseThrow().version(),
          "nothing changed, so nothing is decided");
      round(Set.of());
      round(Set.of());
      clock.now = clock.now.plusSeconds(61);
      round(Set.of());
      await("failback on the new leader's watch", () -> nodes.stream().allMatch(n -> answer(n.raft()).equals("[fra]")));
      Optional<FailoverEvent> back = next.raft().state().failovers(1).stream().findFirst();
      assertEquals(List.of("fra HEALTHY"), back.orElseThrow().failed());
      LeaderStamp failedBackBy = assertDecidedByTheLeader();
      assertEquals(next.raft().nodeId(), failedBackBy.node());
      assertTrue(failedBackBy.term() > failedOverBy.term(), failedBackBy + " after " + failedOverBy);
    } finally {
      nodes.forEach(n -> n.raft().close());
    }
  }

  @Test
  void a_follower_never_commits_a_decision_and_the_leader_commits_only_changes(@TempDir Path dir) throws Exception {
    startCluster(dir);
    try {
      applyShopAndFirstPlan();
      for (Node n : nodes) {
        assertEquals(0, n.loop().tick(), n.raft().nodeId() + (n.raft().isLeader() ? " (leader, nothing changed)" : " (follower)"));
      }
      assertTrue(nodes.stream().allMatch(n -> n.raft().state().service("shop").orElseThrow().plan().orElseThrow().version() == 1));
    } finally {
      nodes.forEach(n -> n.raft().close());
    }
  }

  @Test
  void a_leader_with_a_health_book_just_started_does_not_call_the_probes_blind(@TempDir Path dir) throws Exception {
    startCluster(dir);
    try {
      applyShopAndFirstPlan();

      // The leader's process starts again (the whole cluster restarted): an empty health book, known verdicts.
      Node old = leader();
      HealthBook empty = new HealthBook(old.raft().state());
      Node restarted = new Node(old.raft(), empty, new DecisionLoop(old.raft(), empty, clock, Duration.ofSeconds(5)));
      nodes.set(nodes.indexOf(old), restarted);
      restarted.loop().tick();
      var shop = restarted.raft().state().service("shop").orElseThrow();
      assertEquals(Health.HEALTHY, shop.verdicts().get("fra").health(), "an empty book does not unknow a verdict");
      assertTrue(restarted.raft().state().openIncident("shop").isEmpty(), "no blind incident");

      // Within staleAfter (30 s) the probes report: a failure is a failover, and pages as one.
      round(Set.of("fra"));
      round(Set.of("fra"));
      await("failover everywhere", () -> nodes.stream().allMatch(n -> answer(n.raft()).equals("[ams]")));
      assertEquals("failover", restarted.raft().state().openIncident("shop").orElseThrow().kind());

      // Probes that stay silent past staleAfter leave the verdicts UNKNOWN, as before.
      clock.now = clock.now.plusSeconds(45);
      restarted.loop().tick();
      assertEquals(Health.UNKNOWN,
          restarted.raft().state().service("shop").orElseThrow().verdicts().get("fra").health());
    } finally {
      nodes.forEach(n -> n.raft().close());
    }
  }

  @Test
  void a_leader_that_was_stopped_longer_than_stale_after_does_not_call_the_probes_blind(@TempDir Path dir)
      throws Exception {
    startCluster(dir);
    DecisionLoop scheduled = null;
    try {
      applyShopAndFirstPlan();

      // The leader's loop on its own schedule, with its warm book; then 40 s pass between two of its ticks, as if
      // the process had been stopped: every observation in its book is older than staleAfter (30 s).
      Node leader = leader();
      scheduled = new DecisionLoop(leader.raft(), leader.book(), clock, Duration.ofSeconds(5)).start(Duration.ofMillis(50));
      Thread.sleep(300);
      clock.now = clock.now.plusSeconds(40);
      Thread.sleep(500);
      var shop = leader.raft().state().service("shop").orElseThrow();
      assertEquals(Health.HEALTHY, shop.verdicts().get("fra").health(), "a stopped node's stale book unknows nothing");
      assertTrue(leader.raft().state().openIncident("shop").isEmpty(), "no blind incident");

      // The probes' reports reach it again: a failure is a failover.
      for (int i = 0; i < 2; i++) {
        clock.now = clock.now.plusSeconds(1);
        List<ProbeObservation> batch = new ArrayList<>();
        for (Region v : VANTAGES) {
          batch.add(ProbeObservation.failed(v, "shop", "fra", clock.now, "connect timed out"));
          batch.add(ProbeObservation.ok(v, "shop", "ams", clock.now, Duration.ofMillis(12)));
        }
        leader.book().ingest(batch);
        Thread.sleep(300);
      }
      await("failover", () -> answer(leader.raft()).equals("[ams]"));
      assertEquals("failover", leader.raft().state().openIncident("shop").orElseThrow().kind());
    } finally {
      if (scheduled != null) {
        scheduled.close();
      }
      nodes.forEach(n -> n.raft().close());
    }
  }

  @Test
  void a_node_leading_again_judges_from_the_clusters_verdicts_not_from_its_last_term(@TempDir Path dir)
      throws Exception {
    startCluster(dir);
    try {
      applyShopAndFirstPlan();
      Node first = leader();
      List<Node> followers = nodes.stream().filter(n -> n != first).toList();

      // fra fails, and the leader fails over. The followers' books judge it UNHEALTHY too, as they would have had
      // one of them led then (a book judges only while its node leads, as the loop does here).
      round(Set.of("fra"));
      round(Set.of("fra"));
      assertEquals("[ams]", answer(first.raft()));
      Instant judgedUnhealthy = clock.now;
      for (Node f : followers) {
        assertEquals(Health.UNHEALTHY, f.book().evaluate(clock.now).get("shop").get("fra").verdict().health());
      }

      // fra recovers and the leader fails back after failbackDelay. The followers' books hear it, but a book that
      // does not judge keeps its old verdict.
      round(Set.of());
      round(Set.of());
      clock.now = clock.now.plusSeconds(61);
      round(Set.of());
      RoutingPlan onFra = first.raft().state().service("shop").orElseThrow().plan().orElseThrow();
      assertEquals("[fra]", answer(first.raft()));
      // The leader's notifier resolves the first failover's incident, fra healthy for failbackDelay.
      long firstIncident = first.raft().state().openIncident("shop").orElseThrow().id();
      assertTrue(first.raft().submit(new Command.ResolveIncident("alerting", clock.now, firstIncident,
          "fra HEALTHY again for 60 s"), Duration.ofSeconds(5)).join().applied());

      // fra fails now; the leader dies before it judges, and a follower leads.
      for (int i = 0; i < 2; i++) {
        clock.now = clock.now.plusSeconds(10);
        List<ProbeObservation> down = shopRound(Set.of("fra"));
        followers.forEach(f -> f.book().ingest(down));
      }
      first.raft().crash();
      nodes.remove(first);
      await("a new leader", () -> nodes.stream().anyMatch(n -> n.raft().isLeader()));
      Node next = leader();
      next.loop().tick();

      var shop = next.raft().state().service("shop").orElseThrow();
      assertEquals("[ams]", answer(next.raft()));
      assertEquals(clock.now, shop.verdicts().get("fra").since(),
          "UNHEALTHY since the cluster learned it, not since " + judgedUnhealthy + " of the book's last term");
      FailoverEvent event = next.raft().state().failovers(1).getFirst();
      assertEquals(onFra.version(), event.fromVersion());
      assertEquals(List.of("fra UNHEALTHY"), event.failed());
      var incident = next.raft().state().openIncident("shop").orElseThrow();
      assertTrue(incident.id() != firstIncident && incident.kind().equals("failover"),
          "a new failover incident, which pages the on-call engineer: " + incident);
    } finally {
      nodes.forEach(n -> n.raft().close());
    }
  }

  /** One probe round of the shop from every vantage at the clock's time; {@code down} backends fail. */
  private List<ProbeObservation> shopRound(Set<String> down) {
    List<ProbeObservation> batch = new ArrayList<>();
    for (Region v : VANTAGES) {
      for (String backend : List.of("fra", "ams")) {
        batch.add(down.contains(backend)
            ? ProbeObservation.failed(v, "shop", backend, clock.now, "connect timed out")
            : ProbeObservation.ok(v, "shop", backend, clock.now, Duration.ofMillis(12)));
      }
    }
    return batch;
  }

  /**
   * Checks that the latest plan change, on every node, is stamped with the leader and the term it
   * leads, that every node records that leader for that term, and that no follower claims a term.
   */
  private LeaderStamp assertDecidedByTheLeader() {
    Node deciding = leader();
    LeaderStamp stamp = new LeaderStamp(deciding.raft().nodeId(), deciding.raft().leadingTerm().orElseThrow());
    assertEquals(deciding.raft().term(), stamp.term(), "the term it leads is Raft's current term");
    for (Node n : nodes) {
      assertEquals(Optional.of(stamp), n.raft().state().planChanges(Optional.of("shop"), Long.MAX_VALUE, 1).getFirst()
          .decidedBy(), n.raft().nodeId());
      assertEquals(Optional.of(stamp.node()), n.raft().state().termLeader(stamp.term()), n.raft().nodeId());
      assertTrue(n == deciding || n.raft().leadingTerm().isEmpty(), n.raft().nodeId() + " follows and leads no term");
    }
    return stamp;
  }

  static void await(String what, java.util.function.BooleanSupplier condition) {
    Instant deadline = Instant.now().plusSeconds(10);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
