package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * One control plane on a loopback port for a whole fuzz run, serving the demo's shop policy, and
 * the property every fuzzed request must keep: a success, or a client error that is an RFC 9457
 * problem; never a server error.
 *
 * <p>Started outside {@code @MicronautTest} so that the same server answers every input Jazzer
 * generates. The probe ingestion limit is lifted, so that the batches get past it to the decoder.
 */
final class FuzzedApi implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  private final ApplicationContext context;
  private final Http http;

  private FuzzedApi(ApplicationContext context) {
    this.context = context;
    this.http = new Http(context.getBean(EmbeddedServer.class).getURI());
  }

  /** Starts a single-node control plane (the test configuration) and applies the shop policy. */
  static FuzzedApi start() {
    EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
        "tern.ingest.batches-per-second", 1_000_000,
        "tern.dns.enabled", false), "test");
    ApplicationContext context = server.getApplicationContext();
    FuzzedApi api = new FuzzedApi(context);
    try {
      api.applyShop();
    } catch (RuntimeException | Error e) {
      context.close();
      throw e;
    }
    return api;
  }

  private void applyShop() {
    String yaml;
    try (InputStream in = FuzzedApi.class.getResourceAsStream("/demo/shop.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND_PORT", "8080");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // A new single-node cluster answers 503 until it has elected itself.
    Instant deadline = Instant.now().plusSeconds(30);
    HttpResponse<String> put = putShop(yaml);
    while (put.statusCode() == 503 && Instant.now().isBefore(deadline)) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      put = putShop(yaml);
    }
    assertEquals(200, put.statusCode(), put.body());
  }

  private HttpResponse<String> putShop(String yaml) {
    return http.send("PUT", "/api/v1/services/shop?reason=fuzzing", "application/yaml", yaml,
        "Authorization", TestCredentials.bearer(Role.ADMIN));
  }

  /** POSTs {@code body} exactly as given, with a bearer token for {@code role} unless it is empty. */
  HttpResponse<String> post(String path, String contentType, byte[] body, Optional<Role> role) {
    HttpRequest.Builder request = http.request(path)
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", contentType)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    role.ifPresent(r -> request.header("Authorization", TestCredentials.bearer(r)));
    return http.send(request.build());
  }

  /** GETs {@code path} as a viewer. */
  HttpResponse<String> get(String path) {
    return http.get(path, "Authorization", TestCredentials.bearer(Role.VIEWER));
  }

  /**
   * Asserts that {@code response} is a 2xx with a JSON body, or a 4xx whose body is a problem with
   * the same status and a detail and no stack trace; returns the JSON of a success, empty for a
   * client error.
   */
  static Optional<JsonNode> assertSuccessOrClientProblem(String request, byte[] body, HttpResponse<String> response) {
    int status = response.statusCode();
    String what = request + " with body " + printable(body) + "\n -> " + status + " " + response.body();
    String type = response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
    if (status >= 500) {
      fail("a server error: " + what);
    }
    if (status >= 200 && status < 300) {
      assertEquals("application/json", type, what);
      return Optional.of(json(response.body(), what));
    }
    assertTrue(status >= 400, "neither a success nor a client error: " + what);
    assertEquals("application/problem+json", type, what);
    JsonNode problem = json(response.body(), what);
    assertEquals(status, problem.path("status").asInt(), what);
    assertFalse(problem.path("title").asText().isBlank(), what);
    assertFalse(problem.path("detail").asText().isBlank(), what);
    assertFalse(response.body().contains("\tat "), "no stack trace: " + what);
    return Optional.empty();
  }

  private static JsonNode json(String text, String what) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new AssertionError("not JSON: " + what, e);
    }
  }

  /** The body for a failure message: UTF-8 where it is, escapes for the rest, at most 2,000 characters. */
  static String printable(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder();
    text.codePoints().limit(2000).forEach(c -> {
      if (c < 0x20 || c == 0x7F || c == 0xFFFD) {
        out.append(String.format("\\u%04x", c));
      } else {
        out.appendCodePoint(c);
      }
    });
    return out.toString();
  }

  @Override
  public void close() {
    context.close();
  }
}
