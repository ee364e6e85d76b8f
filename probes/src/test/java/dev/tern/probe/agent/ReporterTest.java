package dev.tern.probe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Delivery to control-plane nodes over real HTTP, against fake nodes that answer as told. */
class ReporterTest {

  static final String TOKEN = "reporter-secret-token-z5k0";
  static final Region FRANKFURT = Region.parse("aws:eu-central-1").orElseThrow();

  static ProbeObservation observation(int i) {
    return ProbeObservation.ok(FRANKFURT, "shop", "fra", Instant.parse("2026-11-23T10:00:00Z").plusSeconds(i),
        Duration.ofMillis(12));
  }

  static Reporter reporter(FakeControlPlane node, HttpClient client, Duration backoffInitial) {
    return reporter(List.of(node.uri()), client, backoffInitial, Duration.ofMillis(20), new SimpleMeterRegistry());
  }

  static Reporter reporter(List<URI> nodes, HttpClient client, Duration backoffInitial, Duration maxDelay,
      MeterRegistry meters) {
    Reporter.Settings settings = new Reporter.Settings(10, maxDelay, 1000, backoffInitial,
        Duration.ofSeconds(5), Duration.ofSeconds(2), Duration.ofSeconds(2));
    return new Reporter(nodes, TOKEN, client, settings, new SplittableRandom(3), meters);
  }

  @Test
  void backs_off_exponentially_on_429_and_5xx_then_delivers_the_same_batch_once() throws Exception {
    try (FakeControlPlane node = FakeControlPlane.start(TOKEN); HttpClient client = HttpClient.newHttpClient()) {
      node.answerObservationsWith(429, 503, 500, 429);
      try (Reporter reporter = reporter(node, client, Duration.ofMillis(40))) {
        for (int i = 0; i < 3; i++) {
          reporter.offer(observation(i));
        }
        Eventually.await(Duration.ofSeconds(10), () -> node.observations().size() == 3, () -> "not delivered");
      }
      List<FakeControlPlane.Post> posts = node.posts();
      assertEquals(5, posts.size(), "four refusals, then one success");
      for (FakeControlPlane.Post p : posts) {
        assertEquals(posts.getFirst().body(), p.body(), "every retry carries the same batch");
      }
      // Wait n is in [c/2, c] with c = 40 ms * 2^n: 20..40, 40..80, 80..160, 160..320 ms.
      long[] minimumGapMs = {20, 40, 80, 160};
      for (int i = 1; i < posts.size(); i++) {
        long gap = (posts.get(i).arrivedNanos() - posts.get(i - 1).arrivedNanos()) / 1_000_000;
        assertTrue(gap >= minimumGapMs[i - 1], "retry " + i + " came after " + gap + " ms");
      }
    }
  }

  @Test
  void a_batch_refused_with_another_4xx_is_dropped_and_later_batches_still_flow() throws Exception {
    try (FakeControlPlane node = FakeControlPlane.start(TOKEN); HttpClient client = HttpClient.newHttpClient()) {
      node.answerObservationsWith(400);
      try (Reporter reporter = reporter(node, client, Duration.ofMillis(40))) {
        reporter.offer(observation(0));
        Eventually.await(Duration.ofSeconds(10), () -> node.posts().size() == 1, () -> "never posted");
        reporter.offer(observation(1));
        Eventually.await(Duration.ofSeconds(10), () -> node.observations().size() == 1, () -> "not delivered");
        Thread.sleep(100);
        assertEquals(0, reporter.buffered(node.uri()));
      }
      assertEquals(2, node.posts().size(), "the refused batch was not retried");
      assertEquals("2026-11-23T10:00:01Z", node.observations().getFirst().path("at").asText());
    }
  }

  @Test
  void batches_hold_at_most_the_configured_number_of_observations() throws Exception {
    try (FakeControlPlane node = FakeControlPlane.start(TOKEN); HttpClient client = HttpClient.newHttpClient()) {
      try (Reporter reporter = reporter(node, client, Duration.ofMillis(40))) {
        for (int i = 0; i < 95; i++) {
          reporter.offer(observation(i));
        }
        Eventually.await(Duration.ofSeconds(10), () -> node.observations().size() == 95, () -> "not all delivered");
      }
      assertTrue(node.posts().stream().allMatch(p -> p.observations().size() <= 10), "a batch exceeded 10");
      assertEquals(FakeControlPlane.JSON.readTree("""
          {"vantage":"aws:eu-central-1","service":"shop","backend":"fra","at":"2026-11-23T10:00:00Z",
           "ok":true,"latencyMs":12.0,"error":null}"""), node.observations().getFirst());
    }
  }

  @Test
  void closing_sends_what_is_buffered_and_counts_what_an_unreachable_node_never_got() throws Exception {
    var meters = new SimpleMeterRegistry();
    try (FakeControlPlane up = FakeControlPlane.start(TOKEN); FakeControlPlane down = FakeControlPlane.start(TOKEN);
        HttpClient client = HttpClient.newHttpClient()) {
      down.stop();
      var reporter = reporter(List.of(up.uri(), down.uri()), client, Duration.ofSeconds(1), Duration.ofSeconds(30),
          meters);
      for (int i = 0; i < 7; i++) {
        reporter.offer(observation(i));
      }
      long start = System.nanoTime();
      reporter.close();
      long tookMs = (System.nanoTime() - start) / 1_000_000;

      assertEquals(7, up.observations().size(), "a batch that was not yet due went out at shutdown");
      assertEquals(7, reporter.dropped(down.uri()), "the unreachable node's observations are counted as dropped");
      assertEquals(7.0, meters.get("tern.probe.report.dropped").tag("node", down.uri().toString()).counter().count());
      assertTrue(tookMs < 2500, "closing is bounded by the flush timeout, took " + tookMs + " ms");
    }
  }
}
