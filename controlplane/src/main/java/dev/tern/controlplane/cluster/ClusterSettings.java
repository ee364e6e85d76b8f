package dev.tern.controlplane.cluster;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import java.nio.file.Path;
import java.util.List;

/**
 * The {@code tern.cluster} configuration of a node (see docs/cluster.md).
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

  public ClusterConfig toConfig() {
    if (nodeId == null || members == null || members.isEmpty() || dataDir == null || secret == null) {
      throw new IllegalArgumentException(
          "tern.cluster needs node-id, members, data-dir and secret; see docs/cluster.md");
    }
    return new ClusterConfig(nodeId, members.stream().map(ClusterConfig.Member::parse).toList(), Path.of(dataDir),
        secret, fsync, maxLogBytes);
  }
}
