package dev.tern.controlplane.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.controlplane.testing.Http;
import dev.tern.policy.geo.Region;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Chaos runs against a running demo world: a dry run that injects nothing, a real outage of the
 * region answering EU clients judged from what the cluster did, the kill switch, and a leader
 * killed mid-run whose successor carries the run on: it reverts the fault on time and judges it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosRunTest {

  static DemoWorld world;

  @BeforeAll
  static void start() throws Exception {
    world = DemoWorld.start(DemoWorld.Options.freePorts());
    world.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  static String scenario(String name, String backend, String duration, String expect) {
    return """
        kind: ChaosScenario
        name: %s
        hypothesis: When the backend answering EU clients fails, they move to another EU backend and come back.
        targets:
          backends: [shop/%s]
          blastRadius: {maxBackends: 1}
        fault:
          kind: outage
        duration: %s
        injector: demo
        expect:
        %s
        """.formatted(name, backend, duration, expect.indent(2).stripTrailing());
  }

  @Test
  @Order(1)
  void a_dry_run_resolves_the_targets_and_injects_nothing() {
    String eu = euAnswer();
    HttpResponse<String> dry = post("/api/v1/chaos/runs?dryRun=true", scenario("dry", eu, "30s", "failoverWithin: 10s"));
    assertEquals(200, dry.statusCode(), dry.body());
    assertTrue(dry.body().contains("\"dryRun\":true") && dry.body().contains("\"targets\":[\"shop/" + eu + "\"]"), dry.body());
    assertTrue(world.regions().status(regionOf(eu)).listening(), "a dry run injected a fault");

    HttpResponse<String> tooWide = post("/api/v1/chaos/runs?dryRun=true",
        scenario("wide", eu, "30s", "failoverWithin: 10s").replace("backends: [shop/" + eu + "]", "clouds: [aws, azure]"));
    assertEquals(422, tooWide.statusCode(), tooWide.body());
    assertTrue(tooWide.body().contains("the blast radius allows 1"), tooWide.body());
  }

  @Test
  @Order(2)
  void an_outage_of_the_eu_backend_is_judged_from_what_the_cluster_did() {
    String eu = euAnswer();
    // Latency routing keeps a healthy backend that is within tolerance, so traffic need not
    // return to the target after the heal: no failbackWithin here.
    HttpResponse<String> started = post("/api/v1/chaos/runs?reason=prove+eu+failover", scenario("eu-outage", eu, "8s", """
        failoverWithin: 10s
        noTrafficToTargetsAfter: 6s
        maxPlanChanges: 6"""));
    assertEquals(200, started.statusCode(), started.body());
    String runId = field(started.body(), "runId");

    awaitEnded(runId, Duration.ofSeconds(60));
    String report = get("/api/v1/chaos/runs/" + runId + "/report").body();
    assertTrue(report.contains("\"outcome\":\"PASS\""), report);
    assertTrue(report.contains("{\"expectation\":\"residency\",\"outcome\":\"PASS\""), report);
    assertTrue(Pattern.compile("\"expectation\":\"failoverWithin 10 s\",\"outcome\":\"PASS\",\"evidence\":\"shop plan v\\d+ after ")
        .matcher(report).find(), report);
    assertTrue(report.contains("\"expectation\":\"noTrafficToTargetsAfter 6 s\",\"outcome\":\"PASS\""), report);
    assertTrue(report.contains("fault injected: outage on shop/" + eu), report);
    assertTrue(world.regions().status(regionOf(eu)).listening(), "the fault was reverted");
    String metrics = get("/metrics").body();
    assertTrue(metrics.contains("tern_chaos_runs_total{outcome=\"PASS\",scenario=\"eu-outage\"} 1.0"), metrics);
    assertTrue(metrics.contains("tern_chaos_active 0.0"), metrics);
    String audit = get("/api/v1/audit?action=chaos.").body();
    assertTrue(audit.contains("\"action\":\"chaos.start\"") && audit.contains("prove eu failover")
        && audit.contains("\"action\":\"chaos.end\""), audit);
    String cluster = get("/api/v1/cluster").body();
    String startedBy = "\"startedBy\":{\"node\":\"" + field(cluster, "node") + "\",\"term\":"
        + cluster.replaceAll(".*\"term\":(\\d+).*", "$1") + "}";
    String run = get("/api/v1/chaos/runs/" + runId).body();
    assertTrue(run.contains(startedBy), "started by the leader in the term it leads (" + cluster + "): " + run);
  }

  @Test
  @Order(3)
  void one_vantage_cut_off_from_every_backend_moves_no_traffic() {
    awaitAllHealthy();
    String eu = euAnswer();
    HttpResponse<String> started = post("/api/v1/chaos/runs?reason=quorum", """
        kind: ChaosScenario
        name: lone-vantage
        hypothesis: One vantage point that sees every backend down moves no traffic.
        targets:
          backends: [shop/%s]
        fault:
          kind: probe-partition
          vantage: aws:us-east-1
        duration: 6s
        injector: demo
        expect:
          noFailover: true
          maxPlanChanges: 0
        """.formatted(eu));
    assertEquals(200, started.statusCode(), started.body());
    String runId = field(started.body(), "runId");
    awaitEnded(runId, Duration.ofSeconds(40));
    String report = get("/api/v1/chaos/runs/" + runId + "/report").body();
    assertTrue(report.contains("\"outcome\":\"PASS\""), report);
    assertTrue(report.contains("\"expectation\":\"noFailover\",\"outcome\":\"PASS\""), report);
    assertTrue(report.contains("\"expectation\":\"maxPlanChanges 0\",\"outcome\":\"PASS\""), report);
    assertFalse(world.regions().status(Region.parse("aws:us-east-1").orElseThrow()).probeCutOff(), "the vantage was reconnected");
  }

  @Test
  @Order(4)
  void the_kill_switch_on_the_command_line_reverts_an_active_fault_at_once() {
    awaitAllHealthy();
    String eu = euAnswer();
    HttpResponse<String> started = post("/api/v1/chaos/runs?reason=long", scenario("long", eu, "5m", "failoverWithin: 10s"));
    assertEquals(200, started.statusCode(), started.body());
    String runId = field(started.body(), "runId");
    await("the fault is in", Duration.ofSeconds(5), () -> !world.regions().status(regionOf(eu)).listening());

    Instant pressed = Instant.now();
    // The command line's kill switch; the console's is in ChaosBrowserTest.
    int exit = new picocli.CommandLine(new dev.tern.controlplane.cli.TernCommand()).execute("chaos", "kill-switch",
        "--reason", "customer call", "--server", leaderUri().toString(),
        "--token-file", world.operatorTokenFile().toString());
    assertEquals(0, exit);
    await("the fault is reverted", Duration.ofSeconds(3), () -> world.regions().status(regionOf(eu)).listening());
    assertTrue(Duration.between(pressed, Instant.now()).compareTo(Duration.ofSeconds(3)) < 0);
    awaitEnded(runId, Duration.ofSeconds(40));
    String report = get("/api/v1/chaos/runs/" + runId + "/report").body();
    assertTrue(report.contains("\"outcome\":\"ABORTED\"") && report.contains("the kill switch, by "), report);
  }

  @Test
  @Order(5)
  void a_new_leader_reverts_the_fault_of_a_run_whose_leader_died_on_time() {
    awaitAllHealthy();
    String eu = euAnswer();
    HttpResponse<String> started = post("/api/v1/chaos/runs?reason=leader+dies", scenario("orphan", eu, "10s", "failoverWithin: 10s"));
    assertEquals(200, started.statusCode(), started.body());
    String runId = field(started.body(), "runId");
    Instant due = Instant.parse(field(started.body(), "revertDueAt"));
    await("the fault is in", Duration.ofSeconds(5), () -> !world.regions().status(regionOf(eu)).listening());

    world.kill(world.leader().orElseThrow());
    await("a new leader", Duration.ofSeconds(10), () -> world.leader().isPresent());
    assertFalse(world.regions().status(regionOf(eu)).listening(), "reverted before it was due");
    await("the new leader reverts on time", Duration.between(Instant.now(), due).plusSeconds(3),
        () -> world.regions().status(regionOf(eu)).listening());
    assertTrue(Instant.now().isBefore(due.plusSeconds(3)), "reverted late");
    awaitEnded(runId, Duration.ofSeconds(30));
    // The new leader carried the run on from every node's record of it, and judged it.
    String report = get("/api/v1/chaos/runs/" + runId + "/report").body();
    assertTrue(report.contains("\"outcome\":\"PASS\"") && report.contains(", the new leader"), report);
    assertTrue(Pattern.compile("\"expectation\":\"failoverWithin 10 s\",\"outcome\":\"PASS\"").matcher(report).find(), report);
    assertEquals(1, world.restartCrashed(), "the killed node starts again for the tests after this one");
  }

  @Test
  @Order(6)
  void a_schedule_fires_at_its_times_on_a_fake_clock_once_each_and_forbids_overlap() {
    awaitAllHealthy();
    String eu = euAnswer();
    // Leap days at 03:00 UTC: the scheduler's own clock never reaches one during the test.
    String yaml = scenario("leap-day", eu, "8s", "failoverWithin: 10s") + """
        schedule:
          cron: "0 3 29 2 *"
          timeZone: UTC
          concurrency: forbid
        """;
    HttpResponse<String> put = leader().send("PUT", "/api/v1/chaos/scenarios/leap-day?reason=game+day", "application/yaml",
        yaml, "Authorization", "Bearer " + world.credentials().adminToken());
    assertEquals(200, put.statusCode(), put.body());
    assertTrue(put.body().contains("\"nextRunAt\":\"2028-02-29T03:00:00Z\""), put.body());
    HttpResponse<String> asOperator = leader().send("PUT", "/api/v1/chaos/scenarios/leap-day?reason=x", "application/yaml",
        yaml, "Authorization", "Bearer " + world.credentials().operatorToken());
    assertEquals(403, asOperator.statusCode(), "only admins change the catalogue");

    ChaosScheduler scheduler = world.node(world.leader().orElseThrow()).orElseThrow().context().getBean(ChaosScheduler.class);
    assertEquals(List.of(), scheduler.tick(Instant.parse("2028-02-29T02:59:59Z")));
    List<String> fired = scheduler.tick(Instant.parse("2028-02-29T03:00:10Z"));
    assertEquals(1, fired.size(), fired.toString());
    assertTrue(fired.getFirst().startsWith("leap-day 2028-02-29T03:00:00Z: started run leap-day-"), fired.toString());
    String runId = fired.getFirst().replaceAll(".*started run ", "");
    await("the fault is in", Duration.ofSeconds(5), () -> !world.regions().status(regionOf(eu)).listening());
    assertEquals(List.of(), scheduler.tick(Instant.parse("2028-02-29T03:00:40Z")), "a start time fires once");
    assertEquals(List.of("leap-day 2032-02-29T03:00:00Z: skipped: run " + runId + " is still active (concurrency: forbid)"),
        scheduler.tick(Instant.parse("2032-02-29T03:00:05Z")));

    awaitEnded(runId, Duration.ofSeconds(60));
    List<String> missed = scheduler.tick(Instant.parse("2036-02-29T03:10:00Z"));
    assertEquals(1, missed.size(), missed.toString());
    assertTrue(missed.getFirst().contains("missed: due at 2036-02-29T03:00:00Z"), missed.toString());

    HttpResponse<String> paused = leader().send("POST", "/api/v1/chaos/scenarios/leap-day/pause?reason=freeze",
        "application/json", "", "Authorization", "Bearer " + world.credentials().operatorToken());
    assertEquals(200, paused.statusCode(), paused.body());
    assertTrue(paused.body().contains("\"paused\":true") && !paused.body().contains("nextRunAt"), paused.body());
    assertEquals(List.of(), scheduler.tick(Instant.parse("2040-02-29T03:00:05Z")), "a paused schedule fires nothing");

    String audit = get("/api/v1/audit?action=chaos.schedule").body();
    assertTrue(audit.contains("started run " + runId) && audit.contains("skipped: run " + runId) && audit.contains("missed"),
        audit);
  }

  @Test
  @Order(7)
  void a_stop_condition_aborts_the_run_within_three_seconds() {
    awaitAllHealthy();
    String eu = euAnswer();
    HttpResponse<String> started = post("/api/v1/chaos/runs?reason=stop+condition", scenario("stopped", eu, "2m",
        "failoverWithin: 10s") + """
        stopWhen:
          nonTargetRegionDegraded: true
        """);
    assertEquals(200, started.statusCode(), started.body());
    String runId = field(started.body(), "runId");
    await("the fault is in", Duration.ofSeconds(5), () -> !world.regions().status(regionOf(eu)).listening());
    Region bystander = Region.parse("gcp:asia-southeast1").orElseThrow();
    world.regions().stop(bystander);
    try {
      await("the bystander turns UNHEALTHY", Duration.ofSeconds(20),
          () -> get("/api/v1/services/shop/backends").body().matches(
              "(?s).*\"region\":\"asia-southeast1\"[^}]*\"health\":\"UNHEALTHY\".*"));
      Instant holds = Instant.now();
      await("the run's fault is reverted", Duration.ofSeconds(3), () -> world.regions().status(regionOf(eu)).listening());
      assertTrue(Duration.between(holds, Instant.now()).compareTo(Duration.ofSeconds(3)) < 0);
    } finally {
      world.regions().start(bystander);
    }
    awaitEnded(runId, Duration.ofSeconds(40));
    String report = get("/api/v1/chaos/runs/" + runId + "/report").body();
    assertTrue(report.contains("\"outcome\":\"ABORTED\"") && report.contains("stop condition nonTargetRegionDegraded"),
        report);
  }

  @Test
  @Order(8)
  void the_command_line_runs_a_scenario_waits_for_it_and_prints_its_report() throws Exception {
    awaitAllHealthy();
    java.nio.file.Path file = java.nio.file.Files.createTempFile("partition", ".yaml");
    java.nio.file.Files.writeString(file, """
        kind: ChaosScenario
        name: cli-partition
        hypothesis: One vantage point that sees one backend down moves no traffic.
        targets:
          backends: [shop/%s]
        fault:
          kind: probe-partition
          vantage: gcp:europe-west1
        duration: 5s
        injector: demo
        expect:
          noFailover: true
        """.formatted(euAnswer()));
    String server = leaderUri().toString();
    var out = new java.io.ByteArrayOutputStream();
    var previous = System.out;
    int exit;
    System.setOut(new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      exit = new picocli.CommandLine(new dev.tern.controlplane.cli.TernCommand()).execute("chaos", "run", file.toString(),
          "--reason", "cli", "--wait", "--server", server, "--token-file", world.operatorTokenFile().toString());
    } finally {
      System.setOut(previous);
      java.nio.file.Files.deleteIfExists(file);
    }
    String printed = out.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(0, exit, printed);
    assertTrue(printed.contains("cli-partition — run cli-partition-") && printed.contains(": PASS"), printed);
    assertTrue(printed.contains("PASS         noFailover") && printed.contains("fault injected: probe-partition"), printed);
  }

  private void awaitEnded(String runId, Duration timeout) {
    await("run " + runId + " ends", timeout, () -> get("/api/v1/chaos/runs").body()
        .matches("(?s).*\"id\":\"" + Pattern.quote(runId) + "\"[^}]*\"active\":false.*"));
  }

  private void awaitAllHealthy() {
    await("every backend healthy again", Duration.ofSeconds(40),
        () -> !get("/api/v1/backends").body().contains("UNHEALTHY") && get("/api/v1/chaos/runs").body().indexOf("\"active\":true") < 0);
  }

  private static void await(String what, Duration timeout, java.util.function.BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static String euAnswer() {
    String plan = get("/api/v1/services/shop/plan").body();
    Matcher m = Pattern.compile("\"zone\":\"EU\",\"mode\":\"\\w+\",\"answers\":\\[\\{\"backend\":\"([^\"]+)\"").matcher(plan);
    assertTrue(m.find(), plan);
    return m.group(1);
  }

  private static Region regionOf(String backend) {
    String backends = get("/api/v1/services/shop/backends").body();
    Matcher m = Pattern.compile("\"name\":\"" + Pattern.quote(backend) + "\",\"cloud\":\"(\\w+)\",\"region\":\"([\\w-]+)\"")
        .matcher(backends);
    assertTrue(m.find(), backends);
    return Region.parse(m.group(1) + ":" + m.group(2)).orElseThrow();
  }

  private static String field(String json, String name) {
    Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
    assertTrue(m.find(), json);
    return m.group(1);
  }

  /** The leader's API: runs start only there. */
  private static Http leader() {
    return new Http(leaderUri());
  }

  private static java.net.URI leaderUri() {
    await("a leader", Duration.ofSeconds(15), () -> world.leader().isPresent());
    return world.node(world.leader().orElseThrow()).orElseThrow().uri();
  }

  private static HttpResponse<String> post(String path, String body) {
    return leader().send("POST", path, "application/yaml", body, "Authorization", "Bearer " + world.credentials().operatorToken());
  }

  private static HttpResponse<String> get(String path) {
    return leader().get(path, "Authorization", "Bearer " + world.credentials().viewerToken());
  }
}
