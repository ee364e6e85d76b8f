package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.CommandCodec;
import dev.tern.controlplane.testing.ServiceYaml;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower that comes back holding an entry an old leader appended but never committed, while
 * the cluster wrote another entry at that index, drops its entry for the leader's: it neither
 * commits nor applies what the cluster never committed, and catches up.
 */
class StaleTailTest {

  @Test
  void a_follower_with_an_uncommitted_entry_of_an_old_term_takes_the_leaders_entry(@TempDir Path dir)
      throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3).startAll()) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(30));
      int follower = (leader + 1) % 3;
      submit(cluster.nodes[leader], "shop");
      TestCluster.await("the follower holds the first write", Duration.ofSeconds(10),
          () -> cluster.nodes[follower].state().service("shop").isPresent()
              && cluster.nodes[follower].commitIndex() == cluster.nodes[leader].commitIndex());

      // The follower goes down. In its log, one entry more: one the leader of this term sent it alone
      // and never committed (as if the leader had died right after).
      cluster.nodes[follower].close();
      cluster.nodes[follower] = null;
      String id = cluster.members.get(follower).id();
      FileBasedLog log = new FileBasedLog();
      log.init(dir.resolve(id).resolve("tern-" + id + ".log").toString(), Map.of());
      long last = log.lastAppended();
      long term = log.get(last).term();
      byte[] ghost = CommandCodec.encode(new Command.PutService("admin", Instant.now(), "never committed", "ghost",
          ServiceYaml.failover("ghost", 2, 2, "60s"), Command.PutService.ANY_VERSION));
      log.append(last + 1, LogEntries.create(new LogEntry(term, ghost)));
      log.close();

      // That leader dies; the next one, in a later term, writes its own entries at that index and beyond.
      cluster.nodes[leader].crash();
      cluster.start(leader);
      int next = cluster.awaitLeader(Duration.ofSeconds(30));
      cluster.awaitLeaderKnown(Duration.ofSeconds(30));
      submit(cluster.nodes[next], "after");
      // Committed on the leader; if leadership moved meanwhile, the node submitted to learns it with the next append.
      TestCluster.await("the cluster committed an entry of its own at the stale index", Duration.ofSeconds(10),
          () -> cluster.nodes[next].commitIndex() >= last + 1,
          () -> ": the stale entry is at " + (last + 1) + "; commit indexes " + java.util.Arrays.stream(cluster.nodes)
              .map(n -> n == null ? "down" : n.commitIndex() + (n.isLeader() ? " (leader)" : "")).toList());

      // It comes back while the cluster keeps writing: the leader's commit messages reach it from the start.
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread writer = Thread.ofPlatform().name("writer").start(() -> {
        for (int n = 0; writing.get(); n++) {
          submit(cluster.nodes[next], "w" + (n % 5));
        }
      });
      RaftNode back;
      try {
        back = cluster.start(follower);
        Thread.sleep(3_000);
      } finally {
        writing.set(false);
        writer.join();
      }
      TestCluster.await("the follower catches up", Duration.ofSeconds(30),
          () -> back.state().service("after").isPresent() && back.commitIndex() == cluster.nodes[next].commitIndex());
      assertTrue(back.state().service("ghost").isEmpty(), "the never-committed entry was not applied");
      assertEquals(cluster.nodes[next].state().services().size(), back.state().services().size());
    }
  }

  private static void submit(RaftNode node, String service) {
    ApplyResult r = node.submit(new Command.PutService("admin", Instant.now(), "test", service,
        ServiceYaml.failover(service, 2, 2, "60s"), Command.PutService.ANY_VERSION), Duration.ofSeconds(10)).join();
    assertTrue(r.applied(), r.toString());
  }
}
