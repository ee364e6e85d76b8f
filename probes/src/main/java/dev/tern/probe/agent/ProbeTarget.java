package dev.tern.probe.agent;

import dev.tern.probe.check.CheckSpec;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One backend this agent checks, how, and how often, and the chaos fault to report for it while
 * one is in.
 */
public record ProbeTarget(String service, String backend, CheckSpec spec, Duration interval, Optional<InjectedFault> fault) {

  /** A target without an injected fault. */
  public ProbeTarget(String service, String backend, CheckSpec spec, Duration interval) {
    this(service, backend, spec, interval, Optional.empty());
  }

  public ProbeTarget {
    Objects.requireNonNull(fault, "fault");
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
