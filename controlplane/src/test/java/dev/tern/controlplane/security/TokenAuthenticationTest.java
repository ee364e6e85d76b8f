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
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@MicronautTest
class TokenAuthenticationTest {

  @Inject
  EmbeddedServer server;

  @Inject
  SecuritySettings settings;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  @Test
  void a_known_token_is_accepted_and_names_its_caller() {
    HttpResponse<String> response =
        http.get("/api/v1/whoami", "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(200, response.statusCode(), response.body());
    Map<String, Object> body = new Yaml().load(response.body());
    assertEquals(Map.of("name", "chaos-job", "role", "operator", "via", "token"), body);
  }

  @Test
  void the_bearer_scheme_is_read_in_any_case() {
    HttpResponse<String> response = http.get("/api/v1/whoami",
        "Authorization", "bearer " + TestCredentials.TOKENS.get(Role.VIEWER));
    assertEquals(200, response.statusCode(), response.body());
  }

  @Test
  void an_unknown_token_is_refused_with_401() {
    assertProblem(401, http.get("/api/v1/whoami", "Authorization", "Bearer not-a-known-token"));
  }

  @Test
  void a_known_token_with_one_character_changed_is_refused_with_401() {
    String token = TestCredentials.TOKENS.get(Role.ADMIN);
    String altered = token.substring(0, token.length() - 1) + (token.endsWith("8") ? "9" : "8");
    assertProblem(401, http.get("/api/v1/whoami", "Authorization", "Bearer " + altered));
  }

  @Test
  void credentials_in_another_scheme_are_refused_with_401() {
    assertProblem(401, http.get("/api/v1/whoami", "Authorization", "Basic YWRhOnNlY3JldA=="));
  }

  @Test
  void the_configuration_holds_only_the_hash_of_each_token() throws IOException {
    String config;
    try (InputStream in = getClass().getResourceAsStream("/application-test.yml")) {
      config = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    for (String token : TestCredentials.TOKENS.values()) {
      assertFalse(config.contains(token), "the plaintext token must not be configured");
      assertTrue(config.contains(Secrets.sha256Hex(token)));
    }
    assertEquals(4, settings.tokens().size());
    for (SecuritySettings.ApiToken token : settings.tokens()) {
      assertFalse(TestCredentials.TOKENS.containsValue(token.sha256Hex()));
      assertEquals(64, token.sha256Hex().length());
    }
  }
}
