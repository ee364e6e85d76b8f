package dev.tern.policy.health;

import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One check of one backend from one vantage point.
 *
 * @param vantage the region the probe agent runs in
 * @param latency total time of the check (until the failure, for a failed one)
 * @param error why the check failed; empty when {@code ok}
 */
public record ProbeObservation(
    Region vantage,
    String service,
    String backend,
    Instant at,
    boolean ok,
    Duration latency,
    Optional<String> error) {

  public ProbeObservation {
    Objects.requireNonNull(vantage, "vantage");
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(error, "error");
  }

  public static ProbeObservation ok(
      Region vantage, String service, String backend, Instant at, Duration latency) {
    return new ProbeObservation(vantage, service, backend, at, true, latency, Optional.empty());
  }

  public static ProbeObservation failed(
      Region vantage, String service, String backend, Instant at, String error) {
    return new ProbeObservation(vantage, service, backend, at, false, Duration.ZERO, Optional.of(error));
  }
}
