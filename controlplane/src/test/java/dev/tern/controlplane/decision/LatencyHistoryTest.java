package dev.tern.controlplane.decision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.TernStateMachine;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LatencyHistoryTest {

  static final Instant T = Instant.parse("2026-03-01T12:00:00Z");
  static final Region FRANKFURT = Region.parse("aws:eu-central-1").orElseThrow();
  static final Region VIRGINIA = Region.parse("aws:us-east-1").orElseThrow();

  TernStateMachine machine;
  LatencyHistory history;

  @BeforeEach
  void policy() {
    machine = new TernStateMachine();
    assertTrue(machine.apply(new Command.PutService("ada", T, "launch", "shop", """
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: failover
        backends:
          - {name: fra, cloud: aws, region: eu-central-1, jurisdiction: EU, address: 192.0.2.10}
          - {name: iad, cloud: aws, region: us-east-1, jurisdiction: US, address: 198.51.100.10, priority: 2}
        """)).applied());
    history = new LatencyHistory(machine.state(), Duration.ofSeconds(10), 6);
  }

  @Test
  void checks_in_one_bucket_are_counted_and_only_passing_ones_make_the_latency() {
    history.record(List.of(
        ok(FRANKFURT, "fra", T, 10), ok(FRANKFURT, "fra", T.plusSeconds(3), 30),
        failed(FRANKFURT, "fra", T.plusSeconds(6)), ok(VIRGINIA, "fra", T.plusSeconds(1), 90)));

    List<LatencyHistory.Series> series = history.of("shop", "fra", T.plusSeconds(9));

    assertEquals(List.of(
        new LatencyHistory.Series(FRANKFURT, List.of(new LatencyHistory.Point(T, 2, 1, 20, 30))),
        new LatencyHistory.Series(VIRGINIA, List.of(new LatencyHistory.Point(T, 1, 0, 90, 90)))), series);
  }

  @Test
  void buckets_older_than_the_window_are_gone_and_a_reused_slot_starts_empty() {
    for (int i = 0; i < 8; i++) {
      history.record(List.of(ok(FRANKFURT, "fra", T.plusSeconds(10L * i), i)));
    }
    // A late observation for a bucket whose slot now holds a newer one is outside the window.
    history.record(List.of(ok(FRANKFURT, "fra", T, 500)));

    List<LatencyHistory.Point> points = history.of("shop", "fra", T.plusSeconds(75)).getFirst().points();

    assertEquals(6, points.size());
    assertEquals(T.plusSeconds(20), points.getFirst().at());
    assertEquals(List.of(2.0, 3.0, 4.0, 5.0, 6.0, 7.0), points.stream().map(LatencyHistory.Point::meanMillis).toList());
    assertTrue(points.stream().allMatch(p -> p.ok() == 1));
  }

  @Test
  void a_failed_only_bucket_has_no_latency_and_unknown_targets_are_not_kept() {
    history.record(List.of(failed(VIRGINIA, "iad", T), ok(VIRGINIA, "nope", T, 1), ok(VIRGINIA, "iad", T.minusSeconds(600), 1)));

    assertEquals(List.of(new LatencyHistory.Series(VIRGINIA, List.of(new LatencyHistory.Point(T, 0, 1, 0, 0)))),
        history.of("shop", "iad", T));
    assertEquals(List.of(), history.of("shop", "nope", T));
  }

  @Test
  void a_backend_removed_from_the_policy_loses_its_history() {
    history.record(List.of(ok(FRANKFURT, "iad", T, 5)));
    assertTrue(machine.apply(new Command.DeleteService("ada", T, "retire", "shop")).applied());

    assertEquals(List.of(), history.of("shop", "iad", T));
  }

  static ProbeObservation ok(Region vantage, String backend, Instant at, double millis) {
    return ProbeObservation.ok(vantage, "shop", backend, at, Duration.ofNanos((long) (millis * 1e6)));
  }

  static ProbeObservation failed(Region vantage, String backend, Instant at) {
    return ProbeObservation.failed(vantage, "shop", backend, at, "connection refused");
  }
}
