package dev.tern.policy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Region;
import dev.tern.policy.model.HealthSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HealthEvaluatorTest {

  private static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");
  private static final HealthSettings SETTINGS =
      new HealthSettings(3, 2, 2, Duration.ofSeconds(30), Duration.ofSeconds(60));
  private static final List<Region> VANTAGES =
      List.of(
          Region.parse("aws:eu-central-1").orElseThrow(),
          Region.parse("azure:eastus").orElseThrow(),
          Region.parse("gcp:asia-northeast1").orElseThrow(),
          Region.parse("aws:us-west-2").orElseThrow(),
          Region.parse("gcp:europe-west1").orElseThrow());

  /**
   * Runs {@code rounds} rounds, 10 s apart, in which the first {@code failing} of {@code reporting}
   * vantages see the backend fail and the rest see it up; returns the state after the last round.
   */
  private static BackendHealth rounds(BackendHealth start, int reporting, int failing, int rounds, Instant from) {
    BackendHealth state = start;
    for (int r = 0; r < rounds; r++) {
      Instant at = from.plusSeconds(10L * r);
      for (int v = 0; v < reporting; v++) {
        ProbeObservation o =
            v < failing
                ? ProbeObservation.failed(VANTAGES.get(v), "shop", "fra", at, "connect timed out")
                : ProbeObservation.ok(VANTAGES.get(v), "shop", "fra", at, Duration.ofMillis(20 + v));
        state = HealthEvaluator.observe(state, o, SETTINGS);
      }
      state = HealthEvaluator.evaluate(state, at, SETTINGS);
    }
    return state;
  }

  private static BackendHealth healthy(int reporting) {
    return rounds(BackendHealth.initial("fra", T0), reporting, 0, 1, T0);
  }

  @ParameterizedTest(name = "{0} vantages, {1} failing, {2} rounds -> {3}")
  @CsvSource({
    // reporting, failing, failed rounds, verdict
    "1, 1, 10, HEALTHY", // one vantage alone never fails a backend over
    "2, 1, 10, HEALTHY", // half is not a quorum: the previous verdict stays
    "3, 1, 10, HEALTHY",
    "3, 2, 2, HEALTHY", // two rounds are fewer than failAfter = 3
    "3, 2, 3, UNHEALTHY",
    "5, 2, 5, HEALTHY", // two of five is no majority
    "5, 3, 3, UNHEALTHY",
    "2, 2, 3, UNHEALTHY",
  })
  void a_backend_fails_only_on_a_quorum_of_vantages_after_n_bad_rounds(
      int reporting, int failing, int failedRounds, Health expected) {
    BackendHealth state = rounds(healthy(reporting), reporting, failing, failedRounds, T0.plusSeconds(10));
    assertEquals(expected, state.verdict().health(), state.verdict().reason());
  }

  @Test
  void a_failed_backend_recovers_only_after_m_good_rounds_and_since_moves_with_each_change() {
    BackendHealth down = rounds(healthy(3), 3, 3, 3, T0.plusSeconds(10));
    assertEquals(Health.UNHEALTHY, down.verdict().health());
    Instant failedAt = down.verdict().since();
    assertEquals(T0.plusSeconds(30), failedAt);
    assertEquals(3, down.verdict().downVantages().size());

    BackendHealth oneGood = rounds(down, 3, 0, 1, T0.plusSeconds(100));
    assertEquals(Health.UNHEALTHY, oneGood.verdict().health());
    assertEquals(failedAt, oneGood.verdict().since());
    BackendHealth twoGood = rounds(oneGood, 3, 0, 1, T0.plusSeconds(110));
    assertEquals(Health.HEALTHY, twoGood.verdict().health());
    assertEquals(T0.plusSeconds(110), twoGood.verdict().since());
  }

  @Test
  void silent_vantages_stop_voting_and_with_no_voter_the_verdict_is_unknown() {
    BackendHealth state = healthy(3);
    BackendHealth later = HealthEvaluator.evaluate(state, T0.plusSeconds(31), SETTINGS);
    assertEquals(Health.UNKNOWN, later.verdict().health());
    assertTrue(later.verdict().reason().contains("no vantage point reported within 30 s"));
  }

  @Test
  void a_stale_vantage_that_saw_the_backend_down_does_not_count_towards_the_quorum() {
    BackendHealth state = healthy(3);
    // vantage 0 sees three failures, then goes silent
    for (int r = 1; r <= 3; r++) {
      state = HealthEvaluator.observe(
          state, ProbeObservation.failed(VANTAGES.get(0), "shop", "fra", T0.plusSeconds(r), "reset"), SETTINGS);
    }
    // 40 s later, vantage 1 sees three failures; vantage 2 keeps seeing it up
    for (int r = 1; r <= 3; r++) {
      Instant at = T0.plusSeconds(40 + r);
      state = HealthEvaluator.observe(state, ProbeObservation.failed(VANTAGES.get(1), "shop", "fra", at, "reset"), SETTINGS);
      state = HealthEvaluator.observe(state, ProbeObservation.ok(VANTAGES.get(2), "shop", "fra", at, Duration.ofMillis(5)), SETTINGS);
    }
    state = HealthEvaluator.evaluate(state, T0.plusSeconds(43), SETTINGS);
    assertEquals(Health.HEALTHY, state.verdict().health());
    assertEquals(2, state.verdict().evidence().size());
  }

  @Test
  void an_observation_older_than_the_last_one_from_its_vantage_is_ignored() {
    BackendHealth state = healthy(1);
    BackendHealth same =
        HealthEvaluator.observe(
            state, ProbeObservation.failed(VANTAGES.get(0), "shop", "fra", T0.minusSeconds(5), "late"), SETTINGS);
    assertEquals(state, same);
  }

  @Test
  void latency_matrix_holds_smoothed_latency_of_fresh_vantages_that_see_the_backend_up() {
    BackendHealth state = BackendHealth.initial("fra", T0);
    state = HealthEvaluator.observe(state, ProbeObservation.ok(VANTAGES.get(0), "shop", "fra", T0, Duration.ofMillis(10)), SETTINGS);
    state = HealthEvaluator.observe(state, ProbeObservation.ok(VANTAGES.get(0), "shop", "fra", T0.plusSeconds(10), Duration.ofMillis(20)), SETTINGS);
    state = HealthEvaluator.observe(state, ProbeObservation.ok(VANTAGES.get(1), "shop", "fra", T0.minusSeconds(60), Duration.ofMillis(99)), SETTINGS);
    LatencyMatrix m = HealthEvaluator.latencies(java.util.Map.of("fra", state), T0.plusSeconds(10), SETTINGS);
    assertEquals(13.0, m.latency(VANTAGES.get(0), "fra").getAsDouble(), 1e-9);
    assertFalse(m.latency(VANTAGES.get(1), "fra").isPresent());
  }

  @Test
  void a_vantage_that_alone_sees_a_healthy_backend_down_keeps_its_last_latency_in_the_matrix() {
    BackendHealth state = BackendHealth.initial("sin", T0);
    for (int r = 0; r < 3; r++) {
      for (Region v : VANTAGES) {
        state = HealthEvaluator.observe(state, ProbeObservation.ok(v, "shop", "sin", T0.plusSeconds(r), Duration.ofMillis(7)), SETTINGS);
      }
    }
    for (int r = 3; r < 6; r++) {
      Instant at = T0.plusSeconds(r);
      state = HealthEvaluator.observe(state, ProbeObservation.failed(VANTAGES.get(0), "shop", "sin", at, "timeout"), SETTINGS);
      for (Region v : VANTAGES.subList(1, VANTAGES.size())) {
        state = HealthEvaluator.observe(state, ProbeObservation.ok(v, "shop", "sin", at, Duration.ofMillis(7)), SETTINGS);
      }
    }
    state = HealthEvaluator.evaluate(state, T0.plusSeconds(5), SETTINGS);
    assertEquals(Health.HEALTHY, state.verdict().health(), state.verdict().reason());

    LatencyMatrix m = HealthEvaluator.latencies(java.util.Map.of("sin", state), T0.plusSeconds(5), SETTINGS);
    assertEquals(7.0, m.latency(VANTAGES.get(0), "sin").getAsDouble(), 1e-9,
        "one vantage point's failures must not take the backend out of its region's latency ranking");
  }

  @ParameterizedTest(name = "{0} backends, others see up: {1} -> isolated: {2}")
  @CsvSource({"3, true, true", "2, true, false", "3, false, false"})
  void a_vantage_that_sees_every_backend_down_while_others_see_them_up_is_set_aside(
      int backends, boolean othersSeeUp, boolean isolated) {
    java.util.Map<String, BackendHealth> book = new java.util.LinkedHashMap<>();
    for (int b = 0; b < backends; b++) {
      BackendHealth state = BackendHealth.initial("b" + b, T0);
      for (int r = 0; r < 3; r++) {
        Instant at = T0.plusSeconds(r);
        state = HealthEvaluator.observe(state, ProbeObservation.failed(VANTAGES.get(0), "s", "b" + b, at, "unreachable"), SETTINGS);
        state = HealthEvaluator.observe(state, othersSeeUp
            ? ProbeObservation.ok(VANTAGES.get(1), "s", "b" + b, at, Duration.ofMillis(3))
            : ProbeObservation.failed(VANTAGES.get(1), "s", "b" + b, at, "unreachable"), SETTINGS);
      }
      book.put("b" + b, state);
    }
    java.util.Set<Region> found = HealthEvaluator.isolatedVantages(book.values(), T0.plusSeconds(2), SETTINGS.staleAfter());
    assertEquals(isolated ? java.util.Set.of(VANTAGES.get(0)) : java.util.Set.of(), found);
  }
}
