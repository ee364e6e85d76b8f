package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.ValuePool;
import com.code_intelligence.jazzer.mutation.annotation.WithSize;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.security.Role;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Jazzer fuzz target for probe ingestion: the batch decoding behind {@code POST
 * /api/v1/probes/observations} (JSON to observations, their checks, the health book and the
 * latency history). Where {@link ApiBodiesFuzzTest} sends any bytes, this target builds
 * well-formed batches with Jazzer's structured mutators, so that every field reaches the decoder
 * with hostile values: absent or null fields and observations, unknown and odd names, instants at
 * the ends of the time line, latencies that are NaN, infinite or negative.
 *
 * <p>Any batch gets a 2xx that accounts for every observation in it, or a 4xx problem; never a
 * 5xx. What a batch put into the health book must then still be readable: the backends' status,
 * the vantage points and each named backend's latency series. The seeds are {@link #batches()}:
 * what a probe agent sends.
 */
class ProbeObservationsFuzzTest {

  private static final String PATH = "/api/v1/probes/observations";

  /** One observation as sent; a null field is sent as JSON null. */
  record Sent(String vantage, String service, String backend, String at, Boolean ok, Double latencyMs,
      String error) {}

  private static FuzzedApi api;

  @BeforeAll
  static void start() {
    api = FuzzedApi.start();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  /** Names and values the mutators mix in: the shop's, and the edges of what a field can hold. */
  static Stream<?> values() {
    return Stream.of("shop", "aws-frankfurt", "azure-amsterdam", "gcp-belgium", "aws-virginia", "azure-virginia",
        "gcp-singapore", "aws:eu-central-1", "gcp:europe-west1", "azure:westeurope", "aws:us-east-1",
        "gcp:asia-southeast1", "2026-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "2026-06-30T23:59:59.999999999+02:00",
        "+1000000000-12-31T23:59:59.999999999Z", "-1000000000-01-01T00:00:00Z", "connect timed out",
        0.0, -0.0, 600_000.0, Double.MAX_VALUE, Double.MIN_VALUE, Double.NaN, Double.POSITIVE_INFINITY);
  }

  static Stream<Arguments> batches() {
    return Stream.of(
        arguments(List.of(
            new Sent("aws:eu-central-1", "shop", "aws-frankfurt", "2026-01-01T00:00:00Z", true, 5.0, null),
            new Sent("gcp:europe-west1", "shop", "aws-frankfurt", "2026-01-01T00:00:00.125Z", true, 8.25, null),
            new Sent("aws:us-east-1", "shop", "aws-virginia", "2026-01-01T00:00:01Z", true, 5.0, null),
            new Sent("gcp:asia-southeast1", "shop", "gcp-singapore", "2026-01-01T00:00:02Z", true, 4.5, null))),
        arguments(List.of(
            new Sent("azure:westeurope", "shop", "azure-amsterdam", "2026-01-01T00:00:00Z", false, 2000.0,
                "connect timed out"),
            new Sent("aws:eu-central-1", "shop", "azure-amsterdam", "2026-01-01T00:00:00Z", false, 0.0, null),
            new Sent("gcp:europe-west1", "shop", "azure-amsterdam", "2026-01-01T00:00:00Z", false, 600_000.0, null))),
        arguments(List.of(
            new Sent("aws:eu-central-1", "checkout", "aws-frankfurt", "2026-01-01T00:00:00Z", true, 1.0, null),
            new Sent("aws:eu-central-1", "shop", "aws-paris", "2026-01-01T00:00:00Z", true, 1.0, null),
            new Sent("gcp:us-central1", "shop", "gcp-belgium", "2026-06-30T23:59:59.999999999+02:00", true, 0.001,
                null))));
  }

  @Tag("fuzz")
  @MethodSource("batches")
  @FuzzTest(maxDuration = "20s")
  @ValuePool(value = "values", p = 0.3)
  void any_batch_is_accounted_for_or_refused_with_a_client_problem(@WithSize(max = 16) List<Sent> observations)
      throws IOException {
    byte[] body = json(observations);

    HttpResponse<String> response = api.post(PATH, "application/json", body, Optional.of(Role.OPERATOR));

    Optional<JsonNode> ingested = FuzzedApi.assertSuccessOrClientProblem("POST " + PATH, body, response);
    if (ingested.isPresent()) {
      int accepted = ingested.get().path("accepted").asInt(-1);
      int unknown = ingested.get().path("unknownTarget").asInt(-1);
      String what = FuzzedApi.printable(body) + "\n -> " + response.body();
      assertTrue(accepted >= 0 && unknown >= 0, what);
      assertEquals(observations.size(), accepted + unknown, "every observation accounted for: " + what);
      if (accepted > 0) {
        readBack(observations, what);
      }
    }
  }

  /** {@code {"observations": [...]}}, with null fields and observations as JSON null. */
  private static byte[] json(List<Sent> observations) throws IOException {
    ObjectNode batch = FuzzedApi.JSON.createObjectNode();
    if (observations == null) {
      batch.putNull("observations");
      return FuzzedApi.JSON.writeValueAsBytes(batch);
    }
    ArrayNode list = batch.putArray("observations");
    for (Sent o : observations) {
      if (o == null) {
        list.addNull();
        continue;
      }
      ObjectNode n = list.addObject();
      n.put("vantage", o.vantage());
      n.put("service", o.service());
      n.put("backend", o.backend());
      n.put("at", o.at());
      n.put("ok", o.ok());
      n.put("latencyMs", o.latencyMs());
      n.put("error", o.error());
    }
    return FuzzedApi.JSON.writeValueAsBytes(batch);
  }

  /** What the health book now holds is served: statuses, vantage points, latency series. */
  private static void readBack(List<Sent> observations, String what) {
    Set<String> paths = new LinkedHashSet<>();
    paths.add("/api/v1/services/shop/backends");
    paths.add("/api/v1/vantages");
    for (Sent o : observations) {
      if (o != null && "shop".equals(o.service()) && o.backend() != null) {
        paths.add("/api/v1/services/shop/backends/"
            + URLEncoder.encode(o.backend(), StandardCharsets.UTF_8).replace("+", "%20") + "/latency");
      }
    }
    for (String path : paths) {
      HttpResponse<String> read = api.get(path);
      FuzzedApi.assertSuccessOrClientProblem("GET " + path + " after " + what, new byte[0], read);
    }
  }
}
