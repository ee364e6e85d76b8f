package dev.tern.controlplane.security;

import static dev.tern.controlplane.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.controlplane.server.TernServer;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * How credentials stop working on a running node: a token by being removed from the configuration
 * (revocation takes a restart), a console session by outliving its ttl.
 */
class CredentialLifetimeTest {

  private static final String KEPT = "kept-token-for-lifetime-test-1a";
  private static final String REVOKED = "revoked-token-for-lifetime-test-2b";
  /** The bcrypt hash of {@link TestCredentials#ADMIN_PASSWORD}, as in application-test.yml. */
  private static final String ADMIN_BCRYPT = "$2a$04$ROXdoFf6JRvoMN/TvSDehugwvVLaUEuHBp1rw3kTk0xF7LSgZXYqy";

  private static Map<String, Object> token(String name, String token) {
    return Map.of("name", name, "role", "admin", "sha256", Secrets.sha256Hex(token));
  }

  private static TernServer start(Path dir, List<Map<String, Object>> tokens, String sessionTtl) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("micronaut.server.host", "127.0.0.1");
    p.put("micronaut.server.port", -1);
    p.put("tern.cluster.secret", "credential-lifetime-test-secret");
    p.put("tern.cluster.data-dir", dir.resolve("raft").toString());
    p.put("tern.dns.port", 0);
    p.put("tern.security.tokens", tokens);
    p.put("tern.security.users", List.of(Map.of("username", TestCredentials.ADMIN_USER, "role", "admin",
        "bcrypt", ADMIN_BCRYPT)));
    p.put("tern.security.session.ttl", sessionTtl);
    return TernServer.start(p, List.of());
  }

  private static int whoami(Http http, String token) {
    return http.get("/api/v1/whoami", "Authorization", "Bearer " + token).statusCode();
  }

  @Test
  void a_token_removed_from_the_configuration_is_refused_once_the_node_restarts(@TempDir Path dir) {
    try (TernServer before = start(dir, List.of(token("kept", KEPT), token("revoked", REVOKED)), "8h")) {
      Http http = new Http(before.uri());
      assertEquals(200, whoami(http, KEPT));
      assertEquals(200, whoami(http, REVOKED));
    }
    try (TernServer after = start(dir, List.of(token("kept", KEPT)), "8h")) {
      Http http = new Http(after.uri());
      assertEquals(200, whoami(http, KEPT));
      assertProblem(401, http.get("/api/v1/whoami", "Authorization", "Bearer " + REVOKED));
      assertProblem(401, http.send("PUT", "/api/v1/services/shop?reason=revoked", "application/yaml",
          "kind: Service\n", "Authorization", "Bearer " + REVOKED));
    }
  }

  @Test
  void a_session_past_its_ttl_is_refused_for_reads_and_changes(@TempDir Path dir) throws Exception {
    try (TernServer server = start(dir, List.of(token("kept", KEPT)), "1s")) {
      Http http = new Http(server.uri());
      HttpResponse<String> login = http.send("POST", "/api/v1/session", "application/json",
          "{\"username\": \"" + TestCredentials.ADMIN_USER + "\", \"password\": \""
              + TestCredentials.ADMIN_PASSWORD + "\"}");
      assertEquals(200, login.statusCode(), login.body());
      String cookie = login.headers().firstValue("Set-Cookie").orElseThrow().split(";")[0];
      Map<String, Object> body = new Yaml().load(login.body());
      String csrf = (String) body.get("csrfToken");
      assertEquals(200, http.get("/api/v1/whoami", "Cookie", cookie).statusCode());

      Thread.sleep(1_200);
      assertProblem(401, http.get("/api/v1/whoami", "Cookie", cookie));
      assertProblem(401, http.send("POST", "/api/v1/policies:validate", "application/yaml", "kind: Service\n",
          "Cookie", cookie, ConsoleSessions.CSRF_HEADER, csrf));
    }
  }
}
