package dev.tern.probe.bench;

import dev.tern.probe.check.CheckSpec;
import dev.tern.probe.check.HttpChecker;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;

/**
 * HTTP health checks per CPU-second of the checking process: Tern's {@link HttpChecker} on virtual
 * threads beside Prometheus blackbox_exporter (Debian's package, module {@code http_2xx}), against
 * the same target, with the same number of checks in flight, each on a new connection.
 *
 * <p>The target runs in a process of its own. Tern's CPU is this JVM's, read from /proc after a
 * warm-up; blackbox_exporter's is its process's, read from /proc while this JVM drives it through
 * {@code GET /probe}. Usage: {@code [--concurrency N] [--seconds S] [--warmup-seconds W]}.
 */
public final class ChecksPerCpuSecondBenchmark {

  private static final String EXPORTER = "/usr/bin/prometheus-blackbox-exporter";

  private ChecksPerCpuSecondBenchmark() {}

  /** One measured run: checks done, failed, CPU and wall time spent. */
  record Run(String name, long checks, long failures, Duration cpu, Duration wall) {
    double perCpuSecond() {
      return checks / (cpu.toNanos() / 1e9);
    }

    String line() {
      return String.format(Locale.ROOT, "%-34s %9d checks %5d failed %8.2f CPU-s %7.1f s wall %10.0f checks/CPU-s %8.0f checks/s",
          name, checks, failures, cpu.toNanos() / 1e9, wall.toNanos() / 1e9, perCpuSecond(), checks / (wall.toNanos() / 1e9));
    }
  }

  public static void main(String[] args) throws Exception {
    int concurrency = 32;
    int seconds = 10;
    int warmup = 3;
    for (int i = 0; i < args.length; i += 2) {
      switch (args[i]) {
        case "--concurrency" -> concurrency = Integer.parseInt(args[i + 1]);
        case "--seconds" -> seconds = Integer.parseInt(args[i + 1]);
        case "--warmup-seconds" -> warmup = Integer.parseInt(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; use --concurrency, --seconds, --warmup-seconds");
      }
    }
    installExporter();
    var target = startTarget();
    try {
      int port = Integer.parseInt(new BufferedReader(new InputStreamReader(target.getInputStream(), StandardCharsets.US_ASCII)).readLine().trim());
      System.out.printf(Locale.ROOT, "target http://127.0.0.1:%d/health (pid %d), %d in flight, %d s measured after %d s warm-up%n",
          port, target.pid(), concurrency, seconds, warmup);
      var tern = tern(port, concurrency, seconds, warmup);
      System.out.println(tern.line());
      var nio = nio(port, concurrency, seconds, warmup);
      System.out.println(nio.line());
      var exporter = blackbox(port, concurrency, seconds, warmup);
      System.out.println(exporter.line());
      System.out.printf(Locale.ROOT, "ratio tern / blackbox_exporter: %.2f (target >= 3)%n", tern.perCpuSecond() / exporter.perCpuSecond());
      System.out.printf(Locale.ROOT, "ratio virtual threads / non-blocking selector: %.2f%n", tern.perCpuSecond() / nio.perCpuSecond());
    } finally {
      target.getOutputStream().close();
      if (!target.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        target.destroy();
      }
    }
  }

  static Process startTarget() throws IOException {
    return javaProcess(HttpTarget.class);
  }

  /** {@code main} in a JVM of its own, on this classpath; its standard error goes to ours. */
  static Process javaProcess(Class<?> main, String... args) throws IOException {
    var java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    var command = new java.util.ArrayList<>(List.of(java, "-XX:+UseSerialGC", "-cp",
        System.getProperty("java.class.path"), main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
  }

  private static Run tern(int port, int concurrency, int seconds, int warmup) throws Exception {
    var spec = new CheckSpec.Http(false, "127.0.0.1", port, "/health", Optional.empty(), Set.of(200),
        Optional.of("healthy"), 4096, Optional.empty(), false, Duration.ofSeconds(5));
    try (var checker = new HttpChecker(Optional.empty())) {
      BooleanSupplier check = () -> checker.run(spec).ok();
      drive(check, concurrency, warmup);
      long pid = ProcessHandle.current().pid();
      return measure("tern HttpChecker, virtual threads", pid, check, concurrency, seconds);
    }
  }

  /** The non-blocking alternative, driven and measured the same way (this JVM's CPU). */
  private static Run nio(int port, int concurrency, int seconds, int warmup) throws Exception {
    var checks = new NioHttpChecks(new InetSocketAddress("127.0.0.1", port));
    checks.run(concurrency, warmup);
    long pid = ProcessHandle.current().pid();
    long cpuBefore = cpuNanos(pid);
    long wallBefore = System.nanoTime();
    long[] counts = checks.run(concurrency, seconds);
    return new Run("non-blocking selector, one thread", counts[0], counts[1],
        Duration.ofNanos(cpuNanos(pid) - cpuBefore), Duration.ofNanos(System.nanoTime() - wallBefore));
  }

  private static Run blackbox(int targetPort, int concurrency, int seconds, int warmup) throws Exception {
    var dir = Files.createTempDirectory("tern-blackbox");
    var config = dir.resolve("blackbox.yml");
    Files.writeString(config, """
        modules:
          http_2xx:
            prober: http
            timeout: 5s
            http:
              preferred_ip_protocol: ip4
        """);
    int port = freePort();
    var exporter = new ProcessBuilder(EXPORTER, "--config.file=" + config, "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("exporter.log").toFile())
        .start();
    try {
      var client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(Executors.newVirtualThreadPerTaskExecutor()).build();
      var probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
              + "/probe?module=http_2xx&target=" + "http://127.0.0.1:" + targetPort + "/health"))
          .timeout(Duration.ofSeconds(10)).build();
      awaitListening(port);
      BooleanSupplier check = () -> {
        try {
          var response = client.send(probe, HttpResponse.BodyHandlers.ofString());
          return response.statusCode() == 200 && response.body().contains("\nprobe_success 1");
        } catch (IOException e) {
          return false;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      };
      drive(check, concurrency, warmup);
      return measure("blackbox_exporter " + version(), exporter.pid(), check, concurrency, seconds);
    } finally {
      exporter.destroy();
      exporter.waitFor();
    }
  }

  private static Run measure(String name, long pid, BooleanSupplier check, int concurrency, int seconds) throws Exception {
    long cpuBefore = cpuNanos(pid);
    long wallBefore = System.nanoTime();
    var counts = drive(check, concurrency, seconds);
    long wall = System.nanoTime() - wallBefore;
    long cpu = cpuNanos(pid) - cpuBefore;
    return new Run(name, counts[0], counts[1], Duration.ofNanos(cpu), Duration.ofNanos(wall));
  }

  /** Runs {@code check} on {@code concurrency} virtual threads for {@code seconds}; returns {checks, failures}. */
  private static long[] drive(BooleanSupplier check, int concurrency, int seconds) throws InterruptedException {
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    var done = new LongAdder();
    var failed = new LongAdder();
    var threads = new ArrayList<Thread>();
    for (int i = 0; i < concurrency; i++) {
      threads.add(Thread.ofVirtual().start(() -> {
        while (System.nanoTime() < end) {
          if (!check.getAsBoolean()) {
            failed.increment();
          }
          done.increment();
        }
      }));
    }
    for (var thread : threads) {
      thread.join();
    }
    return new long[] {done.sum(), failed.sum()};
  }

  /** utime + stime of a process, from /proc/PID/stat, in nanoseconds. */
  private static long cpuNanos(long pid) throws IOException {
    var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return ticks * 1_000_000_000L / clockTicksPerSecond();
  }

  private static long clockTicks;

  private static long clockTicksPerSecond() throws IOException {
    if (clockTicks == 0) {
      clockTicks = Long.parseLong(run("getconf", "CLK_TCK").trim());
    }
    return clockTicks;
  }

  private static void installExporter() throws IOException, InterruptedException {
    if (Files.isExecutable(Path.of(EXPORTER))) {
      return;
    }
    System.out.println("installing prometheus-blackbox-exporter with apt-get");
    var install = new ProcessBuilder("apt-get", "install", "-y", "-q", "prometheus-blackbox-exporter").inheritIO().start();
    if (install.waitFor() != 0) {
      throw new IllegalStateException("apt-get install prometheus-blackbox-exporter failed; run apt-get update first");
    }
  }

  private static String version() throws IOException, InterruptedException {
    var out = run(EXPORTER, "--version");
    var words = List.of(out.split("\\s+"));
    int at = words.indexOf("version");
    return at >= 0 && at + 1 < words.size() ? words.get(at + 1) : "";
  }

  private static String run(String... command) throws IOException {
    try {
      var process = new ProcessBuilder(command).redirectErrorStream(true).start();
      var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      process.waitFor();
      return out;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private static int freePort() throws IOException {
    try (var socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitListening(int port) throws InterruptedException, IOException {
    for (int i = 0; i < 100; i++) {
      try (var socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 100);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IOException("blackbox_exporter did not listen on 127.0.0.1:" + port + " within 5 s");
  }
}
