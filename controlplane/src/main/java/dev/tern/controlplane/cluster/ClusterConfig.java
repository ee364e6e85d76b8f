package dev.tern.controlplane.cluster;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * How one node joins the cluster.
 *
 * @param nodeId this node's Raft id; one of {@code members}
 * @param members every voting member: id, host and port of its cluster (JGroups) endpoint. One
 *     member is the single-node development mode, where port 0 picks any free port.
 * @param dataDir where the Raft log and snapshots live
 * @param secret shared by every member: it derives the key that encrypts cluster traffic and
 *     proves a joining node is one of ours. At least 16 characters.
 * @param fsync whether the Raft log forces every append to disk (safer, slower)
 * @param maxLogBytes log size after which a snapshot is taken and the log truncated
 */
public record ClusterConfig(
    String nodeId, List<Member> members, Path dataDir, String secret, boolean fsync, long maxLogBytes) {

  public static final long DEFAULT_MAX_LOG_BYTES = 8L << 20;

  /** One voting member of the cluster. */
  public record Member(String id, String host, int port) {
    public Member {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(host, "host");
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("cluster port of " + id + " must be 1..65535, got " + port);
      }
    }

    /** Parses {@code id@host:port}. */
    public static Member parse(String text) {
      int at = text.indexOf('@');
      int colon = text.lastIndexOf(':');
      if (at < 1 || colon < at + 2 || colon == text.length() - 1) {
        throw new IllegalArgumentException("a member is written id@host:port, e.g. n1@127.0.0.1:7801; got " + text);
      }
      try {
        return new Member(text.substring(0, at), text.substring(at + 1, colon), Integer.parseInt(text.substring(colon + 1)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("the port in " + text + " is not a number", e);
      }
    }

    @Override
    public String toString() {
      return id + "@" + host + ":" + port;
    }
  }

  public ClusterConfig {
    Objects.requireNonNull(nodeId, "nodeId");
    members = List.copyOf(members);
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(secret, "secret");
    if (members.stream().noneMatch(m -> m.id().equals(nodeId))) {
      throw new IllegalArgumentException("node id " + nodeId + " is not among the members " + members);
    }
    if (members.stream().map(Member::id).distinct().count() != members.size()) {
      throw new IllegalArgumentException("member ids must be unique: " + members);
    }
    if (secret.length() < 16) {
      throw new IllegalArgumentException(
          "the cluster secret must be at least 16 characters; generate one with: head -c 32 /dev/urandom | base64");
    }
    if (members.size() > 1 && members.stream().anyMatch(m -> m.port() == 0)) {
      throw new IllegalArgumentException(
          "port 0 (any free port) is only for a single-node cluster; give every member of " + members + " its port");
    }
    if (maxLogBytes < 1 << 16) {
      throw new IllegalArgumentException("maxLogBytes must be at least 64 KiB");
    }
  }

  public Member self() {
    return members.stream().filter(m -> m.id().equals(nodeId)).findFirst().orElseThrow();
  }
}
