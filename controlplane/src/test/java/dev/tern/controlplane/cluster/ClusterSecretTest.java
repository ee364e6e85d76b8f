package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.state.TernStateMachine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.raft.RaftHandle;
import org.jgroups.stack.Protocol;
import org.jgroups.stack.ProtocolStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the cluster secret protects, against a real two-node cluster on loopback: a node started
 * with another secret is not let in and learns nothing, and what crosses the wire between members
 * never carries the replicated state in the clear.
 */
class ClusterSecretTest {

  private static final Duration COMMIT = Duration.ofSeconds(5);
  private static final String WRONG_SECRET = "not-the-cluster-secret-at-all";

  /**
   * A node with the wrong secret, built from the same stack, tapped right above its transport. It
   * connects under the cluster's own name, as an intruder who read the name off the wire would: a
   * node that derives the name from its own secret never reaches the cluster at all.
   */
  private record Intruder(JChannel channel, TernStateMachine state, WireTap tap) implements AutoCloseable {
    List<String> view() {
      return channel.getView() == null ? List.of()
          : channel.getView().getMembers().stream().map(Address::toString).sorted().toList();
    }

    @Override
    public void close() {
      channel.close();
    }
  }

  private static Intruder intruder(TestCluster c, int index) throws Exception {
    List<Protocol> protocols = new ArrayList<>(ChannelFactory.protocols(c.config(index, WRONG_SECRET)));
    WireTap tap = new WireTap();
    protocols.add(1, tap);
    JChannel channel = new JChannel(protocols).name(c.members.get(index).id());
    TernStateMachine state = new TernStateMachine();
    new RaftHandle(channel, state);
    try {
      channel.connect(ChannelFactory.clusterName(c.config(index, TestCluster.SECRET)));
    } catch (Exception refused) {
      channel.close();
      throw refused;
    }
    return new Intruder(channel, state, tap);
  }

  private static WireTap tap(RaftNode node, Class<? extends Protocol> above) throws Exception {
    WireTap tap = new WireTap();
    node.channel().getProtocolStack().insertProtocol(tap, ProtocolStack.Position.ABOVE, above);
    return tap;
  }

  @Test
  void a_node_with_another_secret_neither_joins_nor_sees_the_state_and_the_wire_carries_no_plaintext(
      @TempDir Path dir) throws Exception {
    try (TestCluster c = new TestCluster(dir, 3)) {
      c.start(0);
      c.start(1);
      int leader = c.awaitLeader(Duration.ofSeconds(10));
      c.awaitLeaderKnown(Duration.ofSeconds(10));
      int follower = 1 - leader;
      WireTap[] wire = {tap(c.nodes[0], TCP.class), tap(c.nodes[1], TCP.class)};
      WireTap cleartext = tap(c.nodes[leader], SYM_ENCRYPT.class);

      // A policy committed before the intruder starts, one while it tries to join, one after.
      c.nodes[follower].submit(RaftClusterTest.put("confidential", 1), COMMIT).join();
      try (Intruder intruder = intruder(c, 2)) {
        c.nodes[follower].submit(RaftClusterTest.put("classified", 2), COMMIT).join();
        // Long enough for discovery, a merge attempt (every 1 to 3 s) and failure detection.
        TestCluster.sleep(4_000);
        c.nodes[leader].submit(RaftClusterTest.put("restricted", 3), COMMIT).join();
        for (RaftNode n : List.of(c.nodes[0], c.nodes[1])) {
          TestCluster.await("the last policy on " + n.nodeId(), COMMIT, () -> n.state().service("restricted").isPresent());
          assertEquals(List.of("n1", "n2"), n.connected().stream().sorted().toList(), "the view of " + n.nodeId());
        }

        assertEquals(List.of("n3"), intruder.view(), "the intruder is alone in its own view");
        assertTrue(intruder.state().state().services().isEmpty(), "the intruder learned no service");
        assertEquals(0, intruder.state().state().policyVersion());
        assertTrue(intruder.tap().received() > 0, "the intruder did hear from the cluster's nodes");
        for (String name : List.of("confidential", "classified", "restricted")) {
          assertFalse(intruder.tap().saw(name + ".gslb.example.com"), "the intruder read " + name);
        }
      }

      assertTrue(cleartext.saw("classified.gslb.example.com"), "above the encryption the policy is in the clear");
      for (WireTap t : wire) {
        assertTrue(t.messages() > 0);
        for (String name : List.of("confidential", "classified", "restricted")) {
          assertFalse(t.saw(name + ".gslb.example.com"), name + "'s hostname crossed the wire in the clear");
        }
        assertFalse(t.saw("192.0.2.10"), "a backend address crossed the wire in the clear");
        assertFalse(t.saw(TestCluster.SECRET), "the cluster secret crossed the wire");
        assertFalse(t.saw(WRONG_SECRET), "the intruder's secret crossed the wire");
      }
    }
  }

  @Test
  void the_secret_is_rotated_by_restarting_one_node_at_a_time_without_losing_a_write(@TempDir Path dir)
      throws Exception {
    String rotated = "the-next-cluster-secret-9c4d2e71";
    try (TestCluster c = new TestCluster(dir, 3).startAll()) {
      c.awaitLeader(Duration.ofSeconds(10));
      c.awaitLeaderKnown(Duration.ofSeconds(10));
      c.nodes[0].submit(RaftClusterTest.put("before", 1), COMMIT).join();
      for (int i = 0; i < 3; i++) {
        String id = c.members.get(i).id();
        c.nodes[i].close();
        long restart = System.nanoTime();
        c.nodes[i] = new RaftNode(c.config(i, rotated)).start();
        // It joined the nodes that already hold the new secret, never asking the old ones: a join
        // sent to an old coordinator goes unanswered until GMS gives up after ten 1 s attempts, and
        // the node comes up alone, to be merged later.
        long tookMs = (System.nanoTime() - restart) / 1_000_000;
        assertTrue(tookMs < 8_000, id + " took " + tookMs + " ms to start: it waited on a node with the old secret");
        assertEquals(c.members.subList(0, i + 1).stream().map(ClusterConfig.Member::id).toList(),
            c.nodes[i].connected().stream().sorted().toList(), "the view " + id + " joined");
        // Two nodes still share a secret (the old pair first, the new pair after): a majority.
        TestCluster.await("a leader with a majority after restarting " + id, Duration.ofSeconds(15),
            () -> c.leader().isPresent() && c.nodes[c.leader().get()].connected().size() >= 2);
        c.nodes[c.leader().orElseThrow()].submit(RaftClusterTest.put("after-" + id, 1), COMMIT).join();
      }
      for (RaftNode n : c.nodes) {
        TestCluster.await(n.nodeId() + " holds every write", Duration.ofSeconds(10),
            () -> List.of("before", "after-n1", "after-n2", "after-n3").stream()
                .allMatch(name -> n.state().service(name).isPresent()));
        assertEquals(List.of("n1", "n2", "n3"), n.connected().stream().sorted().toList(), n.nodeId());
      }
    }
  }

  /** Records what reaches it from the protocol above or below, and passes nothing on. */
  private static final class Recorder extends Protocol {
    final List<Message> messages = new ArrayList<>();

    @Override
    public Object down(Message msg) {
      messages.add(msg);
      return null;
    }

    @Override
    public Object up(Message msg) {
      messages.add(msg);
      return null;
    }

    byte[] payload(int i) {
      Message m = messages.get(i);
      return Arrays.copyOfRange(m.getArray(), m.getOffset(), m.getOffset() + m.getLength());
    }
  }

  @Test
  void the_same_message_is_enciphered_differently_every_time_and_deciphers_back(@TempDir Path dir) throws Exception {
    TestCluster c = new TestCluster(dir, 1);
    try (JChannel channel = ChannelFactory.create(c.config(0, TestCluster.SECRET))) {
      SYM_ENCRYPT encrypt = channel.getProtocolStack().findProtocol(SYM_ENCRYPT.class);
      Recorder below = new Recorder();
      Recorder above = new Recorder();
      encrypt.setDownProtocol(below);
      encrypt.setUpProtocol(above);
      // Four identical 64-byte lines: a cipher mode without an IV would repeat its blocks.
      byte[] plain = "hostname: shop.gslb.example.com    address: 192.0.2.10 weight 3\n".repeat(4)
          .getBytes(StandardCharsets.UTF_8);
      assertEquals(4 * 64, plain.length);

      encrypt.down(new BytesMessage(null, plain));
      encrypt.down(new BytesMessage(null, plain));
      byte[] first = below.payload(0);
      byte[] second = below.payload(1);

      assertFalse(Arrays.equals(first, second), "the same plaintext gave the same ciphertext twice");
      assertEquals(-1, indexOf(first, "shop.gslb.example.com"));
      assertEquals(first.length / 16, distinctBlocks(first), "a 16-byte block repeats within one message");
      for (Message enciphered : List.copyOf(below.messages)) {
        encrypt.up(enciphered);
      }
      assertArrayEquals(plain, above.payload(0));
      assertArrayEquals(plain, above.payload(1));
    }
  }

  private static int distinctBlocks(byte[] bytes) {
    Set<String> blocks = new HashSet<>();
    for (int i = 0; i + 16 <= bytes.length; i += 16) {
      blocks.add(Arrays.toString(Arrays.copyOfRange(bytes, i, i + 16)));
    }
    return blocks.size();
  }

  private static int indexOf(byte[] haystack, String text) {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
