package dev.tern.probe.check;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What one check saw. Phases that did not happen (no TLS on plain HTTP, no first byte after a
 * refused connect) are empty.
 *
 * @param failure why the check failed; empty when {@code ok}
 * @param detail one line for a human: the status, the error, what was expected
 */
public record CheckResult(
    boolean ok,
    Optional<Duration> connect,
    Optional<Duration> tls,
    Optional<Duration> firstByte,
    Duration total,
    Optional<Failure> failure,
    String detail) {

  /** Why a check failed, as a bounded set of metric labels. */
  public enum Failure {
    DNS_RESOLUTION,
    CONNECT_REFUSED,
    CONNECT_TIMEOUT,
    TLS_HANDSHAKE,
    TIMEOUT,
    BAD_STATUS,
    BODY_MISMATCH,
    PROTOCOL,
    IO,
    /** The target is a reserved address (link-local, cloud metadata): refused, never contacted. */
    RESERVED_ADDRESS,
    /** Not a real failure: a chaos run told the agent to report one (see InjectedFault). */
    INJECTED
  }

  public CheckResult {
    Objects.requireNonNull(connect, "connect");
    Objects.requireNonNull(tls, "tls");
    Objects.requireNonNull(firstByte, "firstByte");
    Objects.requireNonNull(total, "total");
    Objects.requireNonNull(failure, "failure");
    Objects.requireNonNull(detail, "detail");
    if (ok == failure.isPresent()) {
      throw new IllegalArgumentException("a failed check has a failure reason, and only a failed one");
    }
  }

  /** A check that failed before any phase worth timing completed, {@code startNanos} ago. */
  public static CheckResult failedSince(long startNanos, Failure failure, String detail) {
    return new CheckResult(false, Optional.empty(), Optional.empty(), Optional.empty(),
        Duration.ofNanos(System.nanoTime() - startNanos), Optional.of(failure), detail);
  }
}
