package dev.tern.controlplane.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.controlplane.provider.azure.AzureSettings;
import dev.tern.controlplane.provider.azure.FakeTrafficManager;
import dev.tern.controlplane.provider.clouddns.CloudDnsSettings;
import dev.tern.controlplane.provider.clouddns.FakeCloudDns;
import dev.tern.controlplane.provider.globalaccelerator.FakeGlobalAccelerator;
import dev.tern.controlplane.provider.globalaccelerator.GlobalAcceleratorSettings;
import dev.tern.controlplane.provider.route53.Route53Settings;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.MotoServer;
import dev.tern.policy.geo.Region;
import dev.tern.policy.routing.RoutingPlan;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The providers in the demo world: every configured account serves the committed plan, a failover
 * reaches each within 5 s of the decision, and a provider that keeps failing opens an incident
 * that resolves once it syncs again.
 *
 * <p>Convergence is judged by a second provider instance per account, built from the same entry:
 * its dry run against the cloud (moto, or the wire-level fakes) must find nothing to change.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProvidersDemoWorldTest {

  static final ObjectMapper JSON = new ObjectMapper();
  /** The promise: a committed decision is in every provider this soon. */
  static final Duration CONVERGE = Duration.ofSeconds(5);

  static MotoServer moto;
  static FakeGlobalAccelerator accelerator;
  static FakeTrafficManager trafficManager;
  static FakeCloudDns cloudDns;
  static DemoWorld world;
  /** Per account, an observer: the same settings, its own client. */
  static final Map<String, Provider> observers = new LinkedHashMap<>();

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    Map<String, Object> route53 = moto.account("route53-demo", moto.createZone("tern.test."), List.of("shop"));
    observers.put("route53-demo", Route53Settings.parse("route53", route53).open());

    trafficManager = FakeTrafficManager.start();
    Map<String, Object> azure = Map.of("name", "azure-demo", "subscription-id", "00000000-0000-0000-0000-0000000000aa",
        "resource-group", "tern-demo", "services", List.of("shop"), "endpoint", trafficManager.uri().toString(),
        "access-token", "demo-token");
    observers.put("azure-demo", AzureSettings.parse("azure", azure).open());

    cloudDns = FakeCloudDns.start();
    cloudDns.addZone(FakeCloudDns.PROJECT, "demo", "tern.test.");
    Map<String, Object> gcp = Map.of("name", "cloud-dns-demo", "project", FakeCloudDns.PROJECT, "managed-zone", "demo",
        "services", List.of("shop"), "endpoint", cloudDns.uri().toString(), "access-token", FakeCloudDns.ACCESS_TOKEN);
    observers.put("cloud-dns-demo", CloudDnsSettings.parse("gcp", gcp).open());

    // Global Accelerator cannot keep EU clients in the EU, so it serves edge, an AWS-only service without residency.
    accelerator = FakeGlobalAccelerator.start();
    String acceleratorArn = accelerator.createAccelerator("edge", Map.of("tern/owner", "tern"));
    Map<String, Object> ga = Map.of("name", "ga-demo", "accelerator-arn", acceleratorArn, "listener-arn",
        accelerator.createListener(acceleratorArn), "services", List.of(EDGE), "endpoint", accelerator.uri().toString(),
        "region", FakeGlobalAccelerator.REGION, "access-key-id", FakeGlobalAccelerator.ACCESS_KEY_ID,
        "secret-access-key", FakeGlobalAccelerator.SECRET_ACCESS_KEY, "endpoints", Map.of(
            "aws-frankfurt", "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/edge-fra/0123456789abcdef",
            "aws-virginia", "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/edge-iad/0123456789abcdef"));
    observers.put("ga-demo", GlobalAcceleratorSettings.parse("ga", ga).open());

    world = DemoWorld.start(DemoWorld.Options.freePorts().with(Map.of(
        "tern.providers.route53", List.of(route53),
        "tern.providers.azure-traffic-manager", List.of(azure),
        "tern.providers.cloud-dns", List.of(gcp),
        "tern.providers.global-accelerator", List.of(ga),
        "tern.providers.sync-alert-after", "2s",
        "tern.providers.resync", "3s")));
    world.awaitReady(Duration.ofSeconds(60));
  }

  static final String EDGE = "edge";

  /** edge: the demo's two AWS regions, weighted, checked like shop's backends. */
  static String edgeYaml(String extra) {
    String port = java.util.regex.Pattern.compile("port: (\\d+)").matcher(world.service().orElseThrow().yaml()).results()
        .findFirst().orElseThrow().group(1);
    return """
        kind: Service
        name: edge
        hostname: edge.tern.test
        ttl: 5
        routing:
          method: weighted
        backends:
          - name: aws-frankfurt
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 127.0.1.1
            healthCheck: &check {kind: http, port: PORT, path: /healthz, bodyContains: ok, interval: 1s, timeout: 800ms}
          - name: aws-virginia
            cloud: aws
            region: us-east-1
            jurisdiction: US
            address: 127.0.1.4
            healthCheck: *check
        health: {failAfter: 1, recoverAfter: 2, quorum: 2, staleAfter: 5s, failbackDelay: 10s}
        """.replace("PORT", port) + extra;
  }

  @Test
  @Order(0)
  void a_service_a_bound_provider_cannot_express_is_refused_with_the_reason() throws Exception {
    HttpResponse<String> refused = putService(EDGE, edgeYaml("""
        clientZones: [EU]
        residency:
          - zone: EU
            allow: [EU]
            whenNoneHealthy: serve-unhealthy
        """));
    assertEquals(422, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("provider ga-demo (global-accelerator)"), refused.body());
    HttpResponse<String> taken = putService(EDGE, edgeYaml(""));
    assertEquals(200, taken.statusCode(), taken.body());
    await("edge has a plan", Duration.ofSeconds(20), () -> world.node(world.leader().orElseThrow()).orElseThrow().context()
        .getBean(dev.tern.controlplane.cluster.RaftNode.class).state().service(EDGE).flatMap(ServiceState::plan).isPresent());
  }

  private static HttpResponse<String> putService(String name, String yaml) {
    return leader().send("PUT", "/api/v1/services/" + name + "?reason=providers-test", "application/yaml", yaml,
        "Authorization", "Bearer " + world.credentials().adminToken());
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
    observers.values().forEach(Provider::close);
    for (AutoCloseable c : new AutoCloseable[] {moto, accelerator, trafficManager, cloudDns}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception e) {
          System.err.println("closing " + c + ": " + e);
        }
      }
    }
  }

  @Test
  @Order(1)
  void a_failover_reaches_every_provider_within_five_seconds_of_the_decision() throws Exception {
    awaitServed("every provider serves the first plan");
    // The backend answering shop's EU clients, and aws-frankfurt (edge's): their regions fail at once.
    String euAnswer = plan().zone(dev.tern.policy.geo.ClientZone.EU).orElseThrow().answers().getFirst().backend();
    java.util.Set<String> failed = new java.util.TreeSet<>(List.of(euAnswer, "aws-frankfurt"));
    List<Region> regions = failed.stream().map(b -> state("shop").model().backend(b).orElseThrow().region()).toList();
    regions.forEach(world.regions()::stop);
    try {
      await("shop's plan without " + failed, Duration.ofSeconds(20), () -> without(plan(), failed));
      await("edge's plan without aws-frankfurt", Duration.ofSeconds(20), () -> without(state(EDGE).plan().orElseThrow(),
          failed));
      Map<String, Duration> lag = convergence(failed);
      System.out.println("providers after the failover away from " + failed + ": " + lag);
      lag.forEach((provider, d) -> assertTrue(d.compareTo(CONVERGE) <= 0, provider + " took " + d));
    } finally {
      regions.forEach(world.regions()::start);
    }
    // Latency routing need not move back to the backend: whatever the plan is once it is healthy, it is served.
    await(failed + " healthy again", Duration.ofSeconds(60), () -> failed.stream().allMatch(b -> state("shop").verdicts()
        .get(b).health() == dev.tern.policy.health.Health.HEALTHY));
    awaitServed("every provider serves the plan after the region returned");
    RoutingPlan after = plan();

    JsonNode status = JSON.readTree(get("/api/v1/providers"));
    assertEquals(observers.size(), status.size(), status.toString());
    for (JsonNode s : status) {
      assertTrue(s.path("lastError").isNull() || s.path("lastError").isMissingNode(), s.toString());
      assertEquals(state(s.path("service").asText()).plan().orElseThrow().version(), s.path("appliedVersion").asLong(),
          s.toString());
    }
    assertEquals(List.of(), accelerator.rejected(), "requests the Global Accelerator fake refused");
    assertEquals(List.of(), trafficManager.rejected(), "requests the Traffic Manager fake refused");
    assertEquals(List.of(), cloudDns.rejected(), "requests the Cloud DNS fake refused");
  }

  @Test
  @Order(2)
  void a_dry_run_through_the_api_shows_what_a_provider_would_change() throws Exception {
    awaitServed("every provider serves the plan");
    HttpResponse<String> r = leader().send("POST", "/api/v1/providers/route53-demo/dry-run?service=shop", "application/json",
        "", "Authorization", "Bearer " + world.credentials().operatorToken());
    assertEquals(200, r.statusCode(), r.body());
    JsonNode dry = JSON.readTree(r.body());
    assertEquals(plan().version(), dry.path("planVersion").asLong());
    assertEquals(0, dry.path("changes").size(), "nothing to change once converged: " + r.body());
    HttpResponse<String> viewer = leader().send("POST", "/api/v1/providers/route53-demo/dry-run?service=shop",
        "application/json", "", "Authorization", "Bearer " + world.credentials().viewerToken());
    assertEquals(403, viewer.statusCode(), "a dry run needs the operator role");
    HttpResponse<String> unknown = leader().send("POST", "/api/v1/providers/nope/dry-run?service=shop", "application/json",
        "", "Authorization", "Bearer " + world.credentials().operatorToken());
    assertEquals(404, unknown.statusCode(), unknown.body());
  }

  @Test
  @Order(3)
  void a_provider_that_keeps_failing_opens_an_incident_that_resolves_when_it_syncs_again() throws Exception {
    // An open incident of shop (the failover's) would take the provider's failure as an update instead.
    await("no open incident", Duration.ofSeconds(60), () -> !get("/api/v1/incidents").contains("\"open\":true"));
    String scenario = """
        kind: ChaosScenario
        name: route53-down
        hypothesis: Route 53 failing for 8 s pages once and the zone catches up after the heal.
        targets: {}
        fault:
          kind: provider-api-failure
          provider: route53
        duration: 8s
        injector: provider-fault
        expect:
          syncedWithin: 15s
        """;
    HttpResponse<String> started = leader().send("POST", "/api/v1/chaos/runs?reason=provider-sync-test",
        "application/yaml", scenario, "Authorization", "Bearer " + world.credentials().operatorToken());
    assertEquals(200, started.statusCode(), started.body());
    String runId = JSON.readTree(started.body()).path("runId").asText();

    await("a provider-sync incident", Duration.ofSeconds(15), () -> providerIncident().isPresent());
    JsonNode open = providerIncident().orElseThrow();
    assertTrue(open.path("summary").asText().contains("provider route53-demo has failed to sync since"), open.toString());
    assertEquals(runId, open.path("chaosRun").asText(), "an incident during a chaos run is marked as a test");

    await("the run ends", Duration.ofSeconds(60), () -> get("/api/v1/chaos/runs/" + runId).contains("\"active\":false"));
    String report = get("/api/v1/chaos/runs/" + runId + "/report");
    assertTrue(report.contains("\"outcome\":\"PASS\""), report);
    assertTrue(report.contains("route53-demo synced shop"), report);
    await("the incident resolves", Duration.ofSeconds(20), () -> providerIncident().map(i -> !i.path("open").asBoolean())
        .orElse(false));
    assertTrue(providerIncident().orElseThrow().path("updates").toString().contains("resolved: every provider synced again"),
        providerIncident().orElseThrow().toString());
  }

  @Test
  @Order(4)
  void a_hand_edit_in_the_cloud_is_found_corrected_and_written_to_the_audit_log() throws Exception {
    awaitServed("every provider serves the plan");
    String zone = moto.route53().listHostedZones().hostedZones().getFirst().id();
    software.amazon.awssdk.services.route53.model.ResourceRecordSet weighted = moto.route53()
        .listResourceRecordSets(b -> b.hostedZoneId(zone)).resourceRecordSets().stream()
        .filter(r -> r.name().startsWith("z-eu.") && r.weight() != null).findFirst().orElseThrow();
    // Someone sets a weight by hand in the AWS console.
    moto.route53().changeResourceRecordSets(b -> b.hostedZoneId(zone).changeBatch(c -> c.changes(ch -> ch
        .action(software.amazon.awssdk.services.route53.model.ChangeAction.UPSERT)
        .resourceRecordSet(weighted.toBuilder().weight(weighted.weight() == 1 ? 2L : 1L).build()))));
    await("the drift is corrected", Duration.ofSeconds(15), () -> pending().isEmpty());
    await("the drift is in the audit log", Duration.ofSeconds(10), () -> get("/api/v1/audit?limit=50")
        .contains("provider.drift"));
    String audit = get("/api/v1/audit?limit=50");
    assertTrue(audit.contains("route53-demo found a hand edit and corrected it"), audit);
    assertTrue(JSON.readTree(get("/api/v1/providers")).toString().contains("\"driftCorrected\":1"),
        get("/api/v1/providers"));
  }

  private static Optional<JsonNode> providerIncident() {
    try {
      for (JsonNode i : JSON.readTree(get("/api/v1/incidents"))) {
        if (i.path("kind").asText().equals("provider-sync")) {
          return Optional.of(i);
        }
      }
      return Optional.empty();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Per account, how long after the failover was decided (its service's plan without
   * {@code backends}) the observer first found nothing to change.
   */
  private static boolean without(RoutingPlan plan, java.util.Set<String> backends) {
    return plan.zones().stream().noneMatch(z -> backends.stream().anyMatch(z::contains));
  }

  private static Map<String, Duration> convergence(java.util.Set<String> backends) {
    Map<String, Duration> lag = new LinkedHashMap<>();
    Instant deadline = Instant.now().plus(CONVERGE).plusSeconds(15);
    while (lag.size() < observers.size() && Instant.now().isBefore(deadline)) {
      List<String> left = pending().stream().map(p -> p.split(" ")[0]).toList();
      Instant now = Instant.now();
      for (String p : observers.keySet()) {
        RoutingPlan plan = state(p.equals("ga-demo") ? EDGE : "shop").plan().orElseThrow();
        if (!left.contains(p) && !lag.containsKey(p) && without(plan, backends)) {
          lag.put(p, Duration.between(plan.decidedAt(), now));
        }
      }
      sleep(100);
    }
    assertEquals(observers.keySet(), lag.keySet(), "providers that never served the failover: " + pending());
    return lag;
  }

  /** The accounts whose cloud does not serve the committed plans yet, each with what it lacks. */
  private static List<String> pending() {
    List<String> out = new ArrayList<>();
    observers.forEach((name, p) -> {
      try {
        ServiceState service = state(name.equals("ga-demo") ? EDGE : "shop");
        if (service.plan().isEmpty()) {
          out.add(name + " (no plan yet)");
          return;
        }
        List<Provider.Change> changes = p.reconcile(service.model(), service.plan().get(), true).changes();
        if (!changes.isEmpty()) {
          out.add(name + " " + changes);
        }
      } catch (RuntimeException e) {
        out.add(name + " " + e);
      }
    });
    return out;
  }

  private static void awaitServed(String what) {
    try {
      await(what, Duration.ofSeconds(45), () -> pending().isEmpty());
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + ": " + pending() + "\nplan v" + plan().version() + " " + plan().zones()
          + "\nstatus " + get("/api/v1/providers") + "\nzone " + moto.route53().listResourceRecordSets(b -> b.hostedZoneId(
              moto.route53().listHostedZones().hostedZones().getFirst().id())).resourceRecordSets().stream()
              .filter(r -> r.name().startsWith("z-")).toList(), e);
    }
  }

  private static RoutingPlan plan() {
    return state("shop").plan().orElseThrow();
  }

  /** A service as the leader has it. */
  private static ServiceState state(String service) {
    await("a leader", Duration.ofSeconds(15), () -> world.leader().isPresent());
    return world.node(world.leader().orElseThrow()).orElseThrow().context()
        .getBean(dev.tern.controlplane.cluster.RaftNode.class).state().service(service).orElseThrow();
  }

  private static Http leader() {
    await("a leader", Duration.ofSeconds(15), () -> world.leader().isPresent());
    return new Http(world.node(world.leader().orElseThrow()).orElseThrow().uri());
  }

  private static String get(String path) {
    HttpResponse<String> r = leader().get(path, "Authorization", "Bearer " + world.credentials().viewerToken());
    assertEquals(200, r.statusCode(), path + ": " + r.body());
    return r.body();
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      sleep(100);
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
