package dev.tern.probe.agent;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** Bounded waits for conditions that real threads and sockets make true. */
final class Eventually {

  private Eventually() {}

  static void await(Duration within, BooleanSupplier condition, Supplier<String> whatFailed)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + within.toMillis() + " ms: " + whatFailed.get());
      }
      Thread.sleep(20);
    }
  }
}
