package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import org.jgroups.Address;
import org.jgroups.protocols.DISCARD;
import org.jgroups.protocols.TCP;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real partition (sockets stay open, messages are dropped): the old leader alone on its side
 * commits nothing, the majority elects a leader and carries on, and after healing the old leader
 * follows and holds the majority's state.
 */
class PartitionTest {

  @Test
  void a_leader_cut_off_in_a_minority_commits_nothing_and_follows_after_the_heal(@TempDir Path dir) throws Exception {
    try (TestCluster c = new TestCluster(dir, 3).startAll()) {
      int old = c.awaitLeader(Duration.ofSeconds(10));
      assertTrue(c.nodes[old].submit(RaftClusterTest.put("before", 1), Duration.ofSeconds(5)).join().applied());
      TestCluster.await("every node has the first write", Duration.ofSeconds(5),
          () -> java.util.Arrays.stream(c.nodes).allMatch(n -> n.state().service("before").isPresent()));

      DISCARD[] discards = new DISCARD[3];
      for (int i = 0; i < 3; i++) {
        discards[i] = new DISCARD();
        c.nodes[i].channel().getProtocolStack().insertProtocol(discards[i], ProtocolStack.Position.ABOVE, TCP.class);
      }
      Address leaderAddress = c.nodes[old].channel().getAddress();
      for (int i = 0; i < 3; i++) {
        if (i == old) {
          for (int j = 0; j < 3; j++) {
            if (j != old) {
              discards[i].addIgnoreMember(c.nodes[j].channel().getAddress());
            }
          }
        } else {
          discards[i].addIgnoreMember(leaderAddress);
        }
      }

      CompletionException refused = assertThrows(CompletionException.class,
          () -> c.nodes[old].submit(RaftClusterTest.put("minority", 1), Duration.ofSeconds(2)).join());
      assertInstanceOf(RaftNode.NotCommittedException.class, refused.getCause());

      TestCluster.await("a leader on the majority side", Duration.ofSeconds(20),
          () -> c.nodes[(old + 1) % 3].isLeader() || c.nodes[(old + 2) % 3].isLeader());
      int next = c.nodes[(old + 1) % 3].isLeader() ? (old + 1) % 3 : (old + 2) % 3;
      assertNotEquals(old, next);
      assertTrue(c.nodes[next].submit(RaftClusterTest.put("majority", 1), Duration.ofSeconds(5)).join().applied());
      TestCluster.await("the old leader steps down", Duration.ofSeconds(20), () -> !c.nodes[old].isLeader());
      assertTrue(c.nodes[old].state().service("minority").isEmpty());
      assertTrue(c.nodes[old].state().service("majority").isEmpty());

      for (DISCARD d : discards) {
        d.resetIgnoredMembers();
      }
      TestCluster.await("the old leader catches up after the heal", Duration.ofSeconds(30),
          () -> c.nodes[old].state().service("majority").isPresent());
      assertTrue(c.nodes[old].state().service("minority").isEmpty(), "the unacknowledged write never appeared");
      assertEquals(RaftClusterTest.fingerprint(c.nodes[next]), RaftClusterTest.fingerprint(c.nodes[old]));
    }
  }
}
