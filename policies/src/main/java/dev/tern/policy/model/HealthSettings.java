package dev.tern.policy.model;

import java.time.Duration;
import java.util.Objects;

/**
 * How observations become verdicts, and how fast traffic may come back.
 *
 * @param failAfter consecutive failed rounds before a vantage point calls a backend down
 * @param recoverAfter consecutive good rounds before a vantage point calls it up again
 * @param quorum vantage points that must agree a backend is down (at least 2)
 * @param staleAfter a vantage point silent for longer than this does not vote
 * @param failbackDelay how long a recovered backend must stay healthy before traffic returns
 */
public record HealthSettings(
    int failAfter, int recoverAfter, int quorum, Duration staleAfter, Duration failbackDelay) {

  public static final HealthSettings DEFAULTS =
      new HealthSettings(3, 2, 2, Duration.ofSeconds(30), Duration.ofSeconds(60));

  public HealthSettings {
    Objects.requireNonNull(staleAfter, "staleAfter");
    Objects.requireNonNull(failbackDelay, "failbackDelay");
  }
}
