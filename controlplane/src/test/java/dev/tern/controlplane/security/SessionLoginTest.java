package dev.tern.controlplane.security;

import static dev.tern.controlplane.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@MicronautTest
class SessionLoginTest {

  private static final String POLICY = "kind: Service\n";

  @Inject
  EmbeddedServer server;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  /** A logged-in console: its cookie header value and its CSRF token. */
  record Console(String cookie, String csrfToken) {}

  private HttpResponse<String> logIn(String username, String password) {
    return http.send("POST", "/api/v1/session", "application/json",
        "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
  }

  private Console logInAs(String username, String password) {
    HttpResponse<String> response = logIn(username, password);
    assertEquals(200, response.statusCode(), response.body());
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    Map<String, Object> body = new Yaml().load(response.body());
    return new Console(setCookie.split(";")[0], (String) body.get("csrfToken"));
  }

  @Test
  void a_wrong_password_is_refused_with_401_and_no_cookie() {
    HttpResponse<String> response = logIn(TestCredentials.ADMIN_USER, "wrong");
    assertProblem(401, response);
    assertTrue(response.headers().allValues("Set-Cookie").isEmpty());
  }

  @Test
  void an_unknown_user_is_refused_with_the_same_401() {
    HttpResponse<String> unknown = logIn("mallory", "whatever");
    HttpResponse<String> wrong = logIn(TestCredentials.ADMIN_USER, "whatever");
    assertEquals(assertProblem(401, wrong).get("detail"), assertProblem(401, unknown).get("detail"));
  }

  @Test
  void a_password_longer_than_bcrypt_reads_is_a_wrong_password() {
    String rightThenMore = TestCredentials.ADMIN_PASSWORD + ">".repeat(72);
    HttpResponse<String> wrong = logIn(TestCredentials.ADMIN_USER, "wrong");
    for (String user : new String[] {TestCredentials.ADMIN_USER, "mallory"}) {
      HttpResponse<String> response = logIn(user, rightThenMore);
      assertEquals(assertProblem(401, wrong).get("detail"), assertProblem(401, response).get("detail"));
      assertTrue(response.headers().allValues("Set-Cookie").isEmpty());
    }
  }

  @Test
  void the_right_password_sets_a_strict_http_only_session_cookie_and_returns_a_csrf_token() {
    HttpResponse<String> response = logIn(TestCredentials.ADMIN_USER, TestCredentials.ADMIN_PASSWORD);
    assertEquals(200, response.statusCode(), response.body());
    String setCookie = response.headers().firstValue("Set-Cookie").orElseThrow();
    List<String> attributes = List.of(setCookie.split(";\\s*"));
    assertTrue(attributes.get(0).startsWith(ConsoleSessions.COOKIE + "="), setCookie);
    assertTrue(attributes.get(0).length() >= ConsoleSessions.COOKIE.length() + 1 + 43, "256-bit id: " + setCookie);
    assertTrue(attributes.stream().anyMatch(a -> a.equalsIgnoreCase("HttpOnly")), setCookie);
    assertTrue(attributes.stream().anyMatch(a -> a.equalsIgnoreCase("SameSite=Strict")), setCookie);
    assertTrue(attributes.stream().anyMatch(a -> a.equalsIgnoreCase("Path=/")), setCookie);
    assertFalse(attributes.stream().anyMatch(a -> a.equalsIgnoreCase("Secure")), "plain HTTP: " + setCookie);

    Map<String, Object> body = new Yaml().load(response.body());
    assertEquals(TestCredentials.ADMIN_USER, body.get("username"));
    assertEquals("admin", body.get("role"));
    assertTrue(body.get("csrfToken") instanceof String csrf && csrf.length() >= 43, response.body());
    assertFalse(response.body().contains(attributes.get(0).split("=", 2)[1]), "the id travels only in the cookie");
  }

  @Test
  void a_session_cookie_authenticates_reads_without_a_csrf_token() {
    Console console = logInAs(TestCredentials.VIEWER_USER, TestCredentials.VIEWER_PASSWORD);
    HttpResponse<String> response = http.get("/api/v1/whoami", "Cookie", console.cookie());
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(Map.of("name", "vic", "role", "viewer", "via", "session"), new Yaml().load(response.body()));
  }

  @Test
  void a_mutating_request_with_the_cookie_but_without_the_csrf_header_is_refused_with_403() {
    Console console = logInAs(TestCredentials.ADMIN_USER, TestCredentials.ADMIN_PASSWORD);
    assertProblem(403, http.send("POST", "/api/v1/policies:validate", "application/yaml", POLICY,
        "Cookie", console.cookie()));
  }

  @Test
  void a_mutating_request_with_another_sessions_csrf_token_is_refused_with_403() {
    Console mine = logInAs(TestCredentials.ADMIN_USER, TestCredentials.ADMIN_PASSWORD);
    Console theirs = logInAs(TestCredentials.VIEWER_USER, TestCredentials.VIEWER_PASSWORD);
    assertProblem(403, http.send("POST", "/api/v1/policies:validate", "application/yaml", POLICY,
        "Cookie", mine.cookie(), ConsoleSessions.CSRF_HEADER, theirs.csrfToken()));
  }

  @Test
  void a_mutating_request_with_the_cookie_and_its_csrf_header_passes_the_check() {
    Console console = logInAs(TestCredentials.ADMIN_USER, TestCredentials.ADMIN_PASSWORD);
    HttpResponse<String> response = http.send("POST", "/api/v1/policies:validate", "application/yaml",
        POLICY, "Cookie", console.cookie(), ConsoleSessions.CSRF_HEADER, console.csrfToken());
    assertEquals(200, response.statusCode(), response.body());
  }

  @Test
  void logging_out_ends_the_session() {
    Console console = logInAs(TestCredentials.ADMIN_USER, TestCredentials.ADMIN_PASSWORD);
    HttpResponse<String> out = http.send("DELETE", "/api/v1/session", null, "",
        "Cookie", console.cookie(), ConsoleSessions.CSRF_HEADER, console.csrfToken());
    assertEquals(204, out.statusCode(), out.body());
    assertTrue(out.headers().firstValue("Set-Cookie").orElse("").contains("Max-Age=0"),
        out.headers().map().toString());
    assertProblem(401, http.get("/api/v1/whoami", "Cookie", console.cookie()));
  }

  @Test
  void an_unknown_session_cookie_is_refused_with_401() {
    assertProblem(401, http.get("/api/v1/whoami", "Cookie", ConsoleSessions.COOKIE + "=" + Secrets.randomToken()));
  }
}
