package dev.tern.controlplane.provider;

import java.time.Duration;

/**
 * Spaces one account's API calls to at most {@code perSecond} (Route 53 allows five a second per
 * account, Traffic Manager and Cloud DNS far more): {@link #acquire()} waits for the next slot.
 */
public final class RateLimit {

  private final long intervalNanos;
  private long next = System.nanoTime();

  public RateLimit(double perSecond) {
    if (perSecond <= 0) {
      throw new IllegalArgumentException("perSecond must be positive");
    }
    this.intervalNanos = (long) (Duration.ofSeconds(1).toNanos() / perSecond);
  }

  /** Waits until the next call may be made. */
  public void acquire() {
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long at = Math.max(now, next);
      next = at + intervalNanos;
      wait = at - now;
    }
    if (wait > 0) {
      try {
        Thread.sleep(Duration.ofNanos(wait));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ProviderException("interrupted while waiting for the API's rate limit", false, e);
      }
    }
  }
}
