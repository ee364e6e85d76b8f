package dev.tern.controlplane.bench;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.maintenance.StatusResponse;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The etcd 3.4 baseline: a fresh three-member cluster on 127.0.0.1, and sequential v3 PUTs sent
 * over etcd's native gRPC API (jetcd) straight to the leader.
 *
 * <p>Each commit writes one of {@value #KEYS} keys in turn, as a decision loop writes the current
 * plan of one service after another, so the key space stays the size of a fleet rather than growing
 * with the run. etcd still keeps every revision (no compaction during the run), as it would in
 * production between compactions.
 */
public final class EtcdCommitLatency implements CommitTarget {

  private static final int KEYS = 1024;
  private static final long TIMEOUT_SECONDS = 10;

  private final Path script;
  private final Path dataRoot;
  private final boolean fsync;
  private final ByteSequence[] keys = new ByteSequence[KEYS];
  private Path dir;
  private EtcdCluster cluster;
  private Client client;
  private KV kv;
  private URI leader;
  private long leaderId;
  private int next;

  /**
   * @param script etcd-cluster.sh
   * @param dataRoot where the cluster's fresh data directory is created (and removed after)
   * @param fsync false runs etcd with {@code --unsafe-no-fsync}, like Tern's default log
   */
  public EtcdCommitLatency(Path script, Path dataRoot, boolean fsync) {
    this.script = script;
    this.dataRoot = dataRoot;
    this.fsync = fsync;
    for (int i = 0; i < KEYS; i++) {
      keys[i] = ByteSequence.from("/tern/bench/plans/service-" + i, StandardCharsets.UTF_8);
    }
  }

  @Override
  public String name() {
    return fsync ? "etcd 3.4, fsync" : "etcd 3.4, no fsync";
  }

  @Override
  public void start() throws Exception {
    dir = Files.createTempDirectory(dataRoot, "tern-bench-etcd-");
    cluster = EtcdCluster.start(script, dir, fsync);
    leader = null;
    String version = "?";
    for (URI member : EtcdCluster.CLIENT_URLS) {
      try (Client probe = clientFor(member)) {
        StatusResponse status =
            probe.getMaintenanceClient()
                .statusMember(member.toString())
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        version = status.getVersion();
        if (status.getLeader() == status.getHeader().getMemberId()) {
          leader = member;
          leaderId = status.getLeader();
        }
      }
    }
    if (leader == null) {
      throw new IllegalStateException("no etcd member reports itself leader; see the logs in " + dir);
    }
    client = clientFor(leader);
    kv = client.getKVClient();
    System.out.printf(
        "%s: etcd %s, 3 members on 127.0.0.1, fsync %s, leader %s; client jetcd-core %s (native"
            + " gRPC, v3 API)%n",
        name(), version, fsync ? "on" : "off (--unsafe-no-fsync)", leader, jetcdVersion());
  }

  @Override
  public void commitOnce(byte[] payload) throws Exception {
    ByteSequence key = keys[next];
    next = (next + 1) % KEYS;
    kv.put(key, ByteSequence.from(payload)).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public void stop() {
    if (client != null) {
      warnIfLeaderMoved();
      client.close();
      client = null;
    }
    if (cluster != null) {
      cluster.close();
      cluster = null;
    }
    if (dir != null) {
      deleteTree(dir);
      dir = null;
    }
  }

  // A leader change during the run means some commits were forwarded or waited for an election:
  // the figures would not be the steady state they claim to be.
  private void warnIfLeaderMoved() {
    try {
      long now =
          client.getMaintenanceClient()
              .statusMember(leader.toString())
              .get(TIMEOUT_SECONDS, TimeUnit.SECONDS)
              .getLeader();
      if (now != leaderId) {
        System.out.printf("%s: warning: the leader changed during the run%n", name());
      }
    } catch (Exception e) {
      System.out.printf("%s: warning: could not check the leader after the run: %s%n", name(), e);
    }
  }

  private static Client clientFor(URI member) {
    return Client.builder().endpoints(member).build();
  }

  // jetcd's jar carries no version in its manifest; its file name on the class path does.
  private static String jetcdVersion() {
    try {
      String jar =
          Path.of(Client.class.getProtectionDomain().getCodeSource().getLocation().toURI())
              .getFileName()
              .toString();
      return jar.startsWith("jetcd-core-") && jar.endsWith(".jar")
          ? jar.substring("jetcd-core-".length(), jar.length() - ".jar".length())
          : jar;
    } catch (URISyntaxException | RuntimeException e) {
      return "(version unknown)";
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      System.err.println("etcd: could not remove " + root + ": " + e.getMessage());
    }
  }
}
