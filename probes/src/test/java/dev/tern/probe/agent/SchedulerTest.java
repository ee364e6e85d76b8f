package dev.tern.probe.agent;

import dev.tern.probe.check.TcpChecker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.probe.check.CheckSpec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Checks on their intervals, with real TCP connects to listeners on loopback. */
class SchedulerTest {

  static final Region FRANKFURT = Region.parse("aws:eu-central-1").orElseThrow();

  static ProbeTarget tcp(String backend, int port, Duration interval) {
    return new ProbeTarget("shop", backend, new CheckSpec.Tcp("127.0.0.1", port, Duration.ofSeconds(1)), interval);
  }

  @Test
  void jitter_spreads_the_first_checks_of_a_new_assignment_across_the_interval() throws Exception {
    Map<String, Long> firstCheck = new ConcurrentHashMap<>();
    long start = System.nanoTime();
    try (TcpBackend backend = new TcpBackend();
        Scheduler scheduler = new Scheduler(new TcpChecker(Optional.empty()), FRANKFURT, Clock.systemUTC(),
            new SplittableRandom(11), o -> firstCheck.putIfAbsent(o.backend(), System.nanoTime() - start),
            new SimpleMeterRegistry())) {
      List<ProbeTarget> targets = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        targets.add(tcp("b" + i, backend.port(), Duration.ofSeconds(2)));
      }
      scheduler.apply(targets);
      Eventually.await(Duration.ofSeconds(5), () -> firstCheck.size() == 20, () -> firstCheck.size() + " of 20");
    }
    long[] millis = firstCheck.values().stream().mapToLong(n -> n / 1_000_000).sorted().toArray();
    assertTrue(millis[millis.length - 1] - millis[0] >= 1000, "first checks within " + (millis[19] - millis[0]) + " ms");
    int[] perQuarter = new int[4];
    for (long m : millis) {
      perQuarter[(int) Math.min(3, m / 500)]++;
    }
    for (int q : perQuarter) {
      assertTrue(q <= 12, "more than 12 of 20 first checks in one quarter of the interval: " + List.of(perQuarter));
    }
  }

  @Test
  void each_target_is_checked_every_interval_and_the_achieved_interval_is_exported() throws Exception {
    List<ProbeObservation> seen = new CopyOnWriteArrayList<>();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (TcpBackend backend = new TcpBackend();
        Scheduler scheduler = new Scheduler(new TcpChecker(Optional.empty()), FRANKFURT, Clock.systemUTC(),
            new SplittableRandom(5), seen::add, meters)) {
      scheduler.apply(List.of(tcp("fra", backend.port(), Duration.ofMillis(100))));
      Thread.sleep(1100);
      double achieved = meters.get("tern.probe.achieved.interval").tag("backend", "fra").gauge().value();
      assertTrue(achieved > 0.08 && achieved < 0.2, "achieved interval " + achieved + " s");
    }
    assertTrue(seen.size() >= 7 && seen.size() <= 12, seen.size() + " checks in 1.1 s at 100 ms");
    assertTrue(seen.stream().allMatch(ProbeObservation::ok));
    assertTrue(seen.stream().allMatch(o -> o.vantage().equals(FRANKFURT)));
  }

  @Test
  void a_changed_target_restarts_with_its_new_check_and_an_unchanged_one_keeps_running() throws Exception {
    List<ProbeObservation> seen = new CopyOnWriteArrayList<>();
    try (TcpBackend backend = new TcpBackend();
        Scheduler scheduler = new Scheduler(new TcpChecker(Optional.empty()), FRANKFURT, Clock.systemUTC(),
            new SplittableRandom(5), seen::add, new SimpleMeterRegistry())) {
      int closedPort;
      try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        closedPort = probe.getLocalPort();
      }
      ProbeTarget steady = tcp("ams", backend.port(), Duration.ofMillis(50));
      scheduler.apply(List.of(steady, tcp("fra", closedPort, Duration.ofMillis(50))));
      Eventually.await(Duration.ofSeconds(5), () -> seen.stream().anyMatch(o -> o.backend().equals("fra") && !o.ok()),
          () -> "fra never failed");
      assertEquals("connect_refused", seen.stream().filter(o -> !o.ok()).findFirst().orElseThrow().error()
          .orElseThrow().split(":")[0]);

      scheduler.apply(List.of(steady, tcp("fra", backend.port(), Duration.ofMillis(50))));
      int mark = seen.size();
      Eventually.await(Duration.ofSeconds(5),
          () -> List.copyOf(seen).stream().skip(mark).anyMatch(o -> o.backend().equals("fra") && o.ok()),
          () -> "fra never used its new port");
      Thread.sleep(200);
      // A copy: the scheduler keeps appending, and a view of the live list would fail on that.
      List<ProbeObservation> snapshot = List.copyOf(seen);
      List<ProbeObservation> recent = snapshot.subList(snapshot.size() - 4, snapshot.size());
      assertFalse(recent.stream().anyMatch(o -> !o.ok()), "the old check still runs: " + recent);
      assertEquals(2, scheduler.targets().size());
    }
  }
}
