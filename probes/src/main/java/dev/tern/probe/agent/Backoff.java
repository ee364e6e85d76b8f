package dev.tern.probe.agent;

import java.time.Duration;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with jitter: after the n-th consecutive failure (from 0) the wait is uniformly
 * random in {@code [c/2, c]} with {@code c = min(max, initial * 2^n)}, so agents that lost the same
 * node do not come back in step, and the wait still grows. Not thread-safe; each sender keeps its
 * own.
 */
public final class Backoff {

  private final Duration initial;
  private final Duration max;
  private final RandomGenerator random;
  private int failures;

  public Backoff(Duration initial, Duration max, RandomGenerator random) {
    this.initial = Objects.requireNonNull(initial, "initial");
    this.max = Objects.requireNonNull(max, "max");
    this.random = Objects.requireNonNull(random, "random");
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("backoff needs 0 < initial <= max");
    }
  }

  /** The wait before the next attempt, after one more failure. */
  public Duration next() {
    long ceiling = initial.toNanos() << Math.min(failures, 30);
    if (ceiling <= 0 || ceiling > max.toNanos()) {
      ceiling = max.toNanos();
    }
    failures++;
    return Duration.ofNanos(random.nextLong(ceiling / 2, ceiling + 1));
  }

  /** Forgets the failures after a success. */
  public void reset() {
    failures = 0;
  }

  /** Consecutive failures since the last success. */
  public int failures() {
    return failures;
  }
}
