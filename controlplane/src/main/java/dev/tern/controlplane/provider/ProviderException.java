package dev.tern.controlplane.provider;

/** A cloud API call that failed; {@link #retryable()} says whether trying again may help. */
public class ProviderException extends RuntimeException {

  private final boolean retryable;

  public ProviderException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True for throttling, 5xx and no answer; false for a request the cloud refuses. */
  public boolean retryable() {
    return retryable;
  }
}
