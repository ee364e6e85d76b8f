package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@MicronautTest
class OperationsEndpointsTest {

  @Inject
  EmbeddedServer server;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  @Test
  void health_answers_up_without_credentials() {
    HttpResponse<String> response = http.get("/health");
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(Map.of("status", "UP"), new Yaml().load(response.body()));
  }

  @Test
  void metrics_are_prometheus_text_with_jvm_and_request_meters() {
    http.get("/health");
    HttpResponse<String> response = http.get("/metrics", "Authorization", TestCredentials.bearer(Role.VIEWER));
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"),
        response.headers().map().toString());
    assertTrue(response.body().contains("jvm_memory_used_bytes"), response.body());
    assertTrue(response.body().contains("http_server_requests_seconds_count{method=\"GET\",status=\"200\",uri=\"/health\"}"),
        response.body());
  }

  @Test
  void the_openapi_spec_is_served_as_yaml_without_credentials() {
    HttpResponse<String> response = http.get("/api/v1/openapi.yml");
    assertEquals(200, response.statusCode(), response.body());
    assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/yaml"));
    Map<String, Object> spec = new Yaml().load(response.body());
    assertEquals("3.1.0", spec.get("openapi"));
  }
}
