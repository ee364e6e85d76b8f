package dev.tern.probe.bench;

import dev.tern.policy.geo.Region;
import dev.tern.probe.agent.ProbeTarget;
import dev.tern.probe.agent.Scheduler;
import dev.tern.probe.check.CheckSpec;
import dev.tern.probe.check.HttpChecker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One agent holding many targets: {@code targets} HTTP health checks (new connection each) at a
 * 1 s interval against a local target in its own process, for {@code seconds} after a warm-up. It
 * reports the achieved interval (start to start, per target) and the share within 10 % of 1 s.
 *
 * <p>{@code ./mvnw -B -q -pl probes -am -Pbench-interval test-compile [-Dbench.targets=10000]}
 */
public final class AchievedIntervalBenchmark {

  public static void main(String[] args) throws Exception {
    int targets = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int warmup = 10;
    Process target = ChecksPerCpuSecondBenchmark.startTarget();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.US_ASCII));
        HttpChecker checker = new HttpChecker(Optional.empty())) {
      int port = Integer.parseInt(out.readLine().strip());
      ConcurrentHashMap<String, Instant> last = new ConcurrentHashMap<>();
      ConcurrentLinkedQueue<Long> intervals = new ConcurrentLinkedQueue<>();
      AtomicLong failed = new AtomicLong();
      ConcurrentHashMap<String, Long> reasons = new ConcurrentHashMap<>();
      Instant measureFrom = Instant.now().plusSeconds(warmup);
      Instant measureTo = measureFrom.plusSeconds(seconds);
      Scheduler scheduler = new Scheduler(checker, Region.parse("aws:eu-central-1").orElseThrow(), Clock.systemUTC(),
          new SplittableRandom(7), o -> {
            if (!o.ok()) {
              failed.incrementAndGet();
              reasons.merge(o.error().orElse("?").replaceAll("[0-9]+", "N"), 1L, Long::sum);
            }
            Instant before = last.put(o.backend(), o.at());
            if (before != null && o.at().isAfter(measureFrom) && o.at().isBefore(measureTo)) {
              intervals.add(Duration.between(before, o.at()).toMillis());
            }
          }, new SimpleMeterRegistry());
      List<ProbeTarget> list = new ArrayList<>(targets);
      CheckSpec spec = new CheckSpec.Http(false, "127.0.0.1", port, "/health", Optional.empty(), Set.of(200),
          Optional.empty(), 4096, Optional.empty(), false, Duration.ofSeconds(2));
      for (int i = 0; i < targets; i++) {
        list.add(new ProbeTarget("bench", "t" + i, spec, Duration.ofSeconds(1)));
      }
      long cpuBefore = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toMillis();
      long targetCpuBefore = target.toHandle().info().totalCpuDuration().orElse(Duration.ZERO).toMillis();
      scheduler.apply(list);
      Thread.sleep(Duration.between(Instant.now(), measureTo).toMillis() + 1000);
      scheduler.close();
      long cpu = ProcessHandle.current().info().totalCpuDuration().orElse(Duration.ZERO).toMillis() - cpuBefore;
      long targetCpu = target.toHandle().info().totalCpuDuration().orElse(Duration.ZERO).toMillis() - targetCpuBefore;
      long[] sorted = intervals.stream().mapToLong(Long::longValue).sorted().toArray();
      long within = Arrays.stream(sorted).filter(ms -> ms >= 900 && ms <= 1100).count();
      System.out.printf("%n%d targets at 1 s, %d s measured after %d s warm-up, HTTP check on a new connection each%n",
          targets, seconds, warmup);
      System.out.printf("achieved interval: p50 %d ms, p90 %d ms, p99 %d ms, max %d ms; within 10%% of 1 s: %.1f%%%n",
          pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99), sorted[sorted.length - 1], 100.0 * within / sorted.length);
      System.out.printf("checks measured: %d (%.0f/s), failed %d; CPU over the whole run: agent %.1f s, target %.1f s%n",
          sorted.length, sorted.length / (double) seconds, failed.get(), cpu / 1000.0, targetCpu / 1000.0);
      reasons.forEach((reason, n) -> System.out.printf("  %d failed: %s%n", n, reason));
    } finally {
      target.getOutputStream().close();
      target.waitFor();
    }
  }

  static long pct(long[] sorted, double p) {
    return sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)];
  }
}
