package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.ProblemAssertions;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * {@code POST /api/v1/what-if} on a real single-node cluster running the demo's shop policy, with
 * observations that make Frankfurt the EU's fastest backend and Virginia (AWS) North America's.
 */
@MicronautTest
class WhatIfApiTest {

  static final Set<String> EU = Set.of("aws-frankfurt", "azure-amsterdam", "gcp-belgium");
  static final Map<String, double[]> LATENCY = Map.of(
      "aws-frankfurt", new double[] {5, 8, 90, 180},
      "azure-amsterdam", new double[] {40, 45, 95, 185},
      "gcp-belgium", new double[] {80, 85, 100, 190},
      "aws-virginia", new double[] {90, 92, 5, 200},
      "azure-virginia", new double[] {95, 97, 40, 210},
      "gcp-singapore", new double[] {180, 185, 200, 5});
  static final List<String> VANTAGES = List.of("aws:eu-central-1", "gcp:europe-west1", "aws:us-east-1", "gcp:asia-southeast1");

  @Inject
  EmbeddedServer server;

  Http http;

  @BeforeEach
  void shopWithHealthyBackends() throws IOException {
    http = new Http(server.getURI());
    if (get("/api/v1/services/shop").statusCode() != 200) {
      String yaml;
      try (InputStream in = getClass().getResourceAsStream("/demo/shop.yaml")) {
        yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND_PORT", "8080")
            .replace("staleAfter: 5s", "staleAfter: 10m");
      }
      HttpResponse<String> put = http.send("PUT", "/api/v1/services/shop?reason=test", "application/yaml", yaml,
          "Authorization", TestCredentials.bearer(Role.ADMIN));
      assertEquals(200, put.statusCode(), put.body());
    }
    StringJoiner batch = new StringJoiner(",", "{\"observations\":[", "]}");
    String now = Instant.now().toString();
    LATENCY.forEach((backend, ms) -> {
      for (int i = 0; i < VANTAGES.size(); i++) {
        batch.add("{\"vantage\":\"%s\",\"service\":\"shop\",\"backend\":\"%s\",\"at\":\"%s\",\"ok\":true,\"latencyMs\":%s}"
            .formatted(VANTAGES.get(i), backend, now, ms[i]));
      }
    });
    HttpResponse<String> in = http.send("POST", "/api/v1/probes/observations", "application/json", batch.toString(),
        "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(200, in.statusCode(), in.body());
    awaitEuAnswer("aws-frankfurt");
  }

  private HttpResponse<String> get(String path) {
    return http.get(path, "Authorization", TestCredentials.bearer(Role.VIEWER));
  }

  private HttpResponse<String> whatIf(String body) {
    return http.send("POST", "/api/v1/what-if", "application/json", body, "Authorization", TestCredentials.bearer(Role.VIEWER));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> json(String body) {
    return (Map<String, Object>) new Yaml().load(body);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> zone(Map<String, Object> plan, String zone) {
    return ((List<Map<String, Object>>) plan.get("zones")).stream().filter(z -> zone.equals(z.get("zone"))).findFirst()
        .orElseThrow(() -> new AssertionError("no zone " + zone + " in " + plan));
  }

  @SuppressWarnings("unchecked")
  private static List<String> backends(Map<String, Object> zone) {
    return ((List<Map<String, Object>>) zone.get("answers")).stream().map(a -> (String) a.get("backend")).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> shop(Map<String, Object> result) {
    List<Map<String, Object>> services = (List<Map<String, Object>>) result.get("services");
    assertEquals(1, services.size(), result.toString());
    return services.getFirst();
  }

  private void awaitEuAnswer(String backend) {
    Instant deadline = Instant.now().plusSeconds(10);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      HttpResponse<String> plan = get("/api/v1/services/shop/plan");
      last = plan.body();
      if (plan.statusCode() == 200 && backends(zone(json(last), "EU")).equals(List.of(backend))
          && last.contains("\"standing\":\"HEALTHY\"")) {
        return;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("EU never answered by " + backend + ": " + last);
  }

  @Test
  @SuppressWarnings("unchecked")
  void failing_the_eu_zones_backend_moves_eu_to_another_eu_backend_and_commits_nothing() {
    String planBefore = get("/api/v1/services/shop/plan").body();
    String policyBefore = get("/api/v1/services/shop").body();

    HttpResponse<String> response = whatIf("{\"backends\":[\"shop/aws-frankfurt\"]}");

    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> result = json(response.body());
    assertEquals(false, result.get("committed"));
    assertTrue(((String) result.get("note")).startsWith("Nothing was changed"), response.body());
    Map<String, Object> shop = shop(result);
    assertEquals(List.of("aws-frankfurt"), shop.get("failedBackends"));
    assertEquals(List.of("aws-frankfurt"), backends(zone((Map<String, Object>) shop.get("current"), "EU")));
    assertEquals(List.of("azure-amsterdam"), backends(zone((Map<String, Object>) shop.get("whatIf"), "EU")));
    assertTrue(((List<String>) shop.get("planDiff")).contains("EU: - aws-frankfurt (127.0.1.1) weight 1000"), response.body());
    assertTrue(response.body().contains("\"statement\":\"EU clients stay on EU backends: yes\""), response.body());
    assertEquals(true, shop.get("residencyHolds"));

    assertEquals(planBefore, get("/api/v1/services/shop/plan").body());
    assertEquals(policyBefore, get("/api/v1/services/shop").body());
  }

  @Test
  @SuppressWarnings("unchecked")
  void failing_every_eu_region_keeps_eu_clients_on_eu_backends_serving_them_anyway() {
    HttpResponse<String> response =
        whatIf("{\"regions\":[\"aws:eu-central-1\",\"azure:westeurope\",\"gcp:europe-west1\"]}");

    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> shop = shop(json(response.body()));
    Map<String, Object> eu = zone((Map<String, Object>) shop.get("whatIf"), "EU");
    assertEquals("FAIL_OPEN", eu.get("mode"), response.body());
    assertFalse(backends(eu).isEmpty(), response.body());
    assertTrue(EU.containsAll(backends(eu)), "EU answered outside the EU: " + backends(eu));
    assertTrue(response.body().contains("\"statement\":\"EU clients stay on EU backends: yes\""), response.body());
    assertTrue(response.body().contains("\"kind\":\"RESIDENCY_FALLBACK\""), response.body());
    for (String zone : List.of("north-america", "asia")) {
      assertTrue(backends(zone((Map<String, Object>) shop.get("whatIf"), zone)).stream().noneMatch(EU::contains), zone);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void failing_a_whole_cloud_moves_every_zone_it_answered() {
    HttpResponse<String> response = whatIf("{\"clouds\":[\"aws\"]}");

    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> shop = shop(json(response.body()));
    assertEquals(List.of("aws-frankfurt", "aws-virginia"), shop.get("failedBackends"));
    Map<String, Object> plan = (Map<String, Object>) shop.get("whatIf");
    assertEquals(List.of("azure-amsterdam"), backends(zone(plan, "EU")));
    assertEquals(List.of("azure-virginia"), backends(zone(plan, "north-america")));
  }

  @Test
  void an_unknown_backend_region_or_cloud_is_refused_in_words_naming_it() {
    Map<String, Object> backend = ProblemAssertions.assertProblem(422, whatIf("{\"backends\":[\"shop/aws-paris\"]}"));
    assertTrue(((String) backend.get("detail")).contains("'shop/aws-paris'"), backend.toString());
    Map<String, Object> region = ProblemAssertions.assertProblem(422, whatIf("{\"regions\":[\"aws:mars-1\"]}"));
    assertTrue(((String) region.get("detail")).contains("'aws:mars-1'"), region.toString());
    Map<String, Object> cloud = ProblemAssertions.assertProblem(422, whatIf("{\"clouds\":[\"oracle\"]}"));
    assertTrue(((String) cloud.get("detail")).contains("'oracle'"), cloud.toString());
    Map<String, Object> nothing = ProblemAssertions.assertProblem(400, whatIf("{}"));
    assertTrue(((String) nothing.get("detail")).contains("at least one"), nothing.toString());
  }
}
