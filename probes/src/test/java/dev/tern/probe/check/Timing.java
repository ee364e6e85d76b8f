package dev.tern.probe.check;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.Supplier;

/** Runs a check and asserts that it came back within its budget. */
final class Timing {

  /** Scheduling slack on a loaded 2-core machine; the checks themselves are held to the timeout. */
  static final Duration MARGIN = Duration.ofMillis(500);

  private Timing() {}

  static CheckResult within(Duration timeout, Supplier<CheckResult> check) {
    long start = System.nanoTime();
    var result = check.get();
    var took = Duration.ofNanos(System.nanoTime() - start);
    assertTrue(
        took.compareTo(timeout.plus(MARGIN)) <= 0,
        "took " + took.toMillis() + " ms, more than the " + timeout.toMillis() + " ms timeout and "
            + MARGIN.toMillis() + " ms margin: " + result);
    return result;
  }
}
