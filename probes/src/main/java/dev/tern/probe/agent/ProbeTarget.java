package dev.tern.probe.agent;

import dev.tern.probe.check.CheckSpec;
import java.time.Duration;
import java.util.Objects;

/** One backend this agent checks, how, and how often. */
public record ProbeTarget(String service, String backend, CheckSpec spec, Duration interval) {

  public ProbeTarget {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException(service + "/" + backend + ": the interval must be positive");
    }
  }

  /** {@code service/backend}: what identifies a target across assignments. */
  public String key() {
    return service + "/" + backend;
  }
}
