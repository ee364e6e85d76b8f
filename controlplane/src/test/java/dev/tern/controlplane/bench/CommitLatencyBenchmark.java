package dev.tern.controlplane.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Measures the commit latency of each {@link CommitTarget} in one run, with the same operation
 * count, warm-up and payload, and prints each target's percentiles and its ratio to etcd's.
 *
 * <p>Commits are sequential, one in flight, as Tern's decision loop commits one command at a time:
 * latency, not peak throughput, is what the loop waits for. Throughput is therefore
 * 1 / mean latency, not the cluster's capacity.
 *
 * <pre>
 * ./mvnw -B -q -pl controlplane -am -Pbench test-compile exec:exec -Dbench.args="--ops 5000 --warmup 500"
 * </pre>
 *
 * <p>Options: {@code --targets etcd,etcd-no-fsync,tern,tern-fsync} (the keys of {@link #TARGETS}), {@code --ops},
 * {@code --warmup}, {@code --payload-bytes}, {@code --time-limit-seconds} (per target, warm-up
 * included; a target that runs out stops early and says so), {@code --data-dir} (where clusters
 * keep their data; default the JVM's temporary directory), {@code --etcd-script}.
 */
public final class CommitLatencyBenchmark {

  /** How a target is made from the run's settings, and whether others are compared with it. */
  record TargetKind(boolean baseline, Function<Settings, CommitTarget> factory) {}

  /**
   * Every target the benchmark knows, by the key {@code --targets} names. Tern's Raft cluster joins
   * here as one more entry with {@code baseline} false; it is then compared with both etcd rows.
   */
  static final Map<String, TargetKind> TARGETS = targets();

  private static Map<String, TargetKind> targets() {
    Map<String, TargetKind> targets = new LinkedHashMap<>();
    targets.put(
        "etcd", new TargetKind(true, s -> new EtcdCommitLatency(s.etcdScript(), s.dataDir(), true)));
    targets.put(
        "etcd-no-fsync",
        new TargetKind(true, s -> new EtcdCommitLatency(s.etcdScript(), s.dataDir(), false)));
    targets.put("tern", new TargetKind(false, s -> new TernCommitLatency(s.dataDir(), false)));
    targets.put("tern-fsync", new TargetKind(false, s -> new TernCommitLatency(s.dataDir(), true)));
    return targets;
  }

  /** One run's parameters, shared by every target. */
  record Settings(
      List<String> targets,
      int ops,
      int warmup,
      int payloadBytes,
      Duration timeLimit,
      Path dataDir,
      Path etcdScript) {

    Settings {
      targets = List.copyOf(targets);
      for (String key : targets) {
        if (!TARGETS.containsKey(key)) {
          throw new IllegalArgumentException(
              "unknown target '" + key + "'; known: " + String.join(", ", TARGETS.keySet()));
        }
      }
      if (ops < 1 || warmup < 0 || payloadBytes < 1 || timeLimit.isNegative() || timeLimit.isZero()) {
        throw new IllegalArgumentException(
            "--ops, --payload-bytes and --time-limit-seconds must be positive, --warmup not negative");
      }
    }

    static Settings parse(String[] args) {
      Map<String, String> options = new LinkedHashMap<>();
      for (int i = 0; i < args.length; i += 2) {
        if (!args[i].startsWith("--") || i + 1 == args.length) {
          throw new IllegalArgumentException("expected --option value pairs, got: " + String.join(" ", args));
        }
        options.put(args[i].substring(2), args[i + 1]);
      }
      Settings settings =
          new Settings(
              Arrays.asList(options.getOrDefault("targets", "etcd,etcd-no-fsync,tern,tern-fsync").split(",")),
              Integer.parseInt(options.getOrDefault("ops", "5000")),
              Integer.parseInt(options.getOrDefault("warmup", "500")),
              Integer.parseInt(options.getOrDefault("payload-bytes", "200")),
              Duration.ofSeconds(Long.parseLong(options.getOrDefault("time-limit-seconds", "300"))),
              Path.of(options.getOrDefault("data-dir", System.getProperty("java.io.tmpdir"))),
              options.containsKey("etcd-script")
                  ? Path.of(options.get("etcd-script"))
                  : defaultEtcdScript());
      List.of("targets", "ops", "warmup", "payload-bytes", "time-limit-seconds", "data-dir", "etcd-script")
          .forEach(options::remove);
      if (!options.isEmpty()) {
        throw new IllegalArgumentException("unknown options: " + options.keySet());
      }
      return settings;
    }

    private static Path defaultEtcdScript() {
      for (Path candidate :
          List.of(Path.of("bench/etcd-cluster.sh"), Path.of("controlplane/bench/etcd-cluster.sh"))) {
        if (Files.isRegularFile(candidate)) {
          return candidate.toAbsolutePath();
        }
      }
      throw new IllegalArgumentException(
          "etcd-cluster.sh not found from " + Path.of("").toAbsolutePath() + "; pass --etcd-script");
    }
  }

  /** What one target produced: a summary, or why it has none. */
  record Outcome(
      String name, boolean baseline, LatencyRecorder.Summary summary, String note, boolean failed) {}

  // The target being measured, stopped either by measure() or by the shutdown hook, whichever
  // comes first; the other waits on the lock so the JVM never exits halfway through a stop.
  private static final Object LIFECYCLE = new Object();
  private static CommitTarget running;

  public static void main(String[] args) {
    Settings settings;
    try {
      settings = Settings.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("commit-latency: " + e.getMessage());
      System.exit(2);
      return;
    }
    // Ctrl-C or a killed build must not leave a cluster behind.
    Runtime.getRuntime()
        .addShutdownHook(new Thread(CommitLatencyBenchmark::stopRunning));

    byte[] payload = decisionCommand(settings.payloadBytes());
    System.out.printf(
        Locale.ROOT,
        "Commit latency: sequential commits, one in flight; %d measured after %d warm-up;"
            + " %d-byte payload; at most %d s per target; JDK %s, %d cores%n%n",
        settings.ops(), settings.warmup(), payload.length, settings.timeLimit().toSeconds(),
        Runtime.version(), Runtime.getRuntime().availableProcessors());

    List<Outcome> outcomes = new ArrayList<>();
    for (String key : settings.targets()) {
      TargetKind kind = TARGETS.get(key);
      outcomes.add(measure(kind.factory().apply(settings), kind.baseline(), settings, payload));
    }
    System.out.println();
    printResults(outcomes);
    System.exit(outcomes.stream().anyMatch(Outcome::failed) ? 1 : 0);
  }

  /** Warms up, then measures, one target; always stops it. */
  static Outcome measure(CommitTarget target, boolean baseline, Settings settings, byte[] payload) {
    synchronized (LIFECYCLE) {
      running = target;
    }
    long deadline = System.nanoTime() + settings.timeLimit().toNanos();
    try {
      target.start();
      deadline = System.nanoTime() + settings.timeLimit().toNanos();
      for (int i = 0; i < settings.warmup() && System.nanoTime() < deadline; i++) {
        target.commitOnce(payload);
      }
      LatencyRecorder recorder = new LatencyRecorder(settings.ops());
      long begin = System.nanoTime();
      for (int i = 0; i < settings.ops() && System.nanoTime() < deadline; i++) {
        long before = System.nanoTime();
        target.commitOnce(payload);
        recorder.record(System.nanoTime() - before);
      }
      Duration elapsed = Duration.ofNanos(System.nanoTime() - begin);
      if (recorder.count() == 0) {
        return new Outcome(target.name(), baseline, null, "time limit reached during warm-up", true);
      }
      String note =
          recorder.count() < settings.ops()
              ? "time limit reached after " + recorder.count() + " of " + settings.ops()
              : "";
      return new Outcome(target.name(), baseline, recorder.summary(elapsed), note, false);
    } catch (Exception e) {
      System.err.println(target.name() + ": failed: " + e);
      return new Outcome(target.name(), baseline, null, "failed: " + e.getMessage(), true);
    } finally {
      stopRunning();
    }
  }

  private static void stopRunning() {
    synchronized (LIFECYCLE) {
      if (running != null) {
        running.stop();
        running = null;
      }
    }
  }

  static void printResults(List<Outcome> outcomes) {
    System.out.printf(
        Locale.ROOT,
        "%-24s %6s %9s %9s %9s %9s %9s %9s%n",
        "target", "ops", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "ops/s");
    for (Outcome o : outcomes) {
      if (o.summary() == null) {
        System.out.printf(Locale.ROOT, "%-24s %s%n", o.name(), o.note());
        continue;
      }
      LatencyRecorder.Summary s = o.summary();
      System.out.printf(
          Locale.ROOT,
          "%-24s %6d %9.3f %9.3f %9.3f %9.3f %9.3f %9.0f%s%n",
          o.name(), s.count(), ms(s.p50Nanos()), ms(s.p90Nanos()), ms(s.p99Nanos()),
          ms(s.p999Nanos()), ms(s.maxNanos()), s.throughputPerSecond(),
          o.note().isEmpty() ? "" : "  (" + o.note() + ")");
    }

    List<Outcome> baselines =
        outcomes.stream().filter(o -> o.baseline() && o.summary() != null).toList();
    List<Outcome> measured = outcomes.stream().filter(o -> o.summary() != null).toList();
    if (baselines.isEmpty() || measured.size() < 2) {
      return;
    }
    System.out.printf("%nRatio to etcd, p50 and p99 (below 1: faster than that etcd row)%n");
    StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-24s", "target"));
    for (Outcome b : baselines) {
      header.append(String.format(Locale.ROOT, "  %-24s", "÷ " + b.name()));
    }
    System.out.println(header);
    for (Outcome o : measured) {
      StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-24s", o.name()));
      for (Outcome b : baselines) {
        String cell =
            o == b
                ? "1"
                : String.format(
                    Locale.ROOT,
                    "p50 %.2f  p99 %.2f",
                    (double) o.summary().p50Nanos() / b.summary().p50Nanos(),
                    (double) o.summary().p99Nanos() / b.summary().p99Nanos());
        row.append(String.format(Locale.ROOT, "  %-24s", cell));
      }
      System.out.println(row);
    }
  }

  /**
   * A stand-in for one encoded decision command of the given size: a service's new plan with its
   * weighted backends and the reason, as the decision loop commits it.
   */
  static byte[] decisionCommand(int size) {
    String command =
        "{\"type\":\"plan\",\"v\":1,\"service\":\"shop\",\"epoch\":47,\"zone\":\"eu-west\","
            + "\"routes\":[[\"aws:eu-central-1/shop-a\",60],[\"gcp:europe-west1/shop-b\",40]],"
            + "\"reason\":\"aws:eu-west-1 UNHEALTHY since 2026-11-23T12:00Z\"}";
    byte[] bytes = new byte[size];
    byte[] text = command.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < size; i++) {
      bytes[i] = i < text.length ? text[i] : (byte) ' ';
    }
    return bytes;
  }

  private static double ms(long nanos) {
    return nanos / 1e6;
  }

  private CommitLatencyBenchmark() {}
}
