package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import io.micronaut.context.annotation.Value;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.exceptions.HttpStatusException;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletionException;

/**
 * How the API writes: one command through Raft, answered only after commit. A rejection becomes
 * 409 with the state machine's reason; no commit in time (no leader, no majority) becomes 503,
 * which is safe to retry.
 */
@Singleton
final class Writes {

  private final RaftNode node;
  private final Clock clock;
  private final Duration timeout;

  Writes(RaftNode node, Clock clock, @Value("${tern.api.commit-timeout:5s}") Duration timeout) {
    this.node = node;
    this.clock = clock;
    this.timeout = timeout;
  }

  /** Now, to the millisecond a command carries. */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** Commits {@code command}; returns the version it produced. */
  long commit(Command command) {
    ApplyResult result;
    try {
      result = node.submit(command, timeout).join();
    } catch (CompletionException e) {
      throw new HttpStatusException(HttpStatus.SERVICE_UNAVAILABLE,
          "not committed: no leader or no majority answered within " + timeout.toSeconds() + " s; retry");
    }
    return switch (result) {
      case ApplyResult.Applied a -> a.version();
      case ApplyResult.Rejected r -> throw new HttpStatusException(HttpStatus.CONFLICT, r.reason());
    };
  }

  /** Every mutation states why; the reason goes to the audit log. */
  static String requireReason(String reason) {
    if (reason == null || reason.isBlank()) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST,
          "say why: add ?reason=... (it is written to the audit log)");
    }
    if (reason.length() > 500) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, "the reason is longer than 500 characters");
    }
    return reason;
  }
}
