package dev.tern.probe.bench;

import dev.tern.policy.geo.Region;
import dev.tern.probe.agent.ProbeAgent;
import dev.tern.probe.agent.Reporter;
import dev.tern.probe.check.Checkers;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One whole probe agent holding many targets: {@code targets} HTTP health checks (new connection
 * each, body matched) at a 1 s interval, following its assignment from three control-plane nodes
 * and reporting every observation to all three, as in production. The target and the three nodes
 * run in processes of their own on the same machine.
 *
 * <p>The achieved interval is measured where it matters, at a control-plane node: the time between
 * two consecutive observations of the same target, over {@code seconds} after a 10 s warm-up.
 *
 * <p>{@code ./mvnw -B -q -pl probes -am -Pbench-interval test-compile [-Dbench.targets=10000]}
 */
public final class AchievedIntervalBenchmark {

  public static void main(String[] args) throws Exception {
    int targets = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
    int warmup = 10;
    long measureFrom = System.currentTimeMillis() + warmup * 1000L;
    long measureTo = measureFrom + seconds * 1000L;
    Process target = ChecksPerCpuSecondBenchmark.startTarget();
    Process nodes = null;
    try {
      var targetOut = new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.US_ASCII));
      int port = Integer.parseInt(targetOut.readLine().strip());
      nodes = ChecksPerCpuSecondBenchmark.javaProcess(ControlPlaneStandIn.class, String.valueOf(targets), String.valueOf(port),
          String.valueOf(measureFrom), String.valueOf(measureTo));
      var nodesOut = new BufferedReader(new InputStreamReader(nodes.getInputStream(), StandardCharsets.US_ASCII));
      List<URI> urls = Arrays.stream(nodesOut.readLine().strip().split(","))
          .map(p -> URI.create("http://127.0.0.1:" + p)).toList();

      long cpuBefore = cpuMillis(ProcessHandle.current());
      long targetCpuBefore = cpuMillis(target.toHandle());
      long nodesCpuBefore = cpuMillis(nodes.toHandle());
      var settings = new ProbeAgent.Settings(Region.parse("aws:eu-central-1").orElseThrow(), urls, "bench-token",
          new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(30), Reporter.Settings.defaults());
      try (var checkers = new Checkers(Optional.empty());
          var agent = new ProbeAgent(settings, checkers, Clock.systemUTC(), new SplittableRandom(7))) {
        Thread.sleep(Math.max(0, measureTo - System.currentTimeMillis()) + 1500);
        String scrape = agent.scrape();
        System.out.printf(Locale.ROOT, "%nagent: %s dropped, buffer depth %s at the end%n",
            metric(scrape, "tern_probe_report_dropped_total"), metric(scrape, "tern_probe_report_buffer_depth"));
      }
      long cpu = cpuMillis(ProcessHandle.current()) - cpuBefore;
      long targetCpu = cpuMillis(target.toHandle()) - targetCpuBefore;
      long nodesCpu = cpuMillis(nodes.toHandle()) - nodesCpuBefore;
      nodes.getOutputStream().close();
      String intervals = nodesOut.readLine();
      String received = nodesOut.readLine();
      nodes.waitFor();
      String[] f = intervals.split(" ");
      String[] r = received.split(" ");
      System.out.printf(Locale.ROOT,
          "%d targets at 1 s, HTTP check on a new connection each, %d s measured after %d s warm-up%n", targets,
          seconds, warmup);
      System.out.printf(Locale.ROOT,
          "interval between observations at a node: p50 %s ms, p90 %s ms, p99 %s ms, max %s ms; within 10%% of 1 s: %s%%%n",
          f[3], f[4], f[5], f[6], f[7]);
      System.out.printf(Locale.ROOT, "observations/s reaching node 1: %s; received by nodes 1/2/3: %s/%s/%s; failed checks %s%n",
          f[2], r[1], r[2], r[3], r[5]);
      System.out.printf(Locale.ROOT, "CPU over the whole run (%d s): agent %.1f s, target %.1f s, three nodes %.1f s%n",
          warmup + seconds, cpu / 1000.0, targetCpu / 1000.0, nodesCpu / 1000.0);
    } finally {
      target.getOutputStream().close();
      target.waitFor();
      if (nodes != null && nodes.isAlive()) {
        nodes.destroy();
      }
    }
  }

  private static long cpuMillis(ProcessHandle process) {
    return process.info().totalCpuDuration().orElse(Duration.ZERO).toMillis();
  }

  /** The values of every series of {@code name} in a scrape, summed. */
  private static String metric(String scrape, String name) {
    return String.format(Locale.ROOT, "%.0f", scrape.lines()
        .filter(l -> l.startsWith(name + "{") || l.startsWith(name + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum());
  }
}
