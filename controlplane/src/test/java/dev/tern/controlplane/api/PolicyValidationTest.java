package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

@MicronautTest
class PolicyValidationTest {

  private static final String VIEWER = TestCredentials.bearer(Role.VIEWER);

  @Inject
  EmbeddedServer server;

  private Http http;

  @BeforeEach
  void client() {
    http = new Http(server.getURI());
  }

  private Map<String, Object> validate(String contentType, String policy) {
    HttpResponse<String> response = http.send("POST", "/api/v1/policies:validate", contentType, policy,
        "Authorization", VIEWER);
    assertEquals(200, response.statusCode(), response.body());
    return new Yaml().load(response.body());
  }

  @Test
  void the_example_policy_is_valid() throws IOException {
    String policy = Files.readString(Path.of("../docs/examples/global-shop.yaml"));
    assertEquals(Map.of("valid", true, "violations", List.of()), validate("application/yaml", policy));
  }

  @Test
  void each_violation_comes_back_with_its_path_line_and_column() {
    Map<String, Object> result = validate("text/plain", """
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: failover
        backends:
          - name: fra
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 192.0.2.10
            wieght: 3
        """);
    assertEquals(false, result.get("valid"));
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> violations = (List<Map<String, Object>>) result.get("violations");
    Map<String, Object> typo = violations.stream()
        .filter(v -> v.get("path").equals("services.shop.backends[0].wieght"))
        .findFirst().orElseThrow(() -> new AssertionError(violations.toString()));
    assertEquals(12, typo.get("line"));
    assertEquals(5, typo.get("column"));
    assertTrue(typo.get("message").toString().contains("did you mean 'weight'?"), typo.toString());
  }
}
