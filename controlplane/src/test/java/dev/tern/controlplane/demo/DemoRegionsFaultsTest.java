package dev.tern.controlplane.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Region;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The faults the demo injector puts into the demo's region servers, seen by a real HTTP client. */
class DemoRegionsFaultsTest {

  static final Region SINGAPORE = Region.parse("gcp:asia-southeast1").orElseThrow();
  static DemoRegions regions;
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  @BeforeAll
  static void start() {
    regions = DemoRegions.start();
  }

  @AfterAll
  static void stop() {
    regions.close();
  }

  static int get() throws IOException, InterruptedException {
    var b = regions.backend(SINGAPORE).orElseThrow().address();
    return CLIENT.send(HttpRequest.newBuilder(URI.create("http://" + b.getAddress().getHostAddress() + ":" + b.getPort()
        + "/healthz")).timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  @Test
  void added_latency_and_an_error_rate_degrade_the_answers_until_restored() throws Exception {
    regions.degrade(SINGAPORE, Duration.ofMillis(300), 0);
    long start = System.nanoTime();
    assertEquals(200, get());
    assertTrue(System.nanoTime() - start >= 300_000_000L, "answered without the added 300 ms");
    assertEquals(300, regions.status(SINGAPORE).addedLatencyMs());

    regions.degrade(SINGAPORE, Duration.ZERO, 0.5);
    int failed = 0;
    for (int i = 0; i < 200; i++) {
      failed += get() == 503 ? 1 : 0;
    }
    assertTrue(failed > 60 && failed < 140, failed + " of 200 answers were 503 at a 50 % error rate");
    regions.degrade(SINGAPORE, Duration.ZERO, 1);
    for (int i = 0; i < 20; i++) {
      assertEquals(503, get());
    }

    regions.restore(SINGAPORE);
    for (int i = 0; i < 20; i++) {
      assertEquals(200, get());
    }
    assertEquals(0, regions.status(SINGAPORE).addedLatencyMs());
  }

  @Test
  void a_flapping_region_goes_down_and_up_and_stops_flapping_listening() throws Exception {
    regions.flap(SINGAPORE, Duration.ofMillis(300));
    List<Boolean> seen = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      seen.add(regions.status(SINGAPORE).listening());
      Thread.sleep(100);
    }
    assertTrue(seen.contains(true) && seen.contains(false), "never both up and down while flapping: " + seen);
    assertTrue(regions.status(SINGAPORE).flapping());
    regions.stopFlapping(SINGAPORE);
    for (int i = 0; i < 10; i++) {
      assertTrue(regions.status(SINGAPORE).listening(), "down after the flapping stopped");
      Thread.sleep(100);
    }
    assertFalse(regions.status(SINGAPORE).flapping());
    assertEquals(200, get());
  }
}
