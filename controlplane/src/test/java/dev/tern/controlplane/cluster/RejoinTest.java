package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.testing.ServiceYaml;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node started again while its earlier run is still in the cluster's view (a restart right after
 * a crash, before failure detection removed it) is refused as a duplicate member; it keeps trying
 * and joins once the earlier run is gone, rather than failing to start.
 */
class RejoinTest {

  @Test
  void a_node_whose_earlier_run_is_still_in_the_view_joins_once_it_is_gone(@TempDir Path dir) throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3).startAll()) {
      int leader = cluster.awaitLeader(Duration.ofSeconds(30));
      int follower = (leader + 1) % 3;
      ApplyResult put = cluster.nodes[leader].submit(new Command.PutService("admin", Instant.now(), "before",
          "shop", ServiceYaml.failover("shop", 2, 2, "60s")), Duration.ofSeconds(10))
          .join();
      assertTrue(put.applied(), put.toString());

      // The same member again, while the first run still answers: on a port of its own (the first run holds the
      // member's) and its own copy of the data.
      RaftNode earlier = cluster.nodes[follower];
      List<ClusterConfig.Member> members = new ArrayList<>(cluster.members);
      ClusterConfig.Member self = members.get(follower);
      members.set(follower, new ClusterConfig.Member(self.id(), self.host(), TestCluster.freePort()));
      ClusterConfig again = new ClusterConfig(self.id(), members, dir.resolve("again"), TestCluster.SECRET, false,
          ClusterConfig.DEFAULT_MAX_LOG_BYTES);
      CompletableFuture<RaftNode> restart = CompletableFuture.supplyAsync(() -> {
        try {
          return new RaftNode(again).start();
        } catch (Exception e) {
          throw new CompletionException(e);
        }
      });
      Thread.sleep(3_000);
      if (restart.isDone()) {
        restart.join(); // says why it gave up
      }
      assertFalse(restart.isDone(), "refused while the earlier run is in the view, and still trying");

      earlier.crash();
      RaftNode joined = restart.get(RaftNode.JOIN_RETRY.toSeconds(), TimeUnit.SECONDS);
      cluster.nodes[follower] = joined;
      TestCluster.await("the new run catches up", Duration.ofSeconds(30),
          () -> joined.state().service("shop").isPresent());
      assertEquals(cluster.nodes[leader].commitIndex(), joined.commitIndex());
    }
  }
}
