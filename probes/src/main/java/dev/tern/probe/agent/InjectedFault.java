package dev.tern.probe.agent;

import dev.tern.probe.check.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A chaos fault the control plane put on a target (the {@code probe-fault} injector): the agent
 * reports the target as the fault says, and the backend is left alone. Every result it changes
 * says in its detail which run injected what, so nobody mistakes it for a real failure.
 *
 * @param run the chaos run's id
 * @param latency added to each good check's latency ({@link Kind#LATENCY})
 * @param errorRate the share of checks reported failed ({@link Kind#ERRORS}), 0 to 1
 * @param period down for one period, up for the next ({@link Kind#FLAP}), from {@code since}
 */
public record InjectedFault(String run, Kind kind, Duration latency, double errorRate, Duration period, Instant since) {

  /** What the fault does to a check. */
  public enum Kind {
    /** Every check fails; the backend is not contacted. */
    OUTAGE,
    /** Every check runs; its latency is reported that much higher. */
    LATENCY,
    /** That share of checks fails without contacting the backend; the others run. */
    ERRORS,
    /** Checks fail during even periods from {@code since} and run during odd ones. */
    FLAP
  }

  public InjectedFault {
    Objects.requireNonNull(run, "run");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(latency, "latency");
    Objects.requireNonNull(period, "period");
    Objects.requireNonNull(since, "since");
    if (latency.isNegative() || !(errorRate >= 0 && errorRate <= 1) || (kind == Kind.FLAP && !period.isPositive())) {
      throw new IllegalArgumentException("run " + run + ": a " + kind + " fault needs a latency of 0 or more, an error"
          + " rate within 0..1 and, to flap, a positive period");
    }
  }

  public static InjectedFault outage(String run) {
    return new InjectedFault(run, Kind.OUTAGE, Duration.ZERO, 0, Duration.ZERO, Instant.EPOCH);
  }

  public static InjectedFault latency(String run, Duration latency) {
    return new InjectedFault(run, Kind.LATENCY, latency, 0, Duration.ZERO, Instant.EPOCH);
  }

  public static InjectedFault errors(String run, double rate) {
    return new InjectedFault(run, Kind.ERRORS, Duration.ZERO, rate, Duration.ZERO, Instant.EPOCH);
  }

  public static InjectedFault flap(String run, Duration period, Instant since) {
    return new InjectedFault(run, Kind.FLAP, Duration.ZERO, 0, period, since);
  }

  /** The result of one check of a target under this fault; {@code check} runs the real check when one is due. */
  public CheckResult apply(Instant now, RandomGenerator random, Supplier<CheckResult> check) {
    return switch (kind) {
      case OUTAGE -> injected("injected outage");
      case ERRORS -> random.nextDouble() < errorRate ? injected("injected error") : check.get();
      case FLAP -> down(now) ? injected("injected flap, down period") : check.get();
      case LATENCY -> {
        CheckResult r = check.get();
        yield r.ok()
            ? new CheckResult(true, r.connect(), r.tls(), r.firstByte().map(d -> d.plus(latency)), r.total().plus(latency),
                Optional.empty(), r.detail() + "; chaos run " + run + ": +" + latency.toMillis() + " ms injected (probe-fault)")
            : r;
      }
    };
  }

  private boolean down(Instant now) {
    if (now.isBefore(since)) {
      return false;
    }
    long periods = Duration.between(since, now).toNanos() / period.toNanos();
    return periods % 2 == 0;
  }

  private CheckResult injected(String what) {
    return new CheckResult(false, Optional.empty(), Optional.empty(), Optional.empty(), Duration.ZERO,
        Optional.of(CheckResult.Failure.INJECTED), "chaos run " + run + ": " + what + " (probe-fault; the backend was not contacted)");
  }
}
