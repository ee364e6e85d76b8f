package dev.tern.controlplane.cluster;

import java.nio.file.Path;
import java.time.Duration;
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
 * @param timing failure detection, election and resend timings of the JGroups stack
 */
public record ClusterConfig(String nodeId, List<Member> members, Path dataDir, String secret, boolean fsync,
    long maxLogBytes, Timing timing) {

  public static final long DEFAULT_MAX_LOG_BYTES = 8L << 20;

  /** A node with the default {@link Timing}. */
  public ClusterConfig(String nodeId, List<Member> members, Path dataDir, String secret, boolean fsync,
      long maxLogBytes) {
    this(nodeId, members, dataDir, secret, fsync, maxLogBytes, Timing.defaults());
  }

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

  /**
   * How fast the cluster notices a lost member, elects a leader and repairs a follower's log: the
   * {@code tern.cluster.timing} keys (docs/cluster.md). The defaults suit members in one region and
   * stay safe at about 100 ms round trip; longer values ride out lossy WAN links at the price of
   * noticing a failure later. Every value is positive, at most 60 s, and in whole milliseconds
   * (JGroups counts in them).
   *
   * @param suspectVerify how long a member whose failure-detection connection closed is checked
   *     before it is excluded (VERIFY_SUSPECT2 timeout): the bulk of a crashed leader's replacement
   * @param heartbeatInterval how often every member sends a heartbeat (FD_ALL3 interval)
   * @param failureTimeout how long without a heartbeat before a hung or cut-off member is suspected
   *     (FD_ALL3 timeout); at least twice {@code heartbeatInterval}, so one late heartbeat is not a
   *     failure
   * @param voteTimeout how long a candidate waits for votes in one voting round (jgroups-raft ELECTION
   *     {@code vote_timeout})
   * @param resendInterval how long the leader waits before resending entries a follower has not
   *     acknowledged (RAFT {@code resend_interval}); less than {@code failureTimeout}
   */
  public record Timing(Duration suspectVerify, Duration heartbeatInterval, Duration failureTimeout,
      Duration voteTimeout, Duration resendInterval) {

    /** The configuration prefix of these keys. */
    public static final String PREFIX = "tern.cluster.timing";

    /** The longest any of them may be. */
    public static final Duration MAX = Duration.ofSeconds(60);

    public Timing {
      inRange("suspect-verify", suspectVerify);
      inRange("heartbeat-interval", heartbeatInterval);
      inRange("failure-timeout", failureTimeout);
      inRange("vote-timeout", voteTimeout);
      inRange("resend-interval", resendInterval);
      if (failureTimeout.compareTo(heartbeatInterval.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException(key("failure-timeout") + " is " + text(failureTimeout)
            + "; it must be at least twice " + key("heartbeat-interval") + " (" + text(heartbeatInterval)
            + "), or a single late heartbeat gets a live member suspected");
      }
      if (resendInterval.compareTo(failureTimeout) >= 0) {
        throw new IllegalArgumentException(key("resend-interval") + " is " + text(resendInterval)
            + "; it must be less than " + key("failure-timeout") + " (" + text(failureTimeout)
            + "), or a follower is suspected before the leader repairs its log");
      }
    }

    /**
     * FD_SOCK2 + VERIFY_SUSPECT2 500 ms, FD_ALL3 every 1 s with a 4 s timeout, jgroups-raft's own
     * 600 ms vote timeout, and a 100 ms resend interval (RAFT's own 1 s put a full second between an
     * election and the first commit of the new term).
     */
    public static Timing defaults() {
      return new Timing(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(4), Duration.ofMillis(600),
          Duration.ofMillis(100));
    }

    /** The full configuration key of {@code name}, e.g. {@code tern.cluster.timing.failure-timeout}. */
    public static String key(String name) {
      return PREFIX + "." + name;
    }

    private static void inRange(String name, Duration value) {
      Objects.requireNonNull(value, key(name));
      if (value.isNegative() || value.isZero()) {
        throw new IllegalArgumentException(key(name) + " is " + text(value) + "; it must be positive");
      }
      if (value.compareTo(MAX) > 0) {
        throw new IllegalArgumentException(key(name) + " is " + text(value) + "; it must be at most " + text(MAX));
      }
      if (value.getNano() % 1_000_000 != 0) {
        throw new IllegalArgumentException(key(name) + " is " + text(value) + "; give it in whole milliseconds");
      }
    }

    /** {@code 500ms}, {@code 4s}: how the keys are written. */
    static String text(Duration d) {
      if (d.abs().compareTo(MAX) > 0 || d.getNano() % 1_000_000 != 0) {
        return d.getNano() == 0 ? d.getSeconds() + "s" : d.toString();
      }
      long ms = d.toMillis();
      return ms % 1000 == 0 ? ms / 1000 + "s" : ms + "ms";
    }
  }

  public ClusterConfig {
    Objects.requireNonNull(nodeId, "nodeId");
    members = List.copyOf(members);
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(secret, "secret");
    Objects.requireNonNull(timing, "timing");
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
