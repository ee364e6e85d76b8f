package dev.tern.controlplane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.MotoServer;
import dev.tern.controlplane.testing.Receiver;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every built-in scenario of docs/examples/chaos, run as written against the demo world, one after
 * the other: each must PASS. The reports are kept in target/chaos-reports, as the API serves them.
 */
class BuiltInScenariosTest {

  static final Path EXAMPLES = Path.of("..", "docs", "examples", "chaos");
  static final Path REPORTS = Path.of("target", "chaos-reports");
  /** In the order they run; the leader kill last, since it restarts a node. */
  static final List<String> RUNNABLE = List.of("region-outage", "cloud-outage", "eu-region-outage", "all-eu-outage",
      "vantage-partition", "flapping-backend", "provider-api-outage", "leader-kill");

  static DemoWorld world;
  /** The on-call's pager: chaos incidents are paged to it, and their pages judged from the deliveries. */
  static Receiver pager;
  /** Route 53 (moto) serving shop's zone, for the provider API outage. */
  static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    pager = new Receiver(202);
    moto = MotoServer.start();
    String zone = moto.createZone("tern.test.");
    world = DemoWorld.start(DemoWorld.Options.freePorts().with(Map.of("tern.alerting.routes", List.of(Map.of(
        "name", "game-days", "sink", "webhook", "url", pager.uri("/pages").toString(), "secret", "built-in-scenarios",
        "match", Map.of("chaos", "only"))),
        "tern.providers.route53", List.of(moto.account("route53-demo", zone, List.of("shop"))))));
    world.awaitReady(Duration.ofSeconds(60));
    Files.createDirectories(REPORTS);
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
    if (pager != null) {
      pager.close();
    }
    if (moto != null) {
      moto.close();
    }
  }

  static Stream<String> runnable() {
    return RUNNABLE.stream();
  }

  @Test
  void every_built_in_scenario_is_run_here_or_refused_with_its_reason() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      List<String> all = files.map(f -> f.getFileName().toString().replace(".yaml", "")).sorted().toList();
      assertEquals(RUNNABLE.stream().sorted().toList(), all);
    }
  }

  @Test
  void a_provider_fault_on_a_kind_no_account_has_is_refused() throws IOException {
    HttpResponse<String> refused = post("/api/v1/chaos/runs?reason=built-in",
        Files.readString(EXAMPLES.resolve("provider-api-outage.yaml")).replace("provider: route53", "provider: cloud-dns"));
    assertEquals(422, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("no cloud-dns account is configured in tern.providers"), refused.body());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("runnable")
  void the_built_in_scenario_passes(String name) throws IOException {
    awaitSettled();
    String yaml = Files.readString(EXAMPLES.resolve(name + ".yaml"));
    HttpResponse<String> started = post("/api/v1/chaos/runs?reason=built-in", yaml);
    assertEquals(200, started.statusCode(), started.body());
    String runId = field(started.body(), "runId");
    Instant due = Instant.parse(field(started.body(), "revertDueAt"));

    await("run " + runId + " ends", Duration.between(Instant.now(), due).plusSeconds(90),
        () -> get("/api/v1/chaos/runs/" + runId).map(b -> b.contains("\"active\":false")).orElse(false));
    String report = get("/api/v1/chaos/runs/" + runId + "/report").orElseThrow();
    Files.writeString(REPORTS.resolve(name + ".json"), report);
    assertTrue(report.contains("\"outcome\":\"PASS\""), report);
    assertTrue(report.contains("{\"expectation\":\"residency\",\"outcome\":\"PASS\""), report);
    if (name.equals("provider-api-outage")) {
      // The fault really took: Route 53 syncs failed while it was in, and one succeeded after the heal.
      assertTrue(report.contains("provider route53-demo failed to sync shop: chaos run " + runId), report);
      assertTrue(report.contains("provider route53-demo synced shop"), report);
    } else {
      // The fault really took: a probe saw a target fail (a pass with no fault in would prove nothing).
      assertTrue(report.contains("first failed probe: shop/"), report);
    }
    if (yaml.contains("pageWithin")) {
      assertTrue(report.contains("page sent: incident ") && report.contains("to route game-days"), report);
      assertTrue(pager.requests().stream().anyMatch(r -> r.body().contains("[chaos test " + runId + "]")),
          "the page was marked as a chaos test");
    }
    if (name.equals("leader-kill")) {
      assertTrue(report.contains("killed (chaos run " + runId) && report.contains(", the new leader"), report);
    }
  }

  /** Every backend healthy, no run active, every node up: a clean start for the next scenario. */
  private static void awaitSettled() {
    await("the world to settle", Duration.ofSeconds(90), () -> {
      Optional<String> backends = get("/api/v1/backends");
      Optional<String> runs = get("/api/v1/chaos/runs");
      return backends.isPresent() && !backends.get().contains("UNHEALTHY") && !backends.get().contains("UNKNOWN")
          && runs.isPresent() && !runs.get().contains("\"active\":true") && world.allNodesRunning();
    });
  }

  private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    assertTrue(m.find(), json);
    return m.group(1);
  }

  /** The current leader's API, waiting through an election. */
  private static Http leader() {
    await("a leader", Duration.ofSeconds(15), () -> world.leader().isPresent());
    return new Http(world.node(world.leader().orElseThrow()).orElseThrow().uri());
  }

  private static HttpResponse<String> post(String path, String body) {
    return leader().send("POST", path, "application/yaml", body, "Authorization", "Bearer " + world.credentials().operatorToken());
  }

  /** The body of a 200 from the leader; empty while there is none (an election) or on an error. */
  private static Optional<String> get(String path) {
    try {
      HttpResponse<String> r = leader().get(path, "Authorization", "Bearer " + world.credentials().viewerToken());
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
