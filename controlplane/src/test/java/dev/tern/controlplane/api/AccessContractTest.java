package dev.tern.controlplane.api;

import static dev.tern.controlplane.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Reads the served OpenAPI spec and checks every operation in it against the running server, so a
 * new endpoint is covered the moment it exists, without anyone remembering to add a test.
 */
@MicronautTest
@Property(name = AccessFixtureController.ENABLED, value = "true")
@Property(name = "tern.demo.enabled", value = "true")
class AccessContractTest {

  /** Endpoints that answer without credentials. Adding one is a security decision: add it here. */
  private static final Set<String> PUBLIC_OPERATIONS = Set.of(
      "GET /",
      "GET /assets/{version}/{name}",
      "GET /health",
      "GET /api/v1/openapi.yml",
      "POST /api/v1/session");

  private static final Set<String> MUTATING = Set.of("post", "put", "patch", "delete");

  /** What a probe agent does; a probe token may do this and nothing else. */
  private static final Set<String> PROBE_OPERATIONS = Set.of(
      "POST /api/v1/probes/observations",
      "GET /api/v1/probes/assignments");

  /** One operation of the spec. */
  record Operation(String method, String path, String role, String contentType) {
    String key() {
      return method.toUpperCase() + " " + path;
    }

    boolean isPublic() {
      return role.equals("public");
    }

    /** The path with each template variable filled in, so the router matches it. */
    String concretePath() {
      return path.replaceAll("\\{[^}]*}", "x");
    }
  }

  @Inject
  EmbeddedServer server;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  @SuppressWarnings("unchecked")
  private List<Operation> operations() {
    HttpResponse<String> response = http.get("/api/v1/openapi.yml");
    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> spec = new Yaml().load(response.body());
    Map<String, Map<String, Map<String, Object>>> paths =
        (Map<String, Map<String, Map<String, Object>>>) spec.get("paths");
    List<Operation> operations = new ArrayList<>();
    paths.forEach((path, methods) -> methods.forEach((method, op) -> {
      Object role = op.get("x-tern-role");
      assertTrue(role instanceof String, method + " " + path + " has no x-tern-role");
      String contentType = null;
      if (op.get("requestBody") instanceof Map<?, ?> body
          && body.get("content") instanceof Map<?, ?> content && !content.isEmpty()) {
        contentType = (String) content.keySet().iterator().next();
      }
      operations.add(new Operation(method, path, (String) role, contentType));
    }));
    return operations;
  }

  private HttpResponse<String> call(Operation op, String... headers) {
    String body = op.contentType() == null ? "" : op.contentType().contains("json") ? "{}" : "kind: Service\n";
    return http.send(op.method().toUpperCase(), op.concretePath(), op.contentType(), body, headers);
  }

  @Test
  void the_spec_lists_every_endpoint_with_its_role() {
    Map<String, String> roles = operations().stream()
        .collect(Collectors.toMap(Operation::key, Operation::role));
    assertEquals("public", roles.get("GET /health"));
    assertEquals("viewer", roles.get("GET /metrics"));
    assertEquals("public", roles.get("GET /api/v1/openapi.yml"));
    assertEquals("viewer", roles.get("GET /api/v1/whoami"));
    assertEquals("viewer", roles.get("POST /api/v1/policies:validate"));
    assertEquals("viewer", roles.get("GET /api/v1/backends"));
    assertEquals("viewer", roles.get("GET /api/v1/plans"));
    assertEquals("viewer", roles.get("GET /api/v1/demo/regions"));
    assertEquals("operator", roles.get("POST /api/v1/demo/regions/{region}/stop"));
    assertEquals("operator", roles.get("POST /api/v1/demo/regions/{region}/start"));
    assertEquals("public", roles.get("POST /api/v1/session"));
    assertEquals("viewer", roles.get("DELETE /api/v1/session"));
    assertEquals("probe", roles.get("POST /api/v1/probes/observations"));
    assertEquals("probe", roles.get("GET /api/v1/probes/assignments"));
  }

  @Test
  void an_endpoint_that_declares_no_role_needs_viewer_to_read_and_admin_to_change() {
    Map<String, String> roles = operations().stream()
        .collect(Collectors.toMap(Operation::key, Operation::role));
    assertEquals("viewer", roles.get("GET /test/access/undeclared"));
    assertEquals("admin", roles.get("POST /test/access/undeclared"));
    assertEquals("operator", roles.get("PUT /test/access/operator/{id}"));
  }

  @Test
  void only_the_listed_endpoints_are_public() {
    Set<String> actual = operations().stream()
        .filter(Operation::isPublic)
        .map(Operation::key)
        .collect(Collectors.toCollection(TreeSet::new));
    assertEquals(new TreeSet<>(PUBLIC_OPERATIONS), actual);
  }

  @Test
  void mutating_endpoints_refuse_requests_without_a_token() {
    List<Operation> mutating = operations().stream()
        .filter(op -> MUTATING.contains(op.method()) && !op.isPublic())
        .toList();
    assertFalse(mutating.isEmpty());
    for (Operation op : mutating) {
      assertProblem(401, call(op));
    }
  }

  @Test
  void protected_reads_refuse_requests_without_a_token() {
    List<Operation> reads = operations().stream()
        .filter(op -> !MUTATING.contains(op.method()) && !op.isPublic())
        .toList();
    assertFalse(reads.isEmpty());
    for (Operation op : reads) {
      HttpResponse<String> response = call(op);
      assertProblem(401, response);
      assertTrue(response.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"),
          op.key());
    }
  }

  @Test
  void the_head_twin_of_a_protected_read_refuses_requests_without_a_token() {
    for (Operation op : operations()) {
      if (op.method().equals("get") && !op.isPublic()) {
        HttpResponse<String> response = http.send(http.request(op.concretePath())
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(401, response.statusCode(), "HEAD " + op.path());
      }
    }
  }

  @Test
  void every_protected_endpoint_refuses_a_token_whose_role_is_too_weak() {
    int checked = 0;
    for (Operation op : operations()) {
      if (op.isPublic()) {
        continue;
      }
      Role required = Role.parse(op.role());
      for (Role weaker : Role.values()) {
        if (!weaker.covers(required)) {
          assertProblem(403, call(op, "Authorization", TestCredentials.bearer(weaker)));
          checked++;
        }
      }
    }
    assertTrue(checked >= 3, "the fixtures alone need operator and admin");
  }

  @Test
  void a_probe_token_may_report_and_read_its_assignments_and_is_refused_everywhere_else() {
    Set<String> passed = new TreeSet<>();
    int refused = 0;
    for (Operation op : operations()) {
      if (op.isPublic()) {
        continue;
      }
      HttpResponse<String> response = call(op, "Authorization", TestCredentials.bearer(Role.PROBE));
      if (PROBE_OPERATIONS.contains(op.key())) {
        assertFalse(response.statusCode() == 401 || response.statusCode() == 403, op.key() + " -> " + response.body());
        passed.add(op.key());
      } else {
        assertProblem(403, response);
        refused++;
      }
    }
    assertEquals(new TreeSet<>(PROBE_OPERATIONS), passed);
    assertTrue(refused > 0, "every other endpoint, writes and reads alike");
  }

  @Test
  void every_mutating_endpoint_refuses_a_console_session_without_its_csrf_token() {
    HttpResponse<String> login = http.send("POST", "/api/v1/session", "application/json",
        "{\"username\": \"" + TestCredentials.ADMIN_USER + "\", \"password\": \"" + TestCredentials.ADMIN_PASSWORD + "\"}");
    assertEquals(200, login.statusCode(), login.body());
    String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
    String foreignToken = "not-this-sessions-csrf-token-0000000000000000";
    List<Operation> mutating = operations().stream()
        .filter(op -> MUTATING.contains(op.method()) && !op.isPublic())
        .toList();
    assertFalse(mutating.isEmpty());
    for (Operation op : mutating) {
      assertProblem(403, call(op, "Cookie", cookie));
      assertProblem(403, call(op, "Cookie", cookie, "X-CSRF-Token", foreignToken));
    }
    // The same session still reads: the refusals were about intent, not about the session.
    assertEquals(200, http.get("/api/v1/whoami", "Cookie", cookie).statusCode());
  }

  @Test
  void every_protected_endpoint_lets_a_strong_enough_token_past_the_check() {
    for (Operation op : operations()) {
      if (op.isPublic()) {
        continue;
      }
      // Only the status matters, and a stream (the event stream) never ends: read the head alone.
      String body = op.contentType() == null ? "" : op.contentType().contains("json") ? "{}" : "kind: Service\n";
      HttpRequest.Builder request = http.request(op.concretePath())
          .method(op.method().toUpperCase(), HttpRequest.BodyPublishers.ofString(body))
          .header("Authorization", TestCredentials.bearer(Role.ADMIN));
      if (op.contentType() != null) {
        request.header("Content-Type", op.contentType());
      }
      int status = statusOnly(request.build());
      assertFalse(status == 401 || status == 403, op.key() + " -> " + status);
    }
  }

  private static int statusOnly(HttpRequest request) {
    try {
      HttpResponse<java.io.InputStream> response = java.net.http.HttpClient.newHttpClient()
          .send(request, HttpResponse.BodyHandlers.ofInputStream());
      response.body().close();
      return response.statusCode();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
