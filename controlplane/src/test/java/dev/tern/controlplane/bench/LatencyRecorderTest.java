package dev.tern.controlplane.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LatencyRecorderTest {

  @ParameterizedTest(name = "{0} samples of 1..n: p50 {1}, p90 {2}, p99 {3}, p99.9 {4}")
  @CsvSource({
    "1,    1,    1,    1,    1",
    "10,   5,    9,    10,   10",
    "100,  50,   90,   99,   100",
    "5000, 2500, 4500, 4950, 4995",
  })
  void percentiles_are_nearest_rank_whatever_the_order_of_recording(
      int samples, long p50, long p90, long p99, long p999) {
    LatencyRecorder recorder = new LatencyRecorder(samples);
    for (int i = samples; i >= 1; i--) {
      recorder.record(i);
    }

    LatencyRecorder.Summary summary = recorder.summary(Duration.ofSeconds(1));

    assertEquals(samples, summary.count());
    assertEquals(p50, summary.p50Nanos());
    assertEquals(p90, summary.p90Nanos());
    assertEquals(p99, summary.p99Nanos());
    assertEquals(p999, summary.p999Nanos());
    assertEquals(samples, summary.maxNanos());
  }

  @Test
  void throughput_is_operations_per_second_of_wall_clock() {
    LatencyRecorder recorder = new LatencyRecorder(4);
    for (int i = 0; i < 4; i++) {
      recorder.record(1_000_000);
    }

    assertEquals(2.0, recorder.summary(Duration.ofSeconds(2)).throughputPerSecond(), 1e-9);
  }

  @Test
  void a_full_recorder_refuses_more_rather_than_dropping_samples() {
    LatencyRecorder recorder = new LatencyRecorder(1);
    recorder.record(5);

    assertThrows(IllegalStateException.class, () -> recorder.record(6));
  }
}
