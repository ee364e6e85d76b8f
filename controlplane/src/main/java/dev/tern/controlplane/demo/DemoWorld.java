package dev.tern.controlplane.demo;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.dns.EmbeddedDns;
import dev.tern.controlplane.security.ConsoleUsers;
import dev.tern.controlplane.security.Secrets;
import dev.tern.controlplane.server.TernServer;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.VantageView;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.ZoneAnswer;
import dev.tern.policy.yaml.ParsedPolicy;
import dev.tern.policy.yaml.PolicyParser;
import dev.tern.probe.agent.ProbeAgent;
import dev.tern.probe.agent.Reporter;
import dev.tern.probe.check.Checkers;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole demo on loopback, in this process: a three-node control plane, the service
 * {@code shop.tern.test} with a real HTTP backend in each of six regions, one real probe agent per
 * region checking from its own source address, and the embedded DNS server on every node.
 * {@code tern demo} runs one until Ctrl-C; the end-to-end tests start one on free ports.
 * {@link #close()} stops all of it and deletes its files.
 */
public final class DemoWorld implements AutoCloseable {

  /** The demo service's name in the API. */
  public static final String SERVICE = "shop";
  /** The name clients resolve. */
  public static final String HOSTNAME = "shop.tern.test";
  /** The zone the embedded DNS server is authoritative for. */
  public static final String DNS_ZONE = "tern.test";
  /** Client networks and the client zone each stands for, as the DNS server's CIDR table. */
  public static final Map<String, String> CLIENT_SUBNETS = orderedMap(
      "10.10.0.0/16", "EU", "10.20.0.0/16", "north-america", "10.30.0.0/16", "asia");
  /** How often the leader decides: short, so failover shows within seconds. */
  public static final Duration DECISION_INTERVAL = Duration.ofMillis(250);
  static final int NODES = 3;
  static final String ACTOR = "tern-demo";

  private static final Logger LOG = LoggerFactory.getLogger(DemoWorld.class);
  private static final String POLICY_RESOURCE = "/demo/shop.yaml";
  private static final String CONSOLE_USER = "demo";
  /** A console user who may only look, to show what the console hides from a viewer. */
  private static final String VIEWER_USER = "demo-viewer";

  /**
   * Where the demo listens.
   *
   * @param apiPort node 1's HTTP port (API and console); 0 picks a free one
   * @param dnsPort node 1's DNS port, UDP and TCP; 0 picks a free one. Nodes 2 and 3 always use
   *     free ports, so that DNS keeps answering from a surviving node when one dies
   */
  public record Options(int apiPort, int dnsPort, Map<String, Object> extraProperties) {
    public Options {
      if (apiPort < 0 || apiPort > 65535 || dnsPort < 0 || dnsPort > 65535) {
        throw new IllegalArgumentException("ports are 0..65535 (0 picks a free port)");
      }
      extraProperties = Map.copyOf(extraProperties);
    }

    public Options(int apiPort, int dnsPort) {
      this(apiPort, dnsPort, Map.of());
    }

    /** Everything on free ports: for tests. */
    public static Options freePorts() {
      return new Options(0, 0);
    }

    /** These options, with more configuration for every node (e.g. {@code tern.alerting.routes}). */
    public Options with(Map<String, Object> properties) {
      Map<String, Object> all = new LinkedHashMap<>(extraProperties);
      all.putAll(properties);
      return new Options(apiPort, dnsPort, all);
    }
  }

  /** The credentials generated for this run; nothing of them outlives it. */
  public record Credentials(String adminToken, String operatorToken, String viewerToken, String consoleUser,
      String consolePassword, String viewerUser, String viewerPassword) {
    @Override
    public String toString() {
      return "Credentials[consoleUser=" + consoleUser + ", viewerUser=" + viewerUser + "]";
    }
  }

  private final Path dir;
  private final Credentials credentials;
  private final DemoRegions regions;
  private final TernServer[] nodes = new TernServer[NODES];
  /** Each node's configuration, kept to start a crashed node again as it was. */
  private final List<Map<String, Object>> nodeProperties = new ArrayList<>();
  private final DemoNodes demoNodes = new DemoNodes() {
    @Override
    public boolean crash(String nodeId) {
      for (int i = 0; i < NODES; i++) {
        if (nodeId(i).equals(nodeId) && nodes[i] != null) {
          int index = i;
          Thread.ofPlatform().name("demo-crash-" + nodeId).start(() -> kill(index));
          return true;
        }
      }
      return false;
    }

    @Override
    public int restartCrashed() {
      return DemoWorld.this.restartCrashed();
    }
  };
  private final List<ProbeAgent> agents = new ArrayList<>();
  private final List<Checkers> checkers = new ArrayList<>();
  private final Map<Integer, Integer> dnsPorts = new LinkedHashMap<>();
  private final Path operatorTokenFile;
  private final Path adminTokenFile;
  private final Instant startedAt = Instant.now();
  private Instant measuredAt;

  private DemoWorld(Path dir, Credentials credentials, DemoRegions regions) throws IOException {
    this.dir = dir;
    this.credentials = credentials;
    this.regions = regions;
    this.operatorTokenFile = privateFile(dir.resolve("operator.token"), credentials.operatorToken());
    this.adminTokenFile = privateFile(dir.resolve("admin.token"), credentials.adminToken());
  }

  /**
   * Starts the world and applies the demo service; returns once every node serves HTTP and the
   * probe agents run. {@link #awaitReady(Duration)} waits for the first plan built on real
   * measurements.
   *
   * @throws IOException when a port or the temporary directory cannot be had; nothing is left running
   */
  public static DemoWorld start(Options options) throws IOException {
    // Raft ports must be known before any node starts, so they are picked free and bound later;
    // another process can take one in between. Such a start is torn down whole and tried again.
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(options);
      } catch (IOException | RuntimeException e) {
        if (attempt == START_ATTEMPTS || !portTaken(e)) {
          throw e;
        }
        LOG.warn("a port picked for the demo was taken before it was bound ({}); starting again", rootMessage(e));
      }
    }
  }

  private static final int START_ATTEMPTS = 3;

  private static boolean portTaken(Throwable e) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof java.net.BindException
          || (c.getMessage() != null && c.getMessage().contains("Address already in use"))) {
        return true;
      }
    }
    return false;
  }

  private static String rootMessage(Throwable e) {
    Throwable c = e;
    while (c.getCause() != null) {
      c = c.getCause();
    }
    return String.valueOf(c.getMessage());
  }

  private static DemoWorld startOnce(Options options) throws IOException {
    Path dir = Files.createTempDirectory("tern-demo-");
    DemoRegions regions;
    try {
      regions = DemoRegions.start();
    } catch (UncheckedIOException e) {
      deleteTree(dir);
      throw e.getCause();
    }
    DemoWorld world = null;
    try {
      world = new DemoWorld(dir, newCredentials(), regions);
      world.startNodes(options);
      world.applyPolicy();
      world.startAgents();
      return world;
    } catch (IOException | RuntimeException | Error e) {
      // Whatever failed, nothing of the world may stay behind listening.
      if (world != null) {
        world.close();
      } else {
        regions.close();
        deleteTree(dir);
      }
      throw e;
    }
  }

  /** The demo policy with its health checks on {@code port}, checked by the policy parser. */
  public static String policy(int port) {
    String yaml;
    try (InputStream in = DemoWorld.class.getResourceAsStream(POLICY_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(POLICY_RESOURCE + " is missing from the jar; rebuild it");
      }
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND_PORT", Integer.toString(port));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ParsedPolicy parsed = new PolicyParser().parse(yaml);
    if (!parsed.isValid()) {
      throw new IllegalStateException("the bundled demo policy is invalid: "
          + String.join("; ", parsed.violations().stream().map(v -> v.format(POLICY_RESOURCE)).toList()));
    }
    return yaml;
  }

  private static Credentials newCredentials() {
    return new Credentials(Secrets.randomToken(), Secrets.randomToken(), Secrets.randomToken(), CONSOLE_USER,
        Secrets.randomToken().substring(0, 16), VIEWER_USER, Secrets.randomToken().substring(0, 16));
  }

  private void startNodes(Options options) throws IOException {
    List<String> members = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      members.add(nodeId(i) + "@127.0.0.1:" + freePort());
    }
    String secret = Secrets.randomToken();
    List<Map<String, Object>> tokens = List.of(
        token("demo-admin", "admin", credentials.adminToken()),
        token("demo-operator", "operator", credentials.operatorToken()),
        token("demo-viewer", "viewer", credentials.viewerToken()));
    List<Map<String, Object>> users = List.of(
        orderedMap("username", credentials.consoleUser(), "role", "admin",
            "bcrypt", ConsoleUsers.hash(credentials.consolePassword(), 10)),
        orderedMap("username", credentials.viewerUser(), "role", "viewer",
            "bcrypt", ConsoleUsers.hash(credentials.viewerPassword(), 10)));
    for (int i = 0; i < NODES; i++) {
      int apiPort = i == 0 && options.apiPort() != 0 ? options.apiPort() : freePort();
      int dnsPort = i == 0 ? options.dnsPort() : 0;
      Map<String, Object> p = new LinkedHashMap<>();
      p.put("micronaut.server.host", "127.0.0.1");
      p.put("micronaut.server.port", apiPort);
      p.put("tern.cluster.node-id", nodeId(i));
      p.put("tern.cluster.members", members);
      p.put("tern.cluster.data-dir", dir.resolve(nodeId(i)).toString());
      p.put("tern.cluster.secret", secret);
      p.put("tern.decision.interval", DECISION_INTERVAL.toMillis() + "ms");
      p.put("tern.security.tokens", tokens);
      p.put("tern.security.users", users);
      p.put("tern.demo.enabled", true);
      p.put("tern.dns.enabled", true);
      p.put("tern.dns.host", "127.0.0.1");
      p.put("tern.dns.port", dnsPort);
      p.put("tern.dns.zones", List.of(DNS_ZONE));
      // One key per network, as a YAML file gives them: a map value would not be read as one.
      CLIENT_SUBNETS.forEach((cidr, zone) -> p.put("tern.dns.client-subnets." + cidr, zone));
      p.put("tern.dns.udp-workers", 1);
      // Its only clients are on this machine, where amplification cannot hurt anyone; tests and
      // watch loops ask many times a second.
      p.put("tern.dns.rate-limit.responses-per-second", 0);
      p.putAll(options.extraProperties());
      nodeProperties.add(p);
      nodes[i] = TernServer.start(p, List.of(regions, demoNodes));
      int node = i;
      dnsPorts.put(i, nodes[i].context().getBean(EmbeddedDns.class).port()
          .orElseThrow(() -> new IllegalStateException("node " + (node + 1) + " could not listen for DNS on 127.0.0.1:"
              + dnsPort + " (UDP and TCP); is another DNS server there?")));
    }
  }

  private void applyPolicy() {
    String yaml = policy(regions.port());
    Duration timeout = Duration.ofSeconds(20);
    Instant deadline = Instant.now().plus(timeout);
    while (true) {
      try {
        ApplyResult result = raft(0).submit(new Command.PutService(ACTOR, Instant.now().truncatedTo(ChronoUnit.MILLIS),
            "the demo service", SERVICE, yaml), Duration.ofSeconds(5)).join();
        if (result instanceof ApplyResult.Rejected r) {
          throw new IllegalStateException("the cluster refused the demo policy: " + r.reason());
        }
        return;
      } catch (CompletionException notYet) {
        // No leader elected yet: the first election takes a moment.
        if (Instant.now().isAfter(deadline)) {
          throw new IllegalStateException("the demo cluster elected no leader within " + timeout.toSeconds() + " s",
              notYet.getCause());
        }
        sleep(100);
      }
    }
  }

  private void startAgents() throws IOException {
    List<URI> planes = Stream.of(nodes).map(TernServer::uri).toList();
    // Small batches sent quickly: an outage must reach the leader well within the demo's 3 s.
    Reporter.Settings reporting = new Reporter.Settings(1000, Duration.ofMillis(200), 10_000, Duration.ofMillis(200),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1));
    for (Region region : regions.regions()) {
      ProbeAgent.Settings settings = new ProbeAgent.Settings(region, planes, credentials.operatorToken(),
          new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(30), reporting);
      Checkers c = new Checkers(Optional.of(regions.probeSource(region)));
      checkers.add(c);
      agents.add(new ProbeAgent(settings, c, Clock.systemUTC(), new SplittableRandom()));
    }
  }

  /**
   * Waits until every backend is healthy and every client zone is answered from measured
   * latencies; returns how long the world took from its start.
   *
   * @throws TimeoutException when that did not happen in time
   */
  public Duration awaitReady(Duration timeout) throws TimeoutException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (!isReady()) {
      if (Instant.now().isAfter(deadline)) {
        throw new TimeoutException("the demo was not ready within " + timeout.toSeconds() + " s");
      }
      Thread.sleep(50);
    }
    return Duration.between(startedAt, Instant.now());
  }

  /**
   * Whether the world is ready: every vantage point has measured every backend up and the leader
   * has decided twice since, so the plan rests on the whole latency matrix rather than on the
   * first reports.
   */
  public boolean isReady() {
    Optional<TernServer> node = anyLiveNode();
    Optional<ServiceState> s = node.flatMap(n -> raftOf(n).state().service(SERVICE));
    if (s.isEmpty() || s.get().plan().isEmpty()) {
      return false;
    }
    HealthBook book = node.get().context().getBean(HealthBook.class);
    boolean measured = s.get().model().backends().stream().allMatch(b -> {
      Command.VerdictRecord v = s.get().verdicts().get(b.name());
      return v != null && v.health() == Health.HEALTHY && book.backend(SERVICE, b.name())
          .map(h -> h.views().keySet().containsAll(regions.regions())
              && h.views().values().stream().allMatch(view -> view.opinion() == VantageView.Opinion.UP && view.hasLatency()))
          .orElse(false);
    });
    if (!measured) {
      measuredAt = null;
      return false;
    }
    Instant now = Instant.now();
    if (measuredAt == null) {
      measuredAt = now;
    }
    RoutingPlan plan = s.get().plan().get();
    return now.isAfter(measuredAt.plus(DECISION_INTERVAL.multipliedBy(2))) && plan.zones().stream()
        .allMatch(z -> z.mode() == ZoneAnswer.Mode.NORMAL && z.answers().size() == 1);
  }

  public Credentials credentials() {
    return credentials;
  }

  public DemoRegions regions() {
    return regions;
  }

  /** A file (mode 0600) holding the operator token, for {@code tern demo region} and curl. */
  public Path operatorTokenFile() {
    return operatorTokenFile;
  }

  /** A file (mode 0600) holding the admin token. */
  public Path adminTokenFile() {
    return adminTokenFile;
  }

  /** The node at {@code index} (0-based), unless it was killed. */
  public Optional<TernServer> node(int index) {
    return Optional.ofNullable(nodes[index]);
  }

  /** Base URLs of the nodes still running, node 1 first. */
  public List<URI> urls() {
    return Stream.of(nodes).filter(n -> n != null).map(TernServer::uri).toList();
  }

  /** The port the node at {@code index} answers DNS on, UDP and TCP (also after it was killed). */
  public int dnsPort(int index) {
    return dnsPorts.get(index);
  }

  /** The index of the node that leads now, if one does. */
  public Optional<Integer> leader() {
    for (int i = 0; i < NODES; i++) {
      if (nodes[i] != null && raftOf(nodes[i]).isLeader()) {
        return Optional.of(i);
      }
    }
    return Optional.empty();
  }

  /** Crashes a node without a goodbye to its peers, then stops its server: for fault tests. */
  public synchronized void kill(int index) {
    TernServer n = nodes[index];
    if (n == null) {
      return;
    }
    nodes[index] = null;
    raftOf(n).crash();
    n.close();
  }

  /**
   * Starts every crashed node again on its data directory, Raft address and API port; it catches
   * up from its peers. Returns how many were started.
   */
  public synchronized int restartCrashed() {
    int started = 0;
    for (int i = 0; i < NODES; i++) {
      if (nodes[i] == null && i < nodeProperties.size()) {
        nodes[i] = TernServer.start(nodeProperties.get(i), List.of(regions, demoNodes));
        int index = i;
        nodes[i].context().getBean(EmbeddedDns.class).port().ifPresent(port -> dnsPorts.put(index, port));
        started++;
      }
    }
    return started;
  }

  /** Whether every node of the demo is running. */
  public boolean allNodesRunning() {
    return Stream.of(nodes).allMatch(n -> n != null);
  }

  /** The committed state of the demo service as a running node sees it. */
  public Optional<ServiceState> service() {
    return anyLiveNode().flatMap(n -> raftOf(n).state().service(SERVICE));
  }

  private Optional<TernServer> anyLiveNode() {
    return Stream.of(nodes).filter(n -> n != null).findFirst();
  }

  private RaftNode raft(int index) {
    return raftOf(nodes[index]);
  }

  private static RaftNode raftOf(TernServer server) {
    return server.context().getBean(RaftNode.class);
  }

  /** Stops the probe agents, the nodes and the backends, then deletes the demo's files. */
  @Override
  public void close() {
    for (ProbeAgent a : agents) {
      try {
        a.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    agents.clear();
    checkers.forEach(Checkers::close);
    checkers.clear();
    for (int i = 0; i < NODES; i++) {
      if (nodes[i] != null) {
        try {
          nodes[i].close();
        } catch (RuntimeException e) {
          LOG.warn("node {} did not stop cleanly", nodeId(i), e);
        }
        nodes[i] = null;
      }
    }
    regions.close();
    deleteTree(dir);
  }

  static String nodeId(int index) {
    return "n" + (index + 1);
  }

  private static Map<String, Object> token(String name, String role, String token) {
    return orderedMap("name", name, "role", role, "sha256", Secrets.sha256Hex(token));
  }

  @SuppressWarnings("unchecked")
  private static <V> Map<String, V> orderedMap(Object... keyValues) {
    Map<String, V> map = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      map.put((String) keyValues[i], (V) keyValues[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(map);
  }

  private static Path privateFile(Path file, String content) throws IOException {
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(file, content + "\n", StandardCharsets.UTF_8);
    return file;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting the demo", e);
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("could not delete the demo's files under {}", root, e);
    }
  }
}
