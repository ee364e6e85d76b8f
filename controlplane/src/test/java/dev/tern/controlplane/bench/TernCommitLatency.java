package dev.tern.controlplane.bench;

import dev.tern.controlplane.cluster.ClusterConfig;
import dev.tern.controlplane.cluster.ClusterConfig.Member;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.policy.health.Health;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Tern's three-node jgroups-raft cluster on 127.0.0.1 (nodes in this JVM, each with its own log
 * directory), committing the decision loop's own command: a {@code RecordVerdicts} carrying one
 * verdict whose text is the payload, submitted on the leader.
 */
final class TernCommitLatency implements CommitTarget {

  private final Path parent;
  private final boolean fsync;
  private final List<RaftNode> nodes = new ArrayList<>();
  private Path dir;
  private RaftNode leader;

  TernCommitLatency(Path parent, boolean fsync) {
    this.parent = parent;
    this.fsync = fsync;
  }

  @Override
  public String name() {
    return "tern jgroups-raft 1.1.4, 3 nodes, " + (fsync ? "fsync" : "no fsync");
  }

  @Override
  public void start() throws Exception {
    dir = Files.createTempDirectory(parent, "tern-bench-raft-");
    List<Member> members = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      members.add(new Member("n" + i, "127.0.0.1", freePort()));
    }
    for (Member m : members) {
      nodes.add(new RaftNode(new ClusterConfig(m.id(), members, dir.resolve(m.id()),
          "benchmark-cluster-secret-0123456789", fsync, ClusterConfig.DEFAULT_MAX_LOG_BYTES)).start());
    }
    Instant deadline = Instant.now().plusSeconds(30);
    while (leader == null) {
      leader = nodes.stream().filter(RaftNode::isLeader).findFirst().orElse(null);
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("no leader within 30 s");
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void commitOnce(byte[] payload) {
    Command command = new Command.RecordVerdicts("decision-loop", Instant.ofEpochMilli(System.currentTimeMillis()),
        List.of(new Command.VerdictRecord("bench", "b", Health.HEALTHY, Instant.EPOCH, Optional.empty(),
            new String(payload, StandardCharsets.ISO_8859_1), List.of())));
    ApplyResult r = leader.submit(command, Duration.ofSeconds(5)).join();
    if (!r.applied()) {
      throw new IllegalStateException("not applied: " + r);
    }
  }

  @Override
  public void stop() {
    nodes.forEach(RaftNode::close);
    nodes.clear();
    if (dir != null) {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a leftover temporary directory is harmless
      }
      dir = null;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
