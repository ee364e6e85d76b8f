package dev.tern.probe.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tern.policy.geo.Region;
import dev.tern.probe.check.Checker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.random.RandomGenerator;

/**
 * One probe agent: follows its region's assignment, checks every target, reports to every
 * control-plane node, and serves {@code /health} and Prometheus {@code /metrics} on its own small
 * HTTP server. {@link #close()} stops all of it.
 */
public final class ProbeAgent implements AutoCloseable {

  /**
   * How an agent is set up.
   *
   * @param controlPlanes every control-plane node; assignments come from any, observations go to all
   * @param metrics where {@code /health} and {@code /metrics} are served (port 0 picks a free one)
   * @param assignmentWait how long a node may hold an assignment poll open
   * @param metricsToken when present, {@code /metrics} answers only requests bearing it
   *     ({@code Authorization: Bearer ...}); {@code /health} stays open for liveness checks
   */
  public record Settings(Region region, List<URI> controlPlanes, String token, InetSocketAddress metrics,
      Duration assignmentWait, Reporter.Settings reporting, Optional<String> metricsToken) {

    /** Settings with {@code /metrics} open to anyone who can reach it. */
    public Settings(Region region, List<URI> controlPlanes, String token, InetSocketAddress metrics,
        Duration assignmentWait, Reporter.Settings reporting) {
      this(region, controlPlanes, token, metrics, assignmentWait, reporting, Optional.empty());
    }

    public Settings {
      Objects.requireNonNull(region, "region");
      controlPlanes = List.copyOf(controlPlanes);
      if (controlPlanes.isEmpty()) {
        throw new IllegalArgumentException("give at least one control-plane URL");
      }
      Objects.requireNonNull(token, "token");
      Objects.requireNonNull(metrics, "metrics");
      Objects.requireNonNull(assignmentWait, "assignmentWait");
      Objects.requireNonNull(reporting, "reporting");
      Objects.requireNonNull(metricsToken, "metricsToken");
      if (metricsToken.isPresent() && metricsToken.get().isBlank()) {
        throw new IllegalArgumentException("the metrics token is empty");
      }
    }

    /** The same settings with {@code /metrics} behind {@code token}. */
    public Settings withMetricsToken(String token) {
      return new Settings(region, controlPlanes, this.token, metrics, assignmentWait, reporting, Optional.of(token));
    }

    /** Defaults: metrics on 127.0.0.1:9464, 30 s assignment polls, {@link Reporter.Settings#defaults()}. */
    public static Settings of(Region region, List<URI> controlPlanes, String token) {
      return new Settings(region, controlPlanes, token, new InetSocketAddress("127.0.0.1", 9464),
          Duration.ofSeconds(30), Reporter.Settings.defaults());
    }

    @Override
    public String toString() {
      return "Settings[region=" + region + ", controlPlanes=" + controlPlanes + ", metrics=" + metrics + "]";
    }
  }

  private final PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final HttpClient client;
  private final Reporter reporter;
  private final Scheduler scheduler;
  private final AssignmentFollower follower;
  private final HttpServer server;
  private final ExecutorService serverThreads = Executors.newVirtualThreadPerTaskExecutor();

  /** Starts the agent: the metrics server first, then reporting, checks and the assignment poll. */
  public ProbeAgent(Settings settings, Checker checker, Clock clock, RandomGenerator random) throws IOException {
    this.server = HttpServer.create(settings.metrics(), 0);
    server.setExecutor(serverThreads);
    server.createContext("/health", exchange -> respond(exchange, "text/plain; charset=utf-8", health()));
    byte[] expected = settings.metricsToken().map(t -> ("Bearer " + t).getBytes(StandardCharsets.UTF_8)).orElse(null);
    server.createContext("/metrics", exchange -> {
      if (expected != null && !bearerMatches(exchange, expected)) {
        exchange.getResponseHeaders().set("WWW-Authenticate", "Bearer realm=\"tern-probe\"");
        respond(exchange, 401, "text/plain; charset=utf-8", "401: /metrics needs Authorization: Bearer <metrics token>\n");
        return;
      }
      respond(exchange, "text/plain; version=0.0.4; charset=utf-8", meters.scrape());
    });
    server.start();
    this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.reporter = new Reporter(settings.controlPlanes(), settings.token(), client, settings.reporting(), random,
        meters);
    this.scheduler = new Scheduler(checker, settings.region(), clock, random, reporter::offer, meters);
    this.follower = new AssignmentFollower(settings.controlPlanes(), settings.region().key(), settings.token(), client,
        settings.assignmentWait(), random, assignment -> scheduler.apply(assignment.targets()));
    Gauge.builder("tern.probe.assignment.policy.version", this,
            a -> a.follower.current().map(Assignment::version).orElse(-1L))
        .description("Policy version of the assignment being checked; -1 before the first")
        .register(meters);
    Gauge.builder("tern.probe.targets", this, a -> a.scheduler.targets().size())
        .description("Targets being checked")
        .register(meters);
  }

  /** Where {@code /health} and {@code /metrics} are served. */
  public InetSocketAddress metricsAddress() {
    return server.getAddress();
  }

  /** The Prometheus text exposition of this agent's meters. */
  public String scrape() {
    return meters.scrape();
  }

  public Reporter reporter() {
    return reporter;
  }

  public Scheduler scheduler() {
    return scheduler;
  }

  public AssignmentFollower follower() {
    return follower;
  }

  private String health() {
    return follower.current()
        .map(a -> "ok: assignment v" + a.version() + ", " + a.targets().size() + " targets\n")
        .orElse("ok: waiting for the first assignment\n");
  }

  /** Compares in constant time, so the answer's timing says nothing about the token. */
  private static boolean bearerMatches(HttpExchange exchange, byte[] expected) {
    String given = exchange.getRequestHeaders().getFirst("Authorization");
    return given != null && MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected);
  }

  private static void respond(HttpExchange exchange, String type, String body) throws IOException {
    respond(exchange, 200, type, body);
  }

  private static void respond(HttpExchange exchange, int status, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", type);
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Stops polling, checking and sending (buffered observations are discarded), then the server. */
  @Override
  public void close() throws InterruptedException {
    follower.close();
    scheduler.close();
    reporter.close();
    server.stop(0);
    serverThreads.close();
    client.close();
    meters.close();
  }
}
