package dev.tern.controlplane.bench;

import dev.tern.controlplane.cluster.ClusterConfig;
import dev.tern.controlplane.cluster.ClusterConfig.Member;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.decision.DecisionLoop;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.state.Command;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Time from a leader crash to the next committed decision: three nodes, each with its health book
 * and decision loop (100 ms interval) and probes reporting every 100 ms from three vantages. At the
 * crash, the backend that is answering starts failing; the clock stops when a survivor serves the
 * failover plan. That span holds the election, one probe round, a verdict commit and a plan commit.
 *
 * <p>{@code ./mvnw -B -q -pl controlplane -am -Pbench-failover test-compile [-Dbench.rounds=N]}
 */
public final class LeaderCrashDecisionBenchmark {

  static final String YAML = """
      kind: Service
      name: shop
      hostname: shop.gslb.example.com
      routing:
        method: failover
      backends:
        - {name: fra, cloud: aws, region: eu-central-1, jurisdiction: EU, address: 192.0.2.10, priority: 1}
        - {name: ams, cloud: azure, region: westeurope, jurisdiction: EU, address: 192.0.2.20, priority: 2}
      health: {failAfter: 1, recoverAfter: 1, quorum: 2, staleAfter: 30s, failbackDelay: 0s}
      guardrails: {maxPlanChangesPerMinute: 600}
      """;
  static final List<Region> VANTAGES = List.of("aws:us-east-1", "gcp:europe-west1", "azure:japaneast").stream()
      .map(k -> Region.parse(k).orElseThrow()).toList();

  record Node(RaftNode raft, HealthBook book, DecisionLoop loop) {}

  private final List<Member> members = new ArrayList<>();
  private final Node[] nodes = new Node[3];
  private final Path dir;
  private final AtomicReference<String> failing = new AtomicReference<>("");

  LeaderCrashDecisionBenchmark(Path dir) throws IOException {
    this.dir = dir;
    for (int i = 1; i <= 3; i++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        members.add(new Member("n" + i, "127.0.0.1", s.getLocalPort()));
      }
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = Integer.parseInt(System.getProperty("rounds", args.length > 0 ? args[0] : "30"));
    Path dir = Files.createTempDirectory("tern-bench-failover-");
    LeaderCrashDecisionBenchmark bench = new LeaderCrashDecisionBenchmark(dir);
    List<Long> millis = bench.run(rounds);
    List<Long> sorted = millis.stream().sorted().toList();
    System.out.printf("%nLeader crash to next committed decision, %d rounds, 3 nodes on 127.0.0.1, decision interval 100 ms,"
        + " probe rounds every 100 ms%n", rounds);
    System.out.printf("p50 %d ms, p90 %d ms, p99 %d ms, max %d ms%n", pct(sorted, 0.50), pct(sorted, 0.90),
        pct(sorted, 0.99), sorted.getLast());
  }

  static long pct(List<Long> sorted, double p) {
    return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
  }

  private Node start(int i) throws Exception {
    RaftNode raft = new RaftNode(new ClusterConfig(members.get(i).id(), members, dir.resolve(members.get(i).id()),
        "failover-benchmark-secret-0123456789", false, ClusterConfig.DEFAULT_MAX_LOG_BYTES)).start();
    HealthBook book = new HealthBook(raft.state());
    DecisionLoop loop = new DecisionLoop(raft, book, Clock.systemUTC(), Duration.ofSeconds(5)).start(Duration.ofMillis(100));
    nodes[i] = new Node(raft, book, loop);
    return nodes[i];
  }

  List<Long> run(int rounds) throws Exception {
    for (int i = 0; i < 3; i++) {
      start(i);
    }
    Thread probes = Thread.ofPlatform().daemon().name("probes").start(this::probe);
    List<Long> out = new ArrayList<>();
    try {
      await(() -> leader().isPresent());
      leader().get().raft().submit(new Command.PutService("bench", Instant.now(), "bench", "shop", YAML), Duration.ofSeconds(5)).join();
      for (int r = 0; r < rounds; r++) {
        failing.set("");
        await(() -> everywhere("fra"));
        int old = index(leader().orElseThrow());
        long crashed = System.nanoTime();
        nodes[old].loop().close();
        nodes[old].raft().crash();
        nodes[old] = null;
        failing.set("fra");
        await(() -> leader().isPresent());
        long elected = (System.nanoTime() - crashed) / 1_000_000;
        await(() -> verdictAnywhere("fra", "UNHEALTHY"));
        long verdict = (System.nanoTime() - crashed) / 1_000_000;
        await(() -> anywhere("ams"));
        out.add((System.nanoTime() - crashed) / 1_000_000);
        System.out.printf("  leader after %d ms, verdict committed after %d ms%n", elected, verdict);
        failing.set("");
        await(() -> everywhere("fra"));
        start(old);
        await(() -> java.util.Arrays.stream(nodes).allMatch(n -> n.raft().connected().size() == 3));
        System.out.printf("round %d: %d ms%n", r + 1, out.getLast());
      }
    } finally {
      probes.interrupt();
      for (Node n : nodes) {
        if (n != null) {
          n.loop().close();
          n.raft().close();
        }
      }
    }
    return out;
  }

  /** Every 100 ms, every vantage reports on both backends to every live node. */
  private void probe() {
    while (!Thread.currentThread().isInterrupted()) {
      Instant now = Instant.now();
      List<ProbeObservation> batch = new ArrayList<>();
      for (Region v : VANTAGES) {
        for (String b : List.of("fra", "ams")) {
          batch.add(b.equals(failing.get())
              ? ProbeObservation.failed(v, "shop", b, now, "connect timed out")
              : ProbeObservation.ok(v, "shop", b, now, Duration.ofMillis(10)));
        }
      }
      for (Node n : nodes) {
        if (n != null) {
          n.book().ingest(batch);
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private Optional<Node> leader() {
    for (Node n : nodes) {
      if (n != null && n.raft().isLeader()) {
        return Optional.of(n);
      }
    }
    return Optional.empty();
  }

  private int index(Node node) {
    for (int i = 0; i < 3; i++) {
      if (nodes[i] == node) {
        return i;
      }
    }
    throw new IllegalStateException();
  }

  private static String answer(Node n) {
    return n.raft().state().service("shop").flatMap(s -> s.plan())
        .map(p -> p.answerFor(ClientZone.DEFAULT).answers().getFirst().backend()).orElse("");
  }

  private boolean anywhere(String backend) {
    for (Node n : nodes) {
      if (n != null && answer(n).equals(backend)) {
        return true;
      }
    }
    return false;
  }

  private boolean verdictAnywhere(String backend, String health) {
    for (Node n : nodes) {
      if (n != null && n.raft().state().service("shop")
          .map(s -> s.verdicts().get(backend)).map(v -> v.health().name().equals(health)).orElse(false)) {
        return true;
      }
    }
    return false;
  }

  private boolean everywhere(String backend) {
    for (Node n : nodes) {
      if (n != null && !answer(n).equals(backend)) {
        return false;
      }
    }
    return true;
  }

  private static void await(BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("condition not reached within 30 s");
      }
      Thread.sleep(5);
    }
  }
}
