package dev.tern.controlplane.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tern.policy.geo.Region;
import dev.tern.probe.agent.ProbeAgent;
import dev.tern.probe.agent.Reporter;
import dev.tern.probe.check.Checkers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.IntStream;

/**
 * What the cluster does about a failing backend while the nemesis works. Service {@value #SERVICE} has a primary
 * {@code p} and a secondary {@code s}, two HTTP servers on loopback that two real probe agents (in this process, in
 * two regions, reporting to every node) check every second; a backend fails over when both see it fail. In a failover
 * round the primary starts failing as the fault is injected (its health endpoint answers 503, or a chaos run's
 * probe-fault outage makes the probes report it failing); the plan must move to {@code s} within {@link
 * #FAILOVER_WITHIN} and the on-call page reach the campaign's webhook receiver within {@link #PAGE_WITHIN}, counted
 * from the failure, or from the heal when the fault left no majority. Those are the SLOs of the leader-kill chaos
 * scenario ({@code docs/examples/chaos/leader-kill.yaml}).
 *
 * <p>Every page carries the node that sent it and the term it led ({@code X-Tern-Node}, {@code X-Tern-Term}); the
 * campaign checks each against the terms the cluster recorded.
 */
final class Effects implements AutoCloseable {

  static final String SERVICE = "f0";
  static final Duration FAILOVER_WITHIN = Duration.ofSeconds(10);
  static final Duration PAGE_WITHIN = Duration.ofSeconds(15);
  /** The vantage points of the campaign's two probe agents. */
  private static final List<String> PROBE_REGIONS = List.of("aws:eu-central-1", "azure:westeurope");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A page as the webhook receiver got it. */
  record Page(Instant received, String event, String service, String kind, String delivery, String node, long term,
      boolean signed) {}

  /** One failover round's timings; empty when it did not happen in time. */
  record Episode(int round, Instant failed, Instant from, Optional<Instant> moved, Optional<Instant> paged) {}

  private final CampaignCluster cluster;
  private final HttpServer primary;
  private final HttpServer secondary;
  /** Always healthy: the backends of the services the clients write to. */
  private final HttpServer steadyA;
  private final HttpServer steadyB;
  private final HttpServer receiver;
  private final String webhookSecret;
  private final List<Page> pages = Collections.synchronizedList(new ArrayList<>());
  private final Set<String> deliveries = ConcurrentHashMap.newKeySet();
  private final List<Episode> episodes = new ArrayList<>();
  private volatile boolean primaryFailing;
  /** A failover round is under way (the backend failing or a chaos run in). */
  private volatile boolean failing;
  private Optional<String> chaosRun = Optional.empty();
  private final List<String> chaosRefusals = new ArrayList<>();
  private int chaosRuns;
  /** When a member's committed plan first answered with the secondary alone, in this failover round. */
  private volatile Instant moved;
  private Thread watcher;
  private int skipped;
  private int duplicates;
  private final List<ProbeAgent> probes = new ArrayList<>();

  Effects(CampaignCluster cluster) throws IOException {
    this.cluster = cluster;
    this.primary = backend("127.0.2.1", () -> !primaryFailing);
    this.secondary = backend("127.0.2.2", () -> true);
    this.steadyA = backend("127.0.2.3", () -> true);
    this.steadyB = backend("127.0.2.4", () -> true);
    byte[] random = new byte[16];
    ThreadLocalRandom.current().nextBytes(random);
    this.webhookSecret = HexFormat.of().formatHex(random);
    // The nodes reach the receiver over the namespace's veth pair, or on loopback without one.
    String host = cluster.network().map(CampaignNetwork::outsideHost).orElse("127.0.0.1");
    this.receiver = HttpServer.create(new InetSocketAddress(InetAddress.getByName(host), 0), 16);
    receiver.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    receiver.createContext("/page", this::page);
    receiver.start();
    cluster.ternConfig("""
        alerting:
          routes:
            - name: campaign
              sink: webhook
              url: http://%s:%d/page
              secret: "%s"
              match:
                kinds: [failover]
        """.formatted(host, receiver.getAddress().getPort(), webhookSecret));
  }

  private static HttpServer backend(String address, java.util.function.BooleanSupplier healthy) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(address), 0), 16);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/healthz", exchange -> {
      boolean ok = healthy.getAsBoolean();
      byte[] body = (ok ? "ok" : "failing").getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(ok ? 200 : 503, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    return server;
  }

  /** The service's policy; created once the cluster has a leader. */
  String policy() {
    return """
        kind: Service
        name: %1$s
        hostname: %1$s.campaign.example.com
        ttl: 5
        routing:
          method: failover
        backends:
          - name: p
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 127.0.2.1
            priority: 1
            healthCheck: {kind: http, port: %2$d, path: /healthz, bodyContains: ok, interval: 1s, timeout: 800ms}
          - name: s
            cloud: aws
            region: eu-west-1
            jurisdiction: EU
            address: 127.0.2.2
            priority: 2
            healthCheck: {kind: http, port: %3$d, path: /healthz, bodyContains: ok, interval: 1s, timeout: 800ms}
        health:
          failAfter: 1
          recoverAfter: 2
          quorum: 2
          staleAfter: 5s
          failbackDelay: 2s
        guardrails:
          maxPlanChangesPerMinute: 60
        """.formatted(SERVICE, primary.getAddress().getPort(), secondary.getAddress().getPort());
  }

  /**
   * The policy of a service the clients write to: its register is backend {@code a}'s health-check path (each
   * write's own), and both backends are steady servers on loopback, so the probes check only loopback and never
   * see them fail.
   */
  String writerPolicy(String name, String checkPath) {
    return """
        kind: Service
        name: %1$s
        hostname: %1$s.campaign.example.com
        routing:
          method: failover
        backends:
          - name: a
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 127.0.2.3
            priority: 1
            healthCheck: {kind: http, port: %2$d, path: %3$s, interval: 5s, timeout: 1s}
          - name: b
            cloud: azure
            region: westeurope
            jurisdiction: EU
            address: 127.0.2.4
            priority: 2
            healthCheck: {kind: http, port: %4$d, path: /healthz, interval: 5s, timeout: 1s}
        """.formatted(name, steadyA.getAddress().getPort(), checkPath, steadyB.getAddress().getPort());
  }

  /** Starts two probe agents (two vantage points), reporting to every node slot (a stopped one's buffer waits). */
  void startProbes(long seed) throws IOException {
    List<URI> planes = IntStream.range(0, CampaignCluster.SLOTS).mapToObj(cluster::url).toList();
    Reporter.Settings reporting = new Reporter.Settings(1000, Duration.ofMillis(200), 10_000, Duration.ofMillis(200),
        Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(1));
    SplittableRandom random = new SplittableRandom(seed);
    for (String region : PROBE_REGIONS) {
      ProbeAgent.Settings settings = new ProbeAgent.Settings(Region.parse(region).orElseThrow(), planes,
          cluster.token(), new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(10), reporting);
      probes.add(new ProbeAgent(settings, new Checkers(Optional.empty()), Clock.systemUTC(), random.split()));
    }
  }

  /** How the primary fails in a failover round. */
  enum Failure {
    /** Its health endpoint answers 503. */
    BACKEND,
    /** A chaos run's {@code probe-fault} outage: the probes report it failing, the backend is left alone. */
    CHAOS
  }

  /**
   * Begins a failover round: the primary starts failing now, if the plan is on it and the previous failover's
   * incident is resolved (its failback or resolve may still be under way: waits up to 10 s for both). When it failed:
   * as the health endpoint turned, or as the chaos run was asked for; empty when the round is skipped, or the chaos
   * run was refused.
   */
  Optional<Instant> failPrimary(Failure how) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(10);
    Plan before = NO_PLAN;
    boolean over = false;
    while (!over) {
      if (Instant.now().isAfter(deadline)) {
        skipped++;
        return Optional.empty();
      }
      Optional<Integer> leader = cluster.awaitLeader(Duration.ofSeconds(5));
      before = leader.map(this::plan).orElse(NO_PLAN);
      // Over once the plan is back on the primary and the incident resolved: a failure while it is still open
      // updates it and pages no one again (docs/alerting.md), so the round would wait for a page that is not owed.
      over = Set.of("p").equals(before.answering()) && leader.map(l -> !failoverOpen(l)).orElse(false);
      if (!over) {
        Thread.sleep(200);
      }
    }
    // Only a plan newer than this one is the failover: a member that lags may still hold an older plan on s.
    long base = before.version();
    moved = null;
    Instant failed = Instant.now();
    if (how == Failure.CHAOS) {
      chaosRun = startChaosRun();
      if (chaosRun.isEmpty()) {
        return Optional.empty();
      }
    } else {
      primaryFailing = true;
    }
    failing = true;
    // Watches from now on, while the nemesis works: the move may come while the fault is still in.
    watcher = Thread.ofVirtual().name("campaign-failover-watch").start(() -> {
      while (failing && moved == null) {
        for (int i : cluster.members()) {
          Plan now = plan(i);
          if (moved == null && now.version() > base && Set.of("s").equals(now.answering())) {
            moved = Instant.now();
          }
        }
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    return Optional.of(failed);
  }

  /**
   * Ends a failover round: waits for the failover and the page, counted from {@code from} (the failure, or the heal
   * when the fault left no majority), then heals the primary. An anomaly when either missed its SLO.
   */
  Optional<String> awaitFailover(int round, Instant failed, Instant from) throws InterruptedException {
    Instant start = from.isAfter(failed) ? from : failed;
    Instant deadline = start.plus(PAGE_WITHIN).plusSeconds(5);
    // Called once the fault is healed, which may be long after the deadline (a restarted JVM booting): what came
    // meanwhile counts at the time it came.
    Optional<Instant> paged = firstPageSince(failed);
    while (Instant.now().isBefore(deadline) && (this.moved == null || paged.isEmpty())) {
      Thread.sleep(100);
      paged = firstPageSince(failed);
    }
    // Taken while the failure is still in: what each node and probe knew when the SLO ran out.
    Optional<String> state = this.moved == null || paged.isEmpty() ? Optional.of(diagnose()) : Optional.empty();
    primaryFailing = false;
    failing = false;
    Optional<String> run = chaosRun;
    run.ifPresent(this::abortChaosRun);
    chaosRun = Optional.empty();
    watcher.join(Duration.ofSeconds(5));
    Optional<Instant> moved = Optional.ofNullable(this.moved);
    episodes.add(new Episode(round, failed, start, moved, paged));
    List<String> missed = new ArrayList<>();
    if (moved.isEmpty() || Duration.between(start, moved.get()).compareTo(FAILOVER_WITHIN) > 0) {
      missed.add("failover " + moved.map(m -> Duration.between(start, m).toMillis() + " ms").orElse("never")
          + " (SLO " + FAILOVER_WITHIN.toSeconds() + " s)");
    }
    if (paged.isEmpty() || Duration.between(start, paged.get()).compareTo(PAGE_WITHIN) > 0) {
      missed.add("page " + paged.map(m -> Duration.between(start, m).toMillis() + " ms").orElse("never")
          + " (SLO " + PAGE_WITHIN.toSeconds() + " s)");
    }
    state.ifPresent(missed::add);
    if (!missed.isEmpty()) {
      // What the cluster knows of it, for the reader of the report.
      Optional<Integer> leader = cluster.awaitLeader(Duration.ofSeconds(5));
      leader.flatMap(l -> ofService(l, "/api/v1/incidents?limit=50"))
          .ifPresent(incidents -> {
            List<String> ours = incidents.stream().limit(3).map(JsonNode::toString).toList();
            synchronized (pages) {
              missed.add("the service's newest incidents: " + ours + "; pages received: "
                  + List.copyOf(pages.subList(Math.max(0, pages.size() - 3), pages.size())));
            }
            leader.ifPresent(l -> {
              missed.add("its newest plan changes: " + cluster.get(l, "/api/v1/timeline?service=" + SERVICE
                  + "&limit=4").orElse("(none)"));
              run.ifPresent(id -> missed.add("the chaos run: " + cluster.get(l, "/api/v1/chaos/runs/" + id)
                  .orElse("(none)")));
            });
          });
    }
    return missed.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", missed));
  }

  /**
   * Each member's view of the failure as the SLO ran out: who it takes for leader, the primary's replicated verdict
   * and its own book's evidence, and the vantage points it hears; each probe's view: the primary's target (with its
   * injected fault, if any), the assignment version, and its report buffers per node.
   */
  private String diagnose() {
    StringBuilder out = new StringBuilder("state at the deadline:");
    for (int i : cluster.members()) {
      out.append("\n  ").append(CampaignCluster.id(i)).append(": cluster ")
          .append(cluster.get(i, "/api/v1/cluster").map(Effects::clip).orElse("(no answer)"))
          .append("; backends ")
          .append(cluster.get(i, "/api/v1/services/" + SERVICE + "/backends").orElse("(no answer)"))
          .append("; vantages ").append(cluster.get(i, "/api/v1/vantages").orElse("(no answer)"));
    }
    for (int p = 0; p < probes.size(); p++) {
      ProbeAgent probe = probes.get(p);
      out.append("\n  probe ").append(PROBE_REGIONS.get(p)).append(": assignment v")
          .append(probe.follower().current().map(a -> String.valueOf(a.version())).orElse("none"))
          .append(", target ").append(probe.scheduler().targets().get(SERVICE + "/p"))
          .append(", buffered ").append(cluster.members().stream()
              .map(i -> CampaignCluster.id(i) + "=" + probe.reporter().buffered(cluster.url(i))).toList());
      probe.scrape().lines().filter(l -> l.contains("backend=\"p\"") && l.startsWith("tern_probe_checks")
          || l.startsWith("tern_probe_report")).forEach(l -> out.append("\n    ").append(l));
    }
    return out.toString();
  }

  private static String clip(String s) {
    return s.length() <= 600 ? s : s.substring(0, 600) + "...";
  }

  /** Whether node {@code i} holds an open failover incident of the service; true when it does not answer. */
  private boolean failoverOpen(int i) {
    return ofService(i, "/api/v1/incidents?open=true")
        .map(open -> open.stream().anyMatch(incident -> incident.path("kind").asText().equals("failover")))
        .orElse(true);
  }

  /** The entries of the JSON list node {@code i} answers {@code path} with that are the service's; empty: no answer. */
  private Optional<List<JsonNode>> ofService(int i, String path) {
    return cluster.get(i, path).map(body -> {
      try {
        List<JsonNode> ours = new ArrayList<>();
        JSON.readTree(body).forEach(entry -> {
          if (entry.path("service").asText().equals(SERVICE)) {
            ours.add(entry);
          }
        });
        return ours;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private Optional<Instant> firstPageSince(Instant failed) {
    synchronized (pages) {
      return pages.stream().filter(p -> p.received().isAfter(failed) && p.service().equals(SERVICE)
          && p.kind().equals("failover") && p.event().equals("trigger")).map(Page::received).findFirst();
    }
  }

  /** The service's committed plan as node {@code i} has it: its version and the backends it answers with. */
  private record Plan(long version, Set<String> answering) {}

  private static final Plan NO_PLAN = new Plan(-1, Set.of());

  private Plan plan(int i) {
    return ofService(i, "/api/v1/plans").flatMap(plans -> plans.stream().findFirst()).map(plan -> {
      Set<String> answering = new TreeSet<>();
      for (JsonNode zone : plan.path("zones")) {
        for (JsonNode answer : zone.path("answers")) {
          if (answer.path("weight").asInt() > 0) {
            answering.add(answer.path("backend").asText());
          }
        }
      }
      return new Plan(plan.path("version").asLong(), answering);
    }).orElse(NO_PLAN);
  }

  /** Starts a probe-fault outage of the primary through the leader; its run id, or empty when refused. */
  private Optional<String> startChaosRun() throws InterruptedException {
    String scenario = """
        kind: ChaosScenario
        name: campaign-outage
        hypothesis: The primary of %s fails over while the nemesis works on the cluster.
        targets:
          backends: [%s/p]
        fault:
          kind: outage
        duration: 60s
        injector: probe-fault
        """.formatted(SERVICE, SERVICE);
    String why = "no leader";
    Optional<Integer> leader = cluster.awaitLeader(Duration.ofSeconds(10));
    if (leader.isPresent()) {
      try {
        java.net.http.HttpResponse<String> r = cluster.send(leader.get(), "POST",
            "/api/v1/chaos/runs?reason=campaign", "application/yaml", scenario, Duration.ofSeconds(10));
        if (r.statusCode() == 200) {
          chaosRuns++;
          return Optional.of(JSON.readTree(r.body()).path("runId").asText());
        }
        why = "HTTP " + r.statusCode() + " " + r.body();
      } catch (IOException e) {
        why = e.toString();
      }
    }
    chaosRefusals.add(why);
    skipped++;
    return Optional.empty();
  }

  /** Reverts the run's fault now; if no node takes the abort, the run's own 60 s end reverts it. */
  private void abortChaosRun(String runId) {
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        Optional<Integer> leader = cluster.awaitLeader(Duration.ofSeconds(5));
        if (leader.isPresent()) {
          int code = cluster.send(leader.get(), "POST", "/api/v1/chaos/runs/" + runId + "/abort?reason=campaign",
              null, null, Duration.ofSeconds(10)).statusCode();
          if (code == 200 || code == 409) { // 409: it ended already
            return;
          }
        }
        Thread.sleep(500);
      } catch (IOException e) {
        // try again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  int chaosRuns() {
    return chaosRuns;
  }

  List<String> chaosRefusals() {
    return List.copyOf(chaosRefusals);
  }

  private void page(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body = exchange.getRequestBody().readAllBytes();
      String text = new String(body, StandardCharsets.UTF_8);
      String timestamp = exchange.getRequestHeaders().getFirst("X-Tern-Timestamp");
      String signature = exchange.getRequestHeaders().getFirst("X-Tern-Signature");
      boolean signed = signature != null && timestamp != null && signature.equals("sha256="
          + hmac(timestamp + "." + text));
      JsonNode root = JSON.readTree(text);
      JsonNode incident = root.path("incident");
      String term = exchange.getRequestHeaders().getFirst("X-Tern-Term");
      String delivery = exchange.getRequestHeaders().getFirst("X-Tern-Delivery");
      pages.add(new Page(Instant.now(), root.path("event").asText(), incident.path("service").asText(),
          incident.path("kind").asText(), delivery, exchange.getRequestHeaders().getFirst("X-Tern-Node"),
          term == null ? -1 : Long.parseLong(term), signed));
      if (delivery != null && !deliveries.add(delivery)) {
        synchronized (this) {
          duplicates++;
        }
      }
      exchange.sendResponseHeaders(204, -1);
    }
  }

  private String hmac(String text) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(webhookSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Pages that did not come from the leader of the term they name, by the terms the cluster recorded ({@code
   * termLeaders}) and those the campaign saw; or that were not signed with the route's secret.
   */
  List<String> wrongPages(Map<Long, String> termLeaders) {
    List<String> wrong = new ArrayList<>();
    synchronized (pages) {
      for (Page p : pages) {
        String leader = termLeaders.get(p.term());
        if (!p.signed()) {
          wrong.add("a page not signed with the route's secret: " + p);
        } else if (p.node() == null || p.term() < 0) {
          wrong.add("a page without its sender: " + p);
        } else if (leader != null && !leader.equals(p.node())) {
          wrong.add("a page from " + p.node() + " in term " + p.term() + ", which " + leader + " led");
        }
      }
    }
    return wrong;
  }

  /** The pages whose term no record names a leader for: neither the cluster's nor the campaign's. */
  long unverifiedPages(Map<Long, String> termLeaders) {
    synchronized (pages) {
      return pages.stream().filter(p -> p.term() >= 0 && !termLeaders.containsKey(p.term())).count();
    }
  }

  int pageCount() {
    return pages.size();
  }

  synchronized int duplicates() {
    return duplicates;
  }

  int skipped() {
    return skipped;
  }

  List<Episode> episodes() {
    return List.copyOf(episodes);
  }

  @Override
  public void close() throws InterruptedException {
    for (ProbeAgent probe : probes) {
      probe.close();
    }
    for (HttpServer server : List.of(primary, secondary, steadyA, steadyB)) {
      server.stop(0);
    }
    receiver.stop(0);
  }
}
