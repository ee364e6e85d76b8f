package dev.tern.controlplane.bench;

import java.time.Duration;
import java.util.Arrays;

/**
 * The latencies of one measured run, kept exactly (one {@code long} of nanoseconds per operation),
 * and the percentiles and throughput they give.
 *
 * <p>Percentiles use the nearest-rank method: p99 of 5,000 samples is the 4,950th smallest. Not
 * thread-safe; one recorder belongs to one measuring thread.
 */
public final class LatencyRecorder {

  private final long[] nanos;
  private int count;

  /** A recorder for at most {@code capacity} operations. */
  public LatencyRecorder(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
    }
    this.nanos = new long[capacity];
  }

  /** Records one operation's latency. */
  public void record(long latencyNanos) {
    if (latencyNanos < 0) {
      throw new IllegalArgumentException("a latency cannot be negative: " + latencyNanos);
    }
    if (count == nanos.length) {
      throw new IllegalStateException("recorder is full at " + count + " operations");
    }
    nanos[count++] = latencyNanos;
  }

  /** How many operations were recorded. */
  public int count() {
    return count;
  }

  /**
   * Summarises what was recorded; {@code elapsed} is the wall-clock time of the measured run, from
   * which throughput follows.
   */
  public Summary summary(Duration elapsed) {
    if (count == 0) {
      throw new IllegalStateException("no operation was recorded");
    }
    long[] sorted = Arrays.copyOf(nanos, count);
    Arrays.sort(sorted);
    double seconds = elapsed.toNanos() / 1e9;
    return new Summary(
        count,
        rank(sorted, 500_000),
        rank(sorted, 900_000),
        rank(sorted, 990_000),
        rank(sorted, 999_000),
        sorted[count - 1],
        seconds > 0 ? count / seconds : Double.POSITIVE_INFINITY);
  }

  // Nearest rank = ceil(n * q); with q in parts per million it is integer arithmetic, exact for
  // any n, with no floating-point rounding to reason about.
  private static long rank(long[] sorted, long quantilePpm) {
    long rank = (sorted.length * quantilePpm + 999_999) / 1_000_000;
    return sorted[(int) Math.clamp(rank - 1, 0, sorted.length - 1)];
  }

  /** Count, latency percentiles in nanoseconds, and operations per second of one run. */
  public record Summary(
      int count,
      long p50Nanos,
      long p90Nanos,
      long p99Nanos,
      long p999Nanos,
      long maxNanos,
      double throughputPerSecond) {}
}
