package dev.tern.probe.agent;

import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.probe.check.CheckResult;
import dev.tern.probe.check.Checker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;

/**
 * Runs every target's check on its interval, one virtual thread per target, and turns each result
 * into a {@link ProbeObservation} from this agent's region.
 *
 * <p>A target's first check waits a random offset in {@code [0, interval)}, so a new assignment
 * does not fire every check at once. Later checks start one interval after the previous start; a
 * check slower than its interval starts the next one at once, and the achieved interval (start to
 * start) is exported as {@code tern_probe_achieved_interval_seconds}, so a saturated agent shows.
 *
 * <p>{@link #apply} takes a whole new target list: new targets start, removed ones stop, and a
 * target whose check, interval or injected fault changed restarts with the new one. Nothing else
 * is disturbed. A target with an injected chaos fault ({@link InjectedFault}) is reported as the
 * fault says.
 */
public final class Scheduler implements AutoCloseable {

  private final Checker checker;
  private final Region vantage;
  private final Clock clock;
  private final RandomGenerator random;
  private final Consumer<ProbeObservation> sink;
  private final MeterRegistry meters;
  private final Map<String, Running> running = new HashMap<>();

  /**
   * Histogram buckets of check latency, total and per phase: few enough that a series per target
   * stays cheap at thousands of targets, fine enough to tell a 5 ms region from a 150 ms one.
   */
  static final Duration[] LATENCY_BUCKETS = Stream.of(5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000)
      .map(Duration::ofMillis).toArray(Duration[]::new);

  public Scheduler(Checker checker, Region vantage, Clock clock, RandomGenerator random,
      Consumer<ProbeObservation> sink, MeterRegistry meters) {
    this.checker = Objects.requireNonNull(checker, "checker");
    this.vantage = Objects.requireNonNull(vantage, "vantage");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /** Makes {@code targets} the set being checked. */
  public synchronized void apply(List<ProbeTarget> targets) {
    Map<String, ProbeTarget> wanted = new HashMap<>();
    for (ProbeTarget t : targets) {
      wanted.put(t.key(), t);
    }
    for (var it = running.entrySet().iterator(); it.hasNext(); ) {
      var entry = it.next();
      ProbeTarget next = wanted.get(entry.getKey());
      if (next == null || !next.equals(entry.getValue().target)) {
        entry.getValue().stop();
        it.remove();
      }
    }
    for (ProbeTarget t : wanted.values()) {
      running.computeIfAbsent(t.key(), k -> new Running(t));
    }
  }

  /** The targets being checked now, by key. */
  public synchronized Map<String, ProbeTarget> targets() {
    Map<String, ProbeTarget> out = new HashMap<>();
    running.forEach((k, r) -> out.put(k, r.target));
    return Map.copyOf(out);
  }

  @Override
  public synchronized void close() {
    running.values().forEach(Running::stop);
    running.clear();
  }

  /** One target's loop and meters. */
  private final class Running {
    final ProbeTarget target;
    final Thread thread;
    final AtomicLong achievedNanos = new AtomicLong();
    final Gauge achieved;
    final Timer latency;
    final Timer connect;
    final Timer tls;
    final Timer firstByte;
    final Counter ok;
    final Counter failed;
    volatile boolean stopped;

    Running(ProbeTarget target) {
      this.target = target;
      this.achieved = Gauge.builder("tern.probe.achieved.interval", achievedNanos, n -> n.get() / 1e9)
          .description("Start-to-start time of the last two checks of a target; above its interval means saturation")
          .baseUnit("seconds")
          .tags("service", target.service(), "backend", target.backend())
          .register(meters);
      this.latency = Timer.builder("tern.probe.check.latency")
          .description("Time a check took, until its result or failure")
          .tags("service", target.service(), "backend", target.backend())
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(meters);
      this.connect = phase("connect");
      this.tls = phase("tls");
      this.firstByte = phase("first_byte");
      this.ok = checks("ok");
      this.failed = checks("failed");
      this.thread = Thread.ofVirtual().name("tern-probe-" + target.key()).start(this::loop);
    }

    private Counter checks(String outcome) {
      return Counter.builder("tern.probe.checks")
          .description("Checks run; rate() gives checks per second")
          .tags("service", target.service(), "backend", target.backend(), "outcome", outcome)
          .register(meters);
    }

    private Timer phase(String phase) {
      return Timer.builder("tern.probe.check.phase")
          .description("Time from the start of a check to the end of one phase: connect, tls, first_byte")
          .tags("service", target.service(), "phase", phase)
          .serviceLevelObjectives(LATENCY_BUCKETS)
          .register(meters);
    }

    /** Stops the loop and drops this target's own series; per-service series stay for the others. */
    void stop() {
      stopped = true;
      thread.interrupt();
      meters.remove(achieved);
      meters.remove(latency);
      meters.remove(ok);
      meters.remove(failed);
    }

    private void loop() {
      long interval = target.interval().toNanos();
      try {
        Thread.sleep(Duration.ofNanos(random.nextLong(interval)));
        long lastStart = 0;
        while (!stopped) {
          long start = System.nanoTime();
          if (lastStart != 0) {
            achievedNanos.set(start - lastStart);
          }
          lastStart = start;
          checkOnce();
          long sleep = start + interval - System.nanoTime();
          if (sleep > 0) {
            Thread.sleep(Duration.ofNanos(sleep));
          }
        }
      } catch (InterruptedException e) {
        // stopped: the target was removed or changed, or the agent is closing
      }
    }

    private void checkOnce() {
      CheckResult result = target.fault().isPresent()
          ? target.fault().get().apply(clock.instant(), random, () -> checker.run(target.spec()))
          : checker.run(target.spec());
      if (stopped) {
        return;
      }
      latency.record(result.total());
      result.connect().ifPresent(connect::record);
      result.tls().ifPresent(tls::record);
      result.firstByte().ifPresent(firstByte::record);
      Optional<String> error = Optional.empty();
      if (result.ok()) {
        ok.increment();
      } else {
        failed.increment();
        String reason = result.failure().map(f -> f.name().toLowerCase(java.util.Locale.ROOT)).orElse("unknown");
        Counter.builder("tern.probe.check.failures")
            .description("Failed checks by reason")
            .tag("reason", reason)
            .register(meters)
            .increment();
        error = Optional.of(reason + ": " + result.detail());
      }
      sink.accept(new ProbeObservation(vantage, target.service(), target.backend(), clock.instant(), result.ok(),
          result.total(), error));
    }
  }
}
