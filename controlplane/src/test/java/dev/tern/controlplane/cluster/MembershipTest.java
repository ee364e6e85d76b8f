package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.cluster.ClusterConfig.Member;
import dev.tern.controlplane.cluster.RaftNode.MembershipAction;
import dev.tern.controlplane.state.ApplyResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Membership changes, including the jgroups-raft 1.1.4 window: a leader that crashes right after
 * committing a change must not leave the rest on a member list without a majority.
 */
class MembershipTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @Test
  void a_node_added_then_a_leader_crash_at_once_still_leaves_a_cluster_that_elects_and_commits(@TempDir Path dir)
      throws Exception {
    TestCluster c = new TestCluster(dir, 4);
    List<Member> firstThree = c.members.subList(0, 3);
    RaftNode[] nodes = new RaftNode[4];
    try {
      for (int i = 0; i < 3; i++) {
        nodes[i] = new RaftNode(new ClusterConfig(c.members.get(i).id(), firstThree, dir.resolve("n" + (i + 1)),
            TestCluster.SECRET, false, ClusterConfig.DEFAULT_MAX_LOG_BYTES)).start();
      }
      nodes[3] = new RaftNode(c.config(3, TestCluster.SECRET)).start();
      RaftNode leader = awaitLeader(nodes);

      ApplyResult added = leader.changeMembership(MembershipAction.ADD, "n4", "admin", "grow to four", TIMEOUT);
      assertTrue(added.applied(), added.toString());
      int crashed = indexOf(nodes, leader);
      leader.crash();
      nodes[crashed] = null;

      RaftNode next = awaitLeader(nodes);
      for (RaftNode n : nodes) {
        if (n != null) {
          assertEquals(List.of("n1", "n2", "n3", "n4"), n.members().stream().sorted().toList(), n.nodeId());
        }
      }
      assertTrue(next.submit(RaftClusterTest.put("after-add", 1), TIMEOUT).join().applied());
      assertTrue(next.state().audit(0, 100).stream().anyMatch(a -> a.action().equals("membership.add") && a.target().equals("n4")));

      // The crashed node comes back (from its own log, which holds the four-member list).
      Member back = c.members.get(crashed);
      nodes[crashed] = new RaftNode(new ClusterConfig(back.id(), crashed < 3 ? firstThree : c.members,
          dir.resolve(back.id()), TestCluster.SECRET, false, ClusterConfig.DEFAULT_MAX_LOG_BYTES)).start();
      RaftNode rejoined = nodes[crashed];
      TestCluster.await(back.id() + " rejoins with the four-member list", Duration.ofSeconds(15),
          () -> rejoined.connected().size() == 4 && rejoined.members().size() == 4);

      ApplyResult removed = next.changeMembership(MembershipAction.REMOVE, "n4", "admin", "shrink again", TIMEOUT);
      assertTrue(removed.applied(), removed.toString());
      int crashedAgain = indexOf(nodes, next);
      next.crash();
      nodes[crashedAgain] = null;
      RaftNode third = awaitLeader(nodes);
      assertTrue(third.submit(RaftClusterTest.put("after-remove", 1), TIMEOUT).join().applied());
      assertEquals(3, third.members().size());
    } finally {
      for (RaftNode n : nodes) {
        if (n != null) {
          n.close();
        }
      }
    }
  }

  private static int indexOf(RaftNode[] nodes, RaftNode node) {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] == node) {
        return i;
      }
    }
    throw new AssertionError(node.nodeId() + " not found");
  }

  private static RaftNode awaitLeader(RaftNode[] nodes) {
    List<RaftNode> live = new ArrayList<>();
    for (RaftNode n : nodes) {
      if (n != null) {
        live.add(n);
      }
    }
    TestCluster.await("a leader", Duration.ofSeconds(10), () -> live.stream().anyMatch(RaftNode::isLeader));
    return live.stream().filter(RaftNode::isLeader).findFirst().orElseThrow();
  }
}
