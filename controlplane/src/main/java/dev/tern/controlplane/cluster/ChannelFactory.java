package dev.tern.controlplane.cluster;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jgroups.JChannel;
import org.jgroups.protocols.AUTH;
import org.jgroups.protocols.FD_ALL3;
import org.jgroups.protocols.FD_SOCK2;
import org.jgroups.protocols.FRAG4;
import org.jgroups.protocols.MERGE3;
import org.jgroups.protocols.SYM_ENCRYPT;
import org.jgroups.protocols.TCP;
import org.jgroups.protocols.TCPPING;
import org.jgroups.protocols.UNICAST3;
import org.jgroups.protocols.VERIFY_SUSPECT2;
import org.jgroups.protocols.pbcast.GMS;
import org.jgroups.protocols.pbcast.NAKACK2;
import org.jgroups.protocols.pbcast.STABLE;
import org.jgroups.protocols.raft.ELECTION;
import org.jgroups.protocols.raft.NO_DUPES;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.REDIRECT;
import org.jgroups.stack.Protocol;

/**
 * Builds a node's JGroups stack: TCP with {@code TCP_NODELAY} on the member's own address and port
 * (outgoing connections bound to that address too),
 * discovery from the static member list, failure detection tuned for a small cluster on a fast
 * network, AES encryption (SYM_ENCRYPT, CBC with a random IV per message) and AUTH keyed by the
 * cluster secret, and Raft with leader redirection on top. The channel connects to the cluster
 * {@link #clusterName} names after the secret.
 *
 * <p>SYM_ENCRYPT enciphers message payloads (the Raft log entries, snapshots and forwarded commands
 * that carry the replicated state); the headers of the protocols below and beside it (discovery,
 * failure detection, Raft's terms and indexes) travel in the clear, and nothing authenticates a
 * message once a member has joined. Run the cluster on a private network.
 *
 * <table>
 *   <caption>Timing (defaults; {@link ClusterConfig.Timing} sets all but the last row)</caption>
 *   <tr><th>what</th><th>setting</th><th>key</th><th>effect</th></tr>
 *   <tr><td>crashed member (sockets closed)</td><td>FD_SOCK2 + VERIFY_SUSPECT2 500 ms</td>
 *       <td>{@code tern.cluster.timing.suspect-verify}</td>
 *       <td>leader re-elected in about 0.6 s</td></tr>
 *   <tr><td>hung member (sockets open)</td><td>FD_ALL3 interval 1 s, timeout 4 s</td>
 *       <td>{@code tern.cluster.timing.heartbeat-interval}, {@code tern.cluster.timing.failure-timeout}</td>
 *       <td>suspected after about 4 s</td></tr>
 *   <tr><td>voting round</td><td>ELECTION vote_timeout 600 ms</td>
 *       <td>{@code tern.cluster.timing.vote-timeout}</td>
 *       <td>a candidate without a majority of votes tries again after 0.6 s</td></tr>
 *   <tr><td>follower behind the new leader</td><td>RAFT resend_interval 100 ms</td>
 *       <td>{@code tern.cluster.timing.resend-interval}</td>
 *       <td>first commit of a new term within about 0.1 s of the election</td></tr>
 *   <tr><td>joining, healing a split</td><td>GMS join timeout 1 s, MERGE3 every 1 to 3 s</td>
 *       <td>none</td>
 *       <td>a member joins or a split heals within a few seconds</td></tr>
 * </table>
 */
public final class ChannelFactory {

  /** How SYM_ENCRYPT enciphers each message's payload; every member must use the same. */
  static final String CIPHER = "AES/CBC/PKCS5Padding";
  static final int IV_BYTES = 16;

  private ChannelFactory() {}

  public static JChannel create(ClusterConfig config) throws Exception {
    return new JChannel(protocols(config)).name(config.nodeId());
  }

  /**
   * The JGroups cluster a node connects to, named after its cluster secret: {@code tern-} and 16 hex
   * digits of a key derived from the secret. Discovery answers only requests for its own cluster and
   * the transport drops messages addressed to another, so nodes holding different secrets never
   * learn of each other: while the secret is rotated, a restarted node finds only the nodes that
   * already hold the new secret and joins them at once, instead of sending join requests to a
   * coordinator that cannot read them until the attempts run out. The name travels in the clear; it
   * tells an eavesdropper no more than the key digest every SYM_ENCRYPT header already carries.
   */
  public static String clusterName(ClusterConfig config) {
    return "tern-" + HexFormat.of().formatHex(derive(config.secret(), "tern-cluster-name"), 0, 8);
  }

  static List<Protocol> protocols(ClusterConfig config) throws Exception {
    ClusterConfig.Member self = config.self();
    Files.createDirectories(config.dataDir());
    List<InetSocketAddress> hosts =
        config.members().stream().map(m -> new InetSocketAddress(m.host(), m.port())).toList();

    InetAddress bind = InetAddress.getByName(self.host());
    int port = self.port() != 0 ? self.port() : freePort(bind);
    TCP tcp = new TCP();
    tcp.setBindAddress(bind);
    tcp.setBindPort(port);
    tcp.setPortRange(0);
    // Connections to the other members leave from the member's own address too, not from whatever
    // the kernel picks (127.0.0.1 for every loopback member): a firewall or traffic-control rule
    // written for a member's address then covers both directions of its traffic.
    tcp.setClientBindAddr(bind);
    tcp.tcpNodelay(true);

    TCPPING discovery = new TCPPING();
    discovery.initialHosts(hosts.stream().map(h -> h.getPort() == 0 ? new InetSocketAddress(bind, port) : h).toList());
    discovery.portRange(0);

    SYM_ENCRYPT encrypt = new SYM_ENCRYPT();
    encrypt.setSecretKey(new SecretKeySpec(derive(config.secret(), "tern-cluster-encryption"), "AES"));
    // JGroups' default, plain "AES", is ECB: the same plaintext always gives the same ciphertext,
    // and repeated blocks show through. CBC with a fresh random IV per message does not.
    encrypt.symAlgorithm(CIPHER).symIvLength(IV_BYTES);

    AUTH auth = new AUTH();
    SharedSecretToken token = new SharedSecretToken(config.secret());
    auth.setAuthToken(token);
    token.setAuth(auth);

    RAFT raft = new CheckedRaft();
    raft.members(config.members().stream().map(ClusterConfig.Member::id).toList());
    raft.raftId(config.nodeId());
    raft.logClass(SnapshotSafeFileLog.class.getName());
    raft.logDir(config.dataDir().toString());
    raft.logPrefix("tern-" + config.nodeId());
    raft.logUseFsync(config.fsync());
    raft.maxLogSize(config.maxLogBytes());
    ClusterConfig.Timing timing = config.timing();
    raft.resendInterval(timing.resendInterval().toMillis());

    return List.of(
        tcp,
        discovery,
        new MERGE3().setMinInterval(1_000).setMaxInterval(3_000),
        // Its failure-detection socket listens where the node does, not on every interface.
        new FD_SOCK2().setBindAddress(bind),
        new FD_ALL3().setInterval(timing.heartbeatInterval().toMillis()).setTimeout(timing.failureTimeout().toMillis()),
        new VERIFY_SUSPECT2().setTimeout(timing.suspectVerify().toMillis()),
        encrypt,
        new NAKACK2(),
        new UNICAST3(),
        new STABLE(),
        new NO_DUPES(),
        auth,
        // The view is logged; no banner on standard output, where `tern demo` talks to the user.
        new GMS().setJoinTimeout(1_000).printLocalAddress(false),
        new FRAG4(),
        new ELECTION().voteTimeout(timing.voteTimeout().toMillis()),
        raft,
        new REDIRECT());
  }

  /** Any free port, for the single-node mode's port 0 (JGroups' static discovery needs a real one). */
  private static int freePort(InetAddress bind) throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, bind)) {
      return s.getLocalPort();
    }
  }

  /** A 256-bit key for one purpose, derived from the cluster secret (HKDF-SHA256, one block). */
  static byte[] derive(String secret, String purpose) {
    try {
      Mac extract = Mac.getInstance("HmacSHA256");
      extract.init(new SecretKeySpec("tern-cluster-v1".getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      byte[] prk = extract.doFinal(secret.getBytes(StandardCharsets.UTF_8));
      Mac expand = Mac.getInstance("HmacSHA256");
      expand.init(new SecretKeySpec(prk, "HmacSHA256"));
      expand.update(purpose.getBytes(StandardCharsets.UTF_8));
      expand.update((byte) 1);
      return expand.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
