package dev.tern.controlplane.cluster;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.value.PropertyResolver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The {@code tern.cluster} configuration of a node (see docs/cluster.md). The timings under
 * {@code tern.cluster.timing} are read by {@link #timing(PropertyResolver)}.
 *
 * @param nodeId this node's id; one of {@code members}
 * @param members every voting member as {@code id@host:port}
 * @param dataDir where the Raft log and snapshots live
 * @param secret shared by all members; at least 16 characters
 * @param fsync force every log append to disk
 * @param maxLogBytes log size that triggers a snapshot
 */
@ConfigurationProperties("tern.cluster")
public record ClusterSettings(
    String nodeId,
    List<String> members,
    String dataDir,
    String secret,
    @Bindable(defaultValue = "false") boolean fsync,
    @Bindable(defaultValue = "8388608") long maxLogBytes) {

  public ClusterConfig toConfig(ClusterConfig.Timing timing) {
    if (nodeId == null || members == null || members.isEmpty() || dataDir == null || secret == null) {
      throw new IllegalArgumentException(
          "tern.cluster needs node-id, members, data-dir and secret; see docs/cluster.md");
    }
    return new ClusterConfig(nodeId, members.stream().map(ClusterConfig.Member::parse).toList(), Path.of(dataDir),
        secret, fsync, maxLogBytes, timing);
  }

  /**
   * {@code tern.cluster.timing}: each key a duration such as {@code 500ms}, {@code 4s} or
   * {@code PT4S}; a key not given keeps its {@link ClusterConfig.Timing#defaults() default}. A
   * value that is not a duration, or is out of range, is refused with its key and value.
   */
  public static ClusterConfig.Timing timing(PropertyResolver p) {
    ClusterConfig.Timing d = ClusterConfig.Timing.defaults();
    return new ClusterConfig.Timing(
        duration(p, "suspect-verify", d.suspectVerify()),
        duration(p, "heartbeat-interval", d.heartbeatInterval()),
        duration(p, "failure-timeout", d.failureTimeout()),
        duration(p, "vote-timeout", d.voteTimeout()),
        duration(p, "resend-interval", d.resendInterval()));
  }

  private static Duration duration(PropertyResolver p, String name, Duration otherwise) {
    String key = ClusterConfig.Timing.key(name);
    Optional<String> text = p.getProperty(key, String.class);
    if (text.isEmpty()) {
      return otherwise;
    }
    return p.getProperty(key, Duration.class).orElseThrow(() -> new IllegalArgumentException(
        key + " is '" + text.get() + "', not a duration; write it with its unit, e.g. "
            + ClusterConfig.Timing.text(otherwise) + ", or in ISO-8601, e.g. " + otherwise));
  }
}
