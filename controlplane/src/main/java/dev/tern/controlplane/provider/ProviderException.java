package dev.tern.controlplane.provider;

import dev.tern.controlplane.security.Secrets;
import java.util.List;

/**
 * A cloud API call that failed; {@link #retryable()} says whether trying again may help.
 *
 * <p>The message often quotes the cloud's answer, and goes to the log, the providers' status, an
 * incident and its pages; a credential in it (an answer that repeats the request's
 * {@code Authorization} header, say) is redacted when the exception is made.
 */
public class ProviderException extends RuntimeException {

  private final boolean retryable;

  public ProviderException(String message, boolean retryable, Throwable cause) {
    super(Secrets.redact(message, List.of()), cause);
    this.retryable = retryable;
  }

  /** True for throttling, 5xx and no answer; false for a request the cloud refuses. */
  public boolean retryable() {
    return retryable;
  }
}
