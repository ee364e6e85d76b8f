package dev.tern.controlplane.alerting;

import java.time.Duration;
import java.util.function.LongSupplier;

/** {@code capacity} events per {@code period}, refilled evenly; {@link #take()} says how long to wait when empty. */
final class TokenBucket {

  private final double capacity;
  private final double perNano;
  private final LongSupplier nanoTime;
  private double tokens;
  private long last;

  TokenBucket(int capacity, Duration period) {
    this(capacity, period, System::nanoTime);
  }

  /** With {@code nanoTime} as the clock (a test's, which does not move while it sends). */
  TokenBucket(int capacity, Duration period, LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    this.last = nanoTime.getAsLong();
    this.capacity = capacity;
    this.perNano = capacity / (double) period.toNanos();
    this.tokens = capacity;
  }

  /** Takes one token: zero when there was one, else how long until there will be. */
  synchronized Duration take() {
    long now = nanoTime.getAsLong();
    tokens = Math.min(capacity, tokens + (now - last) * perNano);
    last = now;
    if (tokens >= 1) {
      tokens--;
      return Duration.ZERO;
    }
    return Duration.ofNanos((long) Math.ceil((1 - tokens) / perNano));
  }
}
