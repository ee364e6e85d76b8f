package dev.tern.controlplane.provider;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Calls a cloud API, trying a {@linkplain ProviderException#retryable() retryable} failure again
 * after a wait that doubles from {@code first}, up to {@code attempts} calls in all.
 */
public final class Retrying {

  private static final Logger LOG = Logger.getLogger(Retrying.class.getName());

  /** How many calls a provider makes before it gives up on one request. */
  public static final int ATTEMPTS = 5;

  private Retrying() {}

  public static <T> T call(String provider, String what, Duration first, Supplier<T> call) {
    Duration wait = first;
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (ProviderException e) {
        if (!e.retryable() || attempt == ATTEMPTS) {
          throw e;
        }
        int tried = attempt;
        Duration sleep = wait;
        LOG.warning(() -> provider + ": " + what + " failed (" + e.getMessage() + "); attempt " + tried + ", again in "
            + sleep.toMillis() + " ms");
        try {
          Thread.sleep(sleep);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw e;
        }
        wait = wait.multipliedBy(2);
      }
    }
  }

  /** For calls that return nothing. */
  public static void run(String provider, String what, Duration first, Runnable call) {
    call(provider, what, first, () -> {
      call.run();
      return null;
    });
  }
}
