package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.ServiceYaml;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/** {@code GET /api/v1/vantages}: which probe regions this node hears from, and which went quiet. */
@MicronautTest
class VantagesApiTest {

  @Inject
  EmbeddedServer server;

  @Test
  @SuppressWarnings("unchecked")
  void a_vantage_that_stops_reporting_becomes_stale() throws InterruptedException {
    Http http = new Http(server.getURI());
    String yaml = ServiceYaml.failover("quiet", 1, 1, "0s").replace("staleAfter: 30s", "staleAfter: 2s");
    assertEquals(200, http.send("PUT", "/api/v1/services/quiet?reason=test", "application/yaml", yaml,
        "Authorization", TestCredentials.bearer(Role.ADMIN)).statusCode());

    report(http, List.of("aws:us-east-1", "gcp:asia-northeast1"));
    Map<String, Map<String, Object>> fresh = vantages(http);
    assertEquals(false, fresh.get("aws:us-east-1").get("stale"), fresh.toString());
    assertEquals(false, fresh.get("gcp:asia-northeast1").get("stale"), fresh.toString());
    assertEquals(2, fresh.get("aws:us-east-1").get("backends"), fresh.toString());
    assertEquals(false, fresh.get("aws:us-east-1").get("isolated"), fresh.toString());
    assertEquals("aws", fresh.get("aws:us-east-1").get("cloud"), fresh.toString());

    Instant deadline = Instant.now().plusSeconds(10);
    Map<String, Map<String, Object>> later = fresh;
    while (Instant.now().isBefore(deadline) && !Boolean.TRUE.equals(later.get("gcp:asia-northeast1").get("stale"))) {
      Thread.sleep(250);
      report(http, List.of("aws:us-east-1"));
      later = vantages(http);
    }
    assertEquals(true, later.get("gcp:asia-northeast1").get("stale"), later.toString());
    assertEquals(false, later.get("aws:us-east-1").get("stale"), later.toString());
    assertTrue(Instant.parse((String) later.get("aws:us-east-1").get("lastSeen"))
        .isAfter(Instant.parse((String) later.get("gcp:asia-northeast1").get("lastSeen"))), later.toString());
  }

  private static void report(Http http, List<String> vantages) {
    String now = Instant.now().toString();
    StringBuilder batch = new StringBuilder("{\"observations\":[");
    for (String v : vantages) {
      for (String backend : List.of("fra", "ams")) {
        if (batch.charAt(batch.length() - 1) != '[') {
          batch.append(',');
        }
        batch.append("{\"vantage\":\"%s\",\"service\":\"quiet\",\"backend\":\"%s\",\"at\":\"%s\",\"ok\":true,\"latencyMs\":12}"
            .formatted(v, backend, now));
      }
    }
    HttpResponse<String> in = http.send("POST", "/api/v1/probes/observations", "application/json", batch.append("]}").toString(),
        "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(200, in.statusCode(), in.body());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Map<String, Object>> vantages(Http http) {
    HttpResponse<String> response = http.get("/api/v1/vantages", "Authorization", TestCredentials.bearer(Role.VIEWER));
    assertEquals(200, response.statusCode(), response.body());
    List<Map<String, Object>> list = (List<Map<String, Object>>) new Yaml().load(response.body());
    Map<String, Map<String, Object>> out = new java.util.HashMap<>();
    list.forEach(v -> out.put((String) v.get("vantage"), v));
    return out;
  }
}
