package dev.tern.probe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.probe.check.CheckResult;
import dev.tern.probe.check.CheckSpec;
import dev.tern.probe.check.TcpChecker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Chaos faults the control plane puts on targets: read from the assignment, and reported without harming the backend. */
class InjectedFaultTest {

  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
  static final ObjectMapper JSON = new ObjectMapper();

  static CheckResult good(Duration took) {
    return new CheckResult(true, Optional.of(took), Optional.empty(), Optional.of(took), took, Optional.empty(), "connected");
  }

  @Test
  void each_kind_is_read_from_the_assignment_and_a_bad_one_is_ignored_not_fatal() throws Exception {
    assertEquals(Optional.of(InjectedFault.outage("r-1")),
        AssignmentFollower.fault("shop/fra", JSON.readTree("{\"run\":\"r-1\",\"kind\":\"outage\"}")));
    assertEquals(Optional.of(InjectedFault.latency("r-1", Duration.ofMillis(250))),
        AssignmentFollower.fault("shop/fra", JSON.readTree("{\"run\":\"r-1\",\"kind\":\"latency\",\"latencyMs\":250}")));
    assertEquals(Optional.of(InjectedFault.errors("r-1", 0.5)),
        AssignmentFollower.fault("shop/fra", JSON.readTree("{\"run\":\"r-1\",\"kind\":\"errors\",\"errorRate\":0.5}")));
    assertEquals(Optional.of(InjectedFault.flap("r-1", Duration.ofSeconds(2), T)), AssignmentFollower.fault("shop/fra",
        JSON.readTree("{\"run\":\"r-1\",\"kind\":\"flap\",\"periodMs\":2000,\"since\":\"2026-11-24T10:00:00Z\"}")));
    for (String bad : List.of("{\"run\":\"r-1\",\"kind\":\"meteor\"}", "{\"kind\":\"outage\"}",
        "{\"run\":\"r-1\",\"kind\":\"errors\",\"errorRate\":1.5}", "{\"run\":\"r-1\",\"kind\":\"flap\",\"periodMs\":2000}",
        "{\"run\":\"r-1\",\"kind\":\"latency\"}")) {
      assertEquals(Optional.empty(), AssignmentFollower.fault("shop/fra", JSON.readTree(bad)), bad);
    }
    Assignment a = AssignmentFollower.parse("""
        {"region":"aws:eu-central-1","version":12,"policyVersion":7,"targets":[
          {"service":"shop","backend":"fra","address":"192.0.2.10","kind":"tcp","port":443,"intervalMs":1000,
           "timeoutMs":500,"fault":{"run":"r-1","kind":"outage"}},
          {"service":"shop","backend":"ams","address":"192.0.2.20","kind":"tcp","port":443,"intervalMs":1000,
           "timeoutMs":500,"fault":{"run":"r-1","kind":"meteor"}}]}""");
    assertEquals(12, a.version(), "the assignment version, not the policy version");
    assertEquals(Optional.of(InjectedFault.outage("r-1")), a.targets().get(0).fault());
    assertEquals(Optional.empty(), a.targets().get(1).fault(), "an unreadable fault leaves the target checked normally");
  }

  @Test
  void outage_and_flap_report_failures_without_checking_and_latency_is_added_to_good_checks() {
    AtomicInteger checks = new AtomicInteger();
    SplittableRandom random = new SplittableRandom(1);
    CheckResult out = InjectedFault.outage("r-1").apply(T, random, () -> {
      checks.incrementAndGet();
      return good(Duration.ofMillis(5));
    });
    assertFalse(out.ok());
    assertEquals(Optional.of(CheckResult.Failure.INJECTED), out.failure());
    assertEquals("chaos run r-1: injected outage (probe-fault; the backend was not contacted)", out.detail());
    assertEquals(0, checks.get());

    InjectedFault flap = InjectedFault.flap("r-2", Duration.ofSeconds(2), T);
    assertTrue(flap.apply(T.minusSeconds(1), random, () -> good(Duration.ZERO)).ok(), "before the first period");
    assertFalse(flap.apply(T.plusMillis(1999), random, () -> good(Duration.ZERO)).ok(), "first period: down");
    assertTrue(flap.apply(T.plusMillis(2000), random, () -> good(Duration.ZERO)).ok(), "second period: up");
    assertFalse(flap.apply(T.plusSeconds(5), random, () -> good(Duration.ZERO)).ok(), "third period: down");

    CheckResult slow = InjectedFault.latency("r-3", Duration.ofMillis(250)).apply(T, random, () -> good(Duration.ofMillis(5)));
    assertTrue(slow.ok());
    assertEquals(Duration.ofMillis(255), slow.total());
    assertEquals(Optional.of(Duration.ofMillis(255)), slow.firstByte());
    assertTrue(slow.detail().endsWith("chaos run r-3: +250 ms injected (probe-fault)"), slow.detail());
  }

  @Test
  void errors_fail_their_share_of_checks() {
    SplittableRandom random = new SplittableRandom(42);
    InjectedFault half = InjectedFault.errors("r-4", 0.5);
    int failed = 0;
    for (int i = 0; i < 400; i++) {
      failed += half.apply(T, random, () -> good(Duration.ZERO)).ok() ? 0 : 1;
    }
    assertTrue(failed > 160 && failed < 240, failed + " of 400 failed at 50 %");
    InjectedFault all = InjectedFault.errors("r-4", 1.0);
    for (int i = 0; i < 50; i++) {
      assertFalse(all.apply(T, random, () -> good(Duration.ZERO)).ok());
    }
  }

  @Test
  void while_an_outage_is_injected_the_backend_gets_no_connection_and_after_it_gets_checked_again() throws Exception {
    List<ProbeObservation> seen = new CopyOnWriteArrayList<>();
    try (TcpBackend backend = new TcpBackend();
        Scheduler scheduler = new Scheduler(new TcpChecker(Optional.empty()), SchedulerTest.FRANKFURT, Clock.systemUTC(),
            new SplittableRandom(3), seen::add, new SimpleMeterRegistry())) {
      ProbeTarget target = new ProbeTarget("shop", "fra", new CheckSpec.Tcp("127.0.0.1", backend.port(),
          Duration.ofSeconds(1)), Duration.ofMillis(50), Optional.of(InjectedFault.outage("r-5")));
      scheduler.apply(List.of(target));
      Eventually.await(Duration.ofSeconds(3), () -> seen.size() >= 5, () -> seen.size() + " observations");
      assertEquals(0, backend.accepted(), "the backend was contacted during an injected outage");
      assertTrue(seen.stream().noneMatch(ProbeObservation::ok));
      assertTrue(seen.getFirst().error().orElseThrow().startsWith("injected: chaos run r-5: injected outage"),
          seen.getFirst().error().toString());

      scheduler.apply(List.of(SchedulerTest.tcp("fra", backend.port(), Duration.ofMillis(50))));
      seen.clear();
      Eventually.await(Duration.ofSeconds(3), () -> seen.stream().filter(ProbeObservation::ok).count() >= 3,
          () -> seen.size() + " observations after the heal");
      // A check is over when the kernel completes the handshake; the backend's accept loop counts it a moment later.
      Eventually.await(Duration.ofSeconds(3), () -> backend.accepted() >= 3,
          () -> "the backend is checked again after the heal: " + backend.accepted() + " connections");
    }
  }
}
