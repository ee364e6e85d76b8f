package dev.tern.controlplane.api;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.controlplane.security.Role;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;

/**
 * Jazzer fuzz target for the request bodies of the REST API: any bytes POSTed to an endpoint that
 * reads a body get a 2xx, or a 4xx that is an {@code application/problem+json} problem; never a
 * 5xx. Every input goes to every such endpoint of one running control plane: what-if, probe
 * observations and console log-in (JSON), policy validation and a chaos dry run (YAML).
 *
 * <p>The seeds under {@code ApiBodiesFuzzTestInputs/} are a valid body for each endpoint.
 */
class ApiBodiesFuzzTest {

  /** An endpoint that reads its request body; {@code role} empty for a public one. */
  record Endpoint(String path, String contentType, Optional<Role> role) {}

  static final List<Endpoint> ENDPOINTS = List.of(
      new Endpoint("/api/v1/what-if", "application/json", Optional.of(Role.VIEWER)),
      new Endpoint("/api/v1/probes/observations", "application/json", Optional.of(Role.OPERATOR)),
      new Endpoint("/api/v1/session", "application/json", Optional.empty()),
      new Endpoint("/api/v1/policies:validate", "application/yaml", Optional.of(Role.VIEWER)),
      new Endpoint("/api/v1/chaos/runs?dryRun=true", "application/yaml", Optional.of(Role.OPERATOR)));

  private static FuzzedApi api;

  @BeforeAll
  static void start() {
    api = FuzzedApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  @Tag("fuzz")
  @FuzzTest(maxDuration = "20s")
  @DictionaryEntries({
      "{", "}", "[", "]", ":", ",", "\"", "\\u0000", "\\ud800", "null", "true", "false", "-0", "1e999",
      "\"backends\"", "\"regions\"", "\"clouds\"", "\"shop/aws-frankfurt\"", "\"aws:eu-central-1\"", "\"gcp\"",
      "\"observations\"", "\"vantage\"", "\"service\"", "\"backend\"", "\"at\"", "\"ok\"", "\"latencyMs\"",
      "\"error\"", "\"2026-01-01T00:00:00Z\"", "\"username\"", "\"password\"", "\"ada\"",
      "kind: Service", "kind: ChaosScenario", "---", "&a ", "*a", "!!binary ", "targets:", "fault:",
      "duration: ", "expect:", "schedule:", "cron: ", "injector: "})
  void any_body_gets_a_success_or_a_client_problem_never_a_server_error(byte[] body) {
    for (Endpoint e : ENDPOINTS) {
      FuzzedApi.assertSuccessOrClientProblem("POST " + e.path(), body,
          api.post(e.path(), e.contentType(), body, e.role()));
    }
  }
}
