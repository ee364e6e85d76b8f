package dev.tern.controlplane.server;

import static dev.tern.controlplane.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.context.annotation.Property;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@MicronautTest
@Property(name = FailingFixtureController.ENABLED, value = "true")
class ProblemDetailsTest {

  private static final String ADMIN = TestCredentials.bearer(Role.ADMIN);

  @Inject
  EmbeddedServer server;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  @Test
  void an_unknown_path_is_a_404_problem() {
    Map<String, Object> problem = assertProblem(404, http.get("/api/v1/no-such-thing", "Authorization", ADMIN));
    assertEquals("Not Found", problem.get("title"));
  }

  @Test
  void an_unknown_path_is_a_404_problem_even_for_a_browser() {
    assertProblem(404, http.get("/nothing-here", "Accept", "text/html"));
  }

  @Test
  void a_method_the_endpoint_does_not_have_is_a_405_problem() {
    assertProblem(405, http.send("DELETE", "/health", null, ""));
  }

  @Test
  void a_body_over_the_size_limit_is_a_413_problem() {
    String policy = "# " + "x".repeat(1024 * 1024 + 1) + "\n";
    assertProblem(413, http.send("POST", "/api/v1/policies:validate", "application/yaml", policy,
        "Authorization", ADMIN));
  }

  @Test
  void malformed_json_is_a_400_problem() {
    assertProblem(400, http.send("POST", "/api/v1/session", "application/json", "{\"username\": "));
  }

  @Test
  void a_json_body_that_fails_validation_is_a_400_problem_naming_the_field() {
    Map<String, Object> problem = assertProblem(400,
        http.send("POST", "/api/v1/session", "application/json", "{\"username\": \"\", \"password\": \"x\"}"));
    assertEquals(true, problem.get("detail").toString().contains("username"), problem.toString());
  }

  @Test
  void a_content_type_the_endpoint_does_not_take_is_a_415_problem() {
    assertProblem(415, http.send("POST", "/api/v1/policies:validate", "application/json", "{}",
        "Authorization", ADMIN));
  }

  @Test
  void a_server_error_is_a_500_problem_that_does_not_leak_the_exception() {
    HttpResponse<String> response = http.get("/test/failing", "Authorization", ADMIN);
    Map<String, Object> problem = assertProblem(500, response);
    assertEquals(ProblemErrorResponseProcessor.SERVER_ERROR_DETAIL, problem.get("detail"));
    assertFalse(response.body().contains(FailingFixtureController.SECRET), response.body());
    assertFalse(response.body().contains("IllegalStateException"), response.body());
  }
}
