package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.controlplane.cluster.ClusterConfig.Member;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.jgroups.JChannel;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.raft.ELECTION;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.stack.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The JGroups stack carries the configured timings, and without any the ones it always had. */
class ChannelFactoryTest {

  private static List<Protocol> stack(Path dir, ClusterConfig.Timing timing) throws Exception {
    return ChannelFactory.protocols(new ClusterConfig("n1", List.of(new Member("n1", "127.0.0.1", 0)), dir,
        TestCluster.SECRET, false, ClusterConfig.DEFAULT_MAX_LOG_BYTES, timing));
  }

  private static <P extends Protocol> P find(List<Protocol> stack, Class<P> type) {
    return stack.stream().filter(type::isInstance).map(type::cast).findFirst().orElseThrow();
  }

  @Test
  void the_configured_timings_reach_the_protocols(@TempDir Path dir) throws Exception {
    List<Protocol> stack = stack(dir, new ClusterConfig.Timing(Duration.ofSeconds(1), Duration.ofMillis(1500),
        Duration.ofSeconds(8), Duration.ofMillis(900), Duration.ofMillis(300)));
    assertEquals(1_000, find(stack, VERIFY_SUSPECT2.class).getTimeout());
    assertEquals(1_500, find(stack, FD_ALL3.class).getInterval());
    assertEquals(8_000, find(stack, FD_ALL3.class).getTimeout());
    assertEquals(900, find(stack, ELECTION.class).voteTimeout());
    assertEquals(300, find(stack, RAFT.class).resendInterval());
  }

  @Test
  void the_default_timings_are_those_of_before(@TempDir Path dir) throws Exception {
    List<Protocol> stack = stack(dir, ClusterConfig.Timing.defaults());
    assertEquals(500, find(stack, VERIFY_SUSPECT2.class).getTimeout());
    assertEquals(1_000, find(stack, FD_ALL3.class).getInterval());
    assertEquals(4_000, find(stack, FD_ALL3.class).getTimeout());
    assertEquals(100, find(stack, RAFT.class).resendInterval());
    // The vote timeout used to be jgroups-raft's own default; it stays what that default is.
    assertEquals(new ELECTION().voteTimeout(), find(stack, ELECTION.class).voteTimeout());
    assertEquals(600, find(stack, ELECTION.class).voteTimeout());
  }

  @Test
  void the_short_constructor_uses_the_default_timings(@TempDir Path dir) {
    ClusterConfig config = new ClusterConfig("n1", List.of(new Member("n1", "127.0.0.1", 0)), dir,
        TestCluster.SECRET, false, ClusterConfig.DEFAULT_MAX_LOG_BYTES);
    assertEquals(ClusterConfig.Timing.defaults(), config.timing());
  }

  @Test
  void a_member_connects_to_the_others_from_its_own_address(@TempDir Path dir) throws Exception {
    // A listening socket stands in for member n2 on 127.0.0.5; n1, on 127.0.0.4, reaches for it while it joins.
    try (ServerSocket peer = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.5"))) {
      peer.setSoTimeout(10_000);
      int port;
      try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.4"))) {
        port = free.getLocalPort();
      }
      ClusterConfig config = new ClusterConfig("n1",
          List.of(new Member("n1", "127.0.0.4", port), new Member("n2", "127.0.0.5", peer.getLocalPort())), dir,
          TestCluster.SECRET, false, ClusterConfig.DEFAULT_MAX_LOG_BYTES);
      try (JChannel channel = ChannelFactory.create(config)) {
        Thread.ofVirtual().start(() -> {
          try {
            channel.connect(ChannelFactory.clusterName(config));
          } catch (Exception e) {
            // n2 never answers; the channel is closed below
          }
        });
        try (Socket from = peer.accept()) {
          assertEquals(InetAddress.getByName("127.0.0.4"), from.getInetAddress());
        }
      }
    }
  }
}
