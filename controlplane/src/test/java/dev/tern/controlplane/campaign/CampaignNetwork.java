package dev.tern.controlplane.campaign;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace of the campaign's own, where the nodes' Raft traffic can be cut and slowed.
 *
 * <p>Node {@code i} talks Raft on {@code 127.0.0.(i+1)} on the namespace's loopback, so every packet between two
 * nodes crosses that one interface and carries both nodes' addresses (members connect from their own address). The
 * loopback's queueing discipline is an HTB with three classes: the default one, unlimited; one whose queue holds no
 * packet, where a cut pair's packets go and are dropped; and one of 128 kbit/s with an eight-packet queue, the flaky
 * link, which delays and drops under load. A u32 filter per direction sends a pair's packets to a class; a heal
 * removes every filter. (The kernels this runs on may have no netem, so loss and delay come from HTB.)
 *
 * <p>The test process stays outside and reaches each node's HTTP port over a veth pair: {@code 10.213.S.1} on the
 * outside, {@code 10.213.S.(i+2)} inside. Partitions do not touch that link, so clients keep writing to every node.
 * The namespace and the veth pair are deleted on {@link #close()}, or by a shutdown hook if the JVM exits first.
 */
final class CampaignNetwork implements AutoCloseable {

  private static final String DROP = "1:20";
  private static final String SLOW = "1:30";

  private final String name;
  private final String outside;
  private final int subnet;
  private final Thread cleanup;
  private boolean filtered;

  private CampaignNetwork(String name, String outside, int subnet) {
    this.name = name;
    this.outside = outside;
    this.subnet = subnet;
    this.cleanup = new Thread(this::delete, "campaign-network-cleanup");
  }

  /**
   * Creates the namespace, or says why it cannot: {@code ip netns} needs root (or CAP_NET_ADMIN) and a kernel with
   * network namespaces, HTB and u32.
   */
  static Optional<CampaignNetwork> create(int slots) {
    long pid = ProcessHandle.current().pid();
    int subnet = 16 + (int) (pid % 224);
    CampaignNetwork net = new CampaignNetwork("tern-camp-" + pid, "tcamp" + pid, subnet);
    try {
      net.delete(); // a namespace of the same name left by an earlier process with this pid
      Runtime.getRuntime().addShutdownHook(net.cleanup);
      net.ip("netns", "add", net.name);
      net.ip("-n", net.name, "link", "set", "lo", "up");
      net.ip("link", "add", net.outside, "type", "veth", "peer", "name", "tcamp-in", "netns", net.name);
      net.ip("addr", "add", "10.213." + subnet + ".1/24", "dev", net.outside);
      net.ip("link", "set", net.outside, "up");
      for (int i = 0; i < slots; i++) {
        net.ip("-n", net.name, "addr", "add", net.httpHost(i) + "/24", "dev", "tcamp-in");
      }
      net.ip("-n", net.name, "link", "set", "tcamp-in", "up");
      net.tc("qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "10");
      net.tc("class", "add", "dev", "lo", "parent", "1:", "classid", "1:10", "htb", "rate", "10gbit", "quantum",
          "200000");
      net.tc("class", "add", "dev", "lo", "parent", "1:", "classid", DROP, "htb", "rate", "10gbit", "quantum",
          "200000");
      net.tc("qdisc", "add", "dev", "lo", "parent", DROP, "handle", "20:", "pfifo", "limit", "0");
      net.tc("class", "add", "dev", "lo", "parent", "1:", "classid", SLOW, "htb", "rate", "128kbit", "ceil",
          "128kbit");
      net.tc("qdisc", "add", "dev", "lo", "parent", SLOW, "handle", "30:", "pfifo", "limit", "8");
      return Optional.of(net);
    } catch (IOException e) {
      System.out.println("fault campaign: no network namespace (" + e.getMessage() + "); partitions are left out");
      net.close();
      return Optional.empty();
    }
  }

  /** The command prefix that runs a program inside the namespace. */
  List<String> exec() {
    return List.of("ip", "netns", "exec", name);
  }

  /** Where node {@code i}'s Raft transport listens, inside the namespace. */
  String raftHost(int i) {
    return "127.0.0." + (i + 1);
  }

  /** The test process's address on the veth pair, which the nodes reach from inside. */
  String outsideHost() {
    return "10.213." + subnet + ".1";
  }

  /** Where node {@code i}'s HTTP server listens, reachable from outside. */
  String httpHost(int i) {
    return "10.213." + subnet + "." + (i + 2);
  }

  /** Drops every packet between nodes {@code a} and {@code b}, both ways. */
  void cut(int a, int b) throws IOException {
    route(a, b, DROP);
  }

  /** Sends the traffic between {@code a} and {@code b} through the slow class, both ways. */
  void slow(int a, int b) throws IOException {
    route(a, b, SLOW);
  }

  private void route(int a, int b, String flow) throws IOException {
    for (String[] pair : List.of(new String[] {raftHost(a), raftHost(b)}, new String[] {raftHost(b), raftHost(a)})) {
      tc("filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32", "match", "ip", "src",
          pair[0] + "/32", "match", "ip", "dst", pair[1] + "/32", "flowid", flow);
      filtered = true;
    }
  }

  /** Removes every cut and slow link. */
  void heal() throws IOException {
    if (filtered) {
      tc("filter", "del", "dev", "lo", "parent", "1:", "prio", "1");
      filtered = false;
    }
  }

  @Override
  public void close() {
    delete();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException | IllegalArgumentException e) {
      // shutting down already, or never added
    }
  }

  private void delete() {
    try {
      run(List.of("ip", "link", "del", outside));
    } catch (IOException e) {
      // not there
    }
    try {
      run(List.of("ip", "netns", "del", name));
    } catch (IOException e) {
      // not there
    }
  }

  private void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    run(command);
  }

  private void tc(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("tc", "-n", name));
    command.addAll(List.of(args));
    run(command);
  }

  private static void run(List<String> command) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(String.join(" ", command) + ": no answer within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + (out.isEmpty() ? "" : ": " + out));
    }
  }
}
