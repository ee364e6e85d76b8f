package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.ProblemAssertions;
import dev.tern.controlplane.testing.ServiceYaml;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The API on a real single-node cluster: policies in through Raft, observations in, verdicts and
 * plans out, drains, the audit log, assignments and the event stream.
 */
@MicronautTest
class ControlPlaneApiTest {


  @Inject
  EmbeddedServer server;

  /** A failover service that fails over after one bad round and fails back at once. */
  static String yaml(String name) {
    return ServiceYaml.failover(name, 1, 1, "0s");
  }

  Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  private HttpResponse<String> put(String name, String yaml, String query, Role role) {
    return http.send("PUT", "/api/v1/services/" + name + query, "application/yaml", yaml,
        "Authorization", TestCredentials.bearer(role));
  }

  private HttpResponse<String> get(String path) {
    return http.get(path, "Authorization", TestCredentials.bearer(Role.VIEWER));
  }

  private String awaitBody(String path, String fragment) {
    return await(() -> get(path).body(), fragment);
  }

  private static String await(Supplier<String> body, String fragment) {
    Instant deadline = Instant.now().plusSeconds(10);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      last = body.get();
      if (last.contains(fragment)) {
        return last;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("never saw " + fragment + " in " + last);
  }

  @Test
  void a_dry_run_shows_the_plan_diff_and_commits_nothing_then_apply_commits_and_audits() {
    HttpResponse<String> dry = put("shop", yaml("shop"), "?dryRun=true", Role.ADMIN);
    assertEquals(200, dry.statusCode(), dry.body());
    assertTrue(dry.body().contains("\"valid\":true"), dry.body());
    assertTrue(dry.body().contains("\"committed\":false"), dry.body());
    assertTrue(dry.body().contains("+ fra 1000"), dry.body());
    assertEquals(404, get("/api/v1/services/shop").statusCode());

    HttpResponse<String> noReason = put("shop", yaml("shop"), "", Role.ADMIN);
    assertEquals(400, noReason.statusCode());
    assertTrue(noReason.body().contains("reason"), noReason.body());

    HttpResponse<String> applied = put("shop", yaml("shop"), "?reason=launch", Role.ADMIN);
    assertEquals(200, applied.statusCode(), applied.body());
    assertTrue(applied.body().contains("\"committed\":true"), applied.body());
    assertTrue(get("/api/v1/services/shop").body().contains("hostname: shop.gslb.example.com"));
    awaitBody("/api/v1/services/shop/plan", "\"backend\":\"fra\"");
    String audit = get("/api/v1/audit").body();
    assertTrue(audit.contains("\"action\":\"service.create\"") && audit.contains("\"actor\":\"deployer\"")
        && audit.contains("\"reason\":\"launch\""), audit);
  }

  @Test
  void an_edit_made_on_a_stale_copy_is_refused_with_409_and_changes_nothing() {
    assertEquals(200, put("cart", yaml("cart"), "?reason=launch&ifPolicyVersion=0", Role.ADMIN).statusCode());
    long version = Long.parseLong(get("/api/v1/services/cart").body().replaceAll(".*\"policyVersion\":(\\d+).*", "$1"));
    assertEquals(200, put("cart", yaml("cart").replace("192.0.2.20", "192.0.2.21"),
        "?reason=mine&ifPolicyVersion=" + version, Role.ADMIN).statusCode());
    HttpResponse<String> stale = put("cart", yaml("cart"), "?reason=theirs&ifPolicyVersion=" + version, Role.ADMIN);
    assertEquals(409, stale.statusCode(), stale.body());
    assertTrue(stale.body().contains("it changed since this edit was loaded"), stale.body());
    assertTrue(get("/api/v1/services/cart").body().contains("192.0.2.21"), "the stale edit changed nothing");
    assertEquals(400, put("cart", yaml("cart"), "?reason=x&ifPolicyVersion=-5", Role.ADMIN).statusCode());
  }

  @Test
  void an_invalid_policy_is_refused_with_its_violations_and_a_foreign_name_is_refused() {
    HttpResponse<String> bad = put("broken", yaml("broken").replace("weight", "wieght")
        .replace("priority: 2", "priority: 3"), "?reason=x", Role.ADMIN);
    assertEquals(422, bad.statusCode(), bad.body());
    assertTrue(bad.body().contains("application/problem+json") || bad.headers().firstValue("Content-Type").orElse("").contains("problem"));
    assertTrue(bad.body().contains("priority"), bad.body());
    HttpResponse<String> mismatch = put("other", yaml("shop2"), "?dryRun=true", Role.ADMIN);
    assertTrue(mismatch.body().contains("exactly one kind: Service document named other"), mismatch.body());
  }

  @Test
  void observations_from_two_vantages_fail_a_backend_over_and_the_failover_is_listed() {
    assertEquals(200, put("pay", yaml("pay"), "?reason=launch", Role.ADMIN).statusCode());
    awaitBody("/api/v1/services/pay/plan", "\"backend\":\"fra\"");
    String now = Instant.now().toString();
    String batch = """
        {"observations":[
          {"vantage":"aws:us-east-1","service":"pay","backend":"fra","at":"%1$s","ok":false,"latencyMs":2000,"error":"timeout"},
          {"vantage":"gcp:asia-northeast1","service":"pay","backend":"fra","at":"%1$s","ok":false,"latencyMs":2000,"error":"timeout"},
          {"vantage":"aws:us-east-1","service":"pay","backend":"ams","at":"%1$s","ok":true,"latencyMs":14.5},
          {"vantage":"gcp:asia-northeast1","service":"pay","backend":"ams","at":"%1$s","ok":true,"latencyMs":30},
          {"vantage":"aws:us-east-1","service":"nope","backend":"x","at":"%1$s","ok":true,"latencyMs":1}
        ]}""".formatted(now);
    HttpResponse<String> viewer = http.send("POST", "/api/v1/probes/observations", "application/json", batch,
        "Authorization", TestCredentials.bearer(Role.VIEWER));
    assertEquals(403, viewer.statusCode());
    HttpResponse<String> in = http.send("POST", "/api/v1/probes/observations", "application/json", batch,
        "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(200, in.statusCode(), in.body());
    assertEquals("{\"accepted\":4,\"unknownTarget\":1}", in.body());

    awaitBody("/api/v1/services/pay/plan", "\"backend\":\"ams\"");
    String backends = get("/api/v1/services/pay/backends").body();
    assertTrue(backends.contains("\"health\":\"UNHEALTHY\""), backends);
    assertTrue(backends.contains("\"vantage\":\"gcp:asia-northeast1\",\"opinion\":\"DOWN\""), backends);
    awaitBody("/api/v1/failovers", "\"failed\":[\"fra UNHEALTHY\"]");

    String fra = get("/api/v1/services/pay/backends/fra/latency").body();
    assertTrue(fra.contains("\"bucketSeconds\":15"), fra);
    assertTrue(fra.contains("{\"vantage\":\"aws:us-east-1\",\"points\":[{\"at\":"), fra);
    assertTrue(fra.contains("\"ok\":0,\"failed\":1}"), fra);
    String ams = get("/api/v1/services/pay/backends/ams/latency").body();
    assertTrue(ams.contains("\"ok\":1,\"failed\":0,\"meanMs\":14.5,\"maxMs\":14.5"), ams);
    assertTrue(ams.contains("\"meanMs\":30.0"), ams);
    assertEquals(404, get("/api/v1/services/pay/backends/nope/latency").statusCode());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "a null observation         | null                                    | observations[1] is null",
      "a time a billion years ago | \"at\":\"-1000000000-01-01T00:00:00Z\" | observations[1].at must be between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z",
      "a time before the epoch    | \"at\":\"1969-12-31T23:59:59Z\"        | observations[1].at must be between",
      "a time after the year 9999 | \"at\":\"+10000-01-01T00:00:00Z\"       | observations[1].at must be between",
  })
  void a_batch_with_a_malformed_observation_is_refused_whole_with_a_400_problem(String what, String second,
      String detail) {
    if (get("/api/v1/services/ingest").statusCode() != 200) {
      assertEquals(200, put("ingest", yaml("ingest"), "?reason=launch", Role.ADMIN).statusCode());
    }
    String observation = "{\"vantage\":\"aws:us-east-1\",\"service\":\"ingest\",\"backend\":\"fra\","
        + "\"at\":\"" + Instant.now() + "\",\"ok\":true,\"latencyMs\":3}";
    String malformed = second.equals("null") ? "null" : observation.replaceFirst("\"at\":\"[^\"]*\"", second);
    String batch = "{\"observations\":[" + observation + "," + malformed + "]}";

    HttpResponse<String> in = http.send("POST", "/api/v1/probes/observations", "application/json", batch,
        "Authorization", TestCredentials.bearer(Role.OPERATOR));

    Map<String, Object> problem = ProblemAssertions.assertProblem(400, in);
    assertTrue(((String) problem.get("detail")).startsWith(detail), problem.toString());
    String latency = get("/api/v1/services/ingest/backends/fra/latency").body();
    assertTrue(latency.contains("\"series\":[]"), "the valid first observation was not taken either: " + latency);
  }

  @Test
  void an_operator_drains_a_backend_with_a_reason_and_traffic_moves() {
    assertEquals(200, put("cdn", yaml("cdn"), "?reason=launch", Role.ADMIN).statusCode());
    awaitBody("/api/v1/services/cdn/plan", "\"backend\":\"fra\"");
    HttpResponse<String> drained = http.send("PUT", "/api/v1/services/cdn/backends/fra/drain?reason=kernel+upgrade", null, "",
        "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(200, drained.statusCode(), drained.body());
    assertTrue(drained.body().contains("\"reason\":\"kernel upgrade\""), drained.body());
    awaitBody("/api/v1/services/cdn/plan", "fra left out: drained by an operator");
    String timeline = awaitBody("/api/v1/timeline?service=cdn", "\"kind\":\"drain\"");
    assertTrue(timeline.contains("backend.drain cdn/fra (kernel upgrade)"), timeline);
    assertTrue(timeline.indexOf("\"kind\":\"drain\"") < timeline.indexOf("\"kind\":\"policy\""), "newest first: " + timeline);
    long term = Long.parseLong(get("/api/v1/cluster").body().replaceAll(".*\"term\":(\\d+).*", "$1"));
    assertTrue(timeline.contains("\"decidedBy\":{\"node\":\"n1\",\"term\":" + term + "}"),
        "decided by the leader in its term " + term + ": " + timeline);
    String drains = get("/api/v1/audit?action=backend.&target=cdn/&q=KERNEL&newestFirst=true").body();
    assertTrue(drains.startsWith("[{") && drains.contains("\"reason\":\"kernel upgrade\""), drains);
    assertTrue(!drains.contains("service.create"), drains);
    assertEquals("[]", get("/api/v1/audit?actor=nobody").body());
    HttpResponse<String> missing = http.send("PUT", "/api/v1/services/cdn/backends/nope/drain?reason=x", null, "",
        "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(404, missing.statusCode());
  }

  @Test
  void a_probe_long_polling_for_assignments_is_answered_when_a_service_is_added() throws Exception {
    String first = http.get("/api/v1/probes/assignments?region=aws:eu-west-1", "Authorization",
        TestCredentials.bearer(Role.OPERATOR)).body();
    long version = Long.parseLong(first.replaceAll(".*\"policyVersion\":(\\d+).*", "$1"));
    CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(() -> http.get(
        "/api/v1/probes/assignments?region=aws:eu-west-1&waitSeconds=20&after=" + version,
        "Authorization", TestCredentials.bearer(Role.OPERATOR)));
    Thread.sleep(300);
    assertTrue(!poll.isDone(), "the poll waits for a change");
    assertEquals(200, put("media", yaml("media"), "?reason=launch", Role.ADMIN).statusCode());
    HttpResponse<String> answered = poll.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(answered.body().contains("\"service\":\"media\",\"backend\":\"fra\",\"address\":\"192.0.2.10\",\"kind\":\"https\""),
        answered.body());
  }

  @Test
  void the_event_stream_tells_the_console_about_committed_changes() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpRequest request = HttpRequest.newBuilder(server.getURI().resolve("/api/v1/events"))
        .header("Authorization", TestCredentials.bearer(Role.VIEWER)).build();
    HttpResponse<java.io.InputStream> stream = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, stream.statusCode());
    CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.contains("\"service\":\"stream\"")) {
            return line;
          }
        }
        return "closed";
      } catch (java.io.IOException e) {
        return e.toString();
      }
    });
    Thread.sleep(200);
    assertEquals(200, put("stream", yaml("stream"), "?reason=launch", Role.ADMIN).statusCode());
    String line = seen.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertTrue(line.startsWith("data:") && line.contains("\"type\":\"service\""), line);
    stream.body().close();
  }

  @Test
  void the_cluster_status_shows_a_single_node_leading_and_on_record_as_the_leader_of_its_term() {
    String status = awaitBody("/api/v1/cluster", "\"termLeaders\":{\"");
    assertTrue(status.contains("\"leader\":true") && status.contains("\"members\":[\"n1\"]"), status);
    String term = status.replaceAll(".*\"term\":(\\d+).*", "$1");
    assertTrue(status.contains("\"" + term + "\":\"n1\""), "termLeaders records n1 for term " + term + ": " + status);
  }
}
