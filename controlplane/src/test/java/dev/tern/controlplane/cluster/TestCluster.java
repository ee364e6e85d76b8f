package dev.tern.controlplane.cluster;

import dev.tern.controlplane.cluster.ClusterConfig.Member;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/** Real Raft nodes on loopback in this JVM, each with its own log directory. */
final class TestCluster implements AutoCloseable {

  static final String SECRET = "test-cluster-secret-0123456789";

  final List<Member> members;
  final Path dir;
  final RaftNode[] nodes;

  TestCluster(Path dir, int size) throws IOException {
    this(dir, newMembers(size));
  }

  /** The same members and directories again, as after a full restart. */
  TestCluster(Path dir, List<Member> members) {
    this.dir = dir;
    this.members = List.copyOf(members);
    this.nodes = new RaftNode[members.size()];
  }

  private static List<Member> newMembers(int size) throws IOException {
    List<Member> m = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      m.add(new Member("n" + (i + 1), "127.0.0.1", freePort()));
    }
    return m;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  ClusterConfig config(int i, String secret) {
    return new ClusterConfig(members.get(i).id(), members, dir.resolve(members.get(i).id()), secret, false,
        ClusterConfig.DEFAULT_MAX_LOG_BYTES);
  }

  RaftNode start(int i) throws Exception {
    nodes[i] = new RaftNode(config(i, SECRET)).start();
    return nodes[i];
  }

  TestCluster startAll() throws Exception {
    for (int i = 0; i < nodes.length; i++) {
      start(i);
    }
    return this;
  }

  /** The index of the node that is leader, waiting up to {@code timeout}. */
  int awaitLeader(Duration timeout) {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      Optional<Integer> l = leader();
      if (l.isPresent()) {
        return l.get();
      }
      sleep(10);
    }
    throw new AssertionError("no leader within " + timeout);
  }

  /** Waits until every started node knows who leads: a follower forwards a write only then. */
  void awaitLeaderKnown(Duration timeout) {
    await("every node knows the leader", timeout, () -> java.util.Arrays.stream(nodes)
        .allMatch(n -> n == null || n.leaderId().isPresent()));
  }

  Optional<Integer> leader() {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && nodes[i].isLeader()) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  int follower() {
    for (int i = 0; i < nodes.length; i++) {
      if (nodes[i] != null && !nodes[i].isLeader()) {
        return i;
      }
    }
    throw new AssertionError("no follower");
  }

  static void await(String what, Duration timeout, BooleanSupplier condition) {
    await(what, timeout, condition, () -> "");
  }

  /** Waits for {@code condition}; on timeout the failure adds {@code state()}, to show why. */
  static void await(String what, Duration timeout, BooleanSupplier condition, java.util.function.Supplier<String> state) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what + state.get());
      }
      sleep(10);
    }
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  @Override
  public void close() {
    for (RaftNode n : nodes) {
      if (n != null) {
        n.close();
      }
    }
  }
}
