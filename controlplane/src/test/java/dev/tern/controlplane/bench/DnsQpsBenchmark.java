package dev.tern.controlplane.bench;

import dev.tern.controlplane.demo.DemoWorld;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Queries per second on loopback, measured by dnsperf (Debian), in one run: Tern's embedded DNS
 * (node 1 of the demo world, answering an EU client by EDNS Client Subnet), PowerDNS
 * Authoritative serving the same name and addresses from a static zone (bind backend), and
 * PowerDNS computing them with a LUA {@code ifurlup} record over the same backends.
 *
 * <p>Every server gets the same query stream (with the EU client's ECS option, which PowerDNS
 * without edns-subnet-processing ignores) for the same time; dnsperf runs on the same 2 cores,
 * so the figures are what one core of server gets beside one core of load generator. Tern's
 * response rate limiting is off for the run ({@code tern.dns.rate-limit.responses-per-second=0}),
 * as PowerDNS has none.
 *
 * <p>{@code ./mvnw -B -q -pl controlplane -am -Pbench-dns-qps test-compile [-Dbench.seconds=15]}
 */
public final class DnsQpsBenchmark {

  /** EDNS Client Subnet (option 8): IPv4, source /24, scope 0, 10.10.0.0 — an EU client. */
  static final String EU_ECS = "8:000118000a0a00";
  static final Pattern QPS = Pattern.compile("Queries per second:\\s+([0-9.]+)");
  static final Pattern LOST = Pattern.compile("Queries lost:\\s+(\\d+)");
  static final Pattern COMPLETED = Pattern.compile("Queries completed:\\s+(\\d+)");

  /** What one server did under dnsperf: throughput, and queries per CPU-second of the server itself. */
  record Result(double qps, double perCpuSecond) {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    ensureDnsperf();
    try (DemoWorld world = DemoWorld.start(DemoWorld.Options.freePorts())) {
      world.awaitReady(Duration.ofSeconds(60));
      var resolver = DnsFailoverBenchmark.resolver(world.dnsPort(0), Optional.of(DnsFailoverBenchmark.EU_CLIENT));
      Set<String> answer = DnsFailoverBenchmark.addresses(resolver);
      int backendPort = world.regions().port();
      List<String> records = new ArrayList<>();
      answer.forEach(a -> records.add("shop IN A " + a));
      records.add("lua IN LUA A \"ifurlup('http://" + DemoWorld.HOSTNAME + ":" + backendPort + "/healthz', {{"
          + String.join(", ", answer.stream().map(a -> "'" + a + "'").toList()) + "}}, {selector='all'})\"");
      try (PowerDns pdns = PowerDns.start(DemoWorld.DNS_ZONE, records, DnsFailoverBenchmark.freeUdpPort())) {
        System.out.printf(Locale.ROOT, "answer for an EU client: %s; %d s per server, dnsperf 1 thread, 100 in flight%n",
            answer, seconds);
        Result tern = dnsperf("Tern embedded DNS (ECS, EU client)", world.dnsPort(0), "shop.tern.test", seconds,
            DnsQpsBenchmark::ternDnsCpuNanos);
        Result plain = dnsperf("PowerDNS static zone (bind)", pdns.port(), "shop.tern.test", seconds,
            () -> processCpuNanos(pdns.pid()));
        // Warm the LUA health checks so the measured answers are the healthy ones.
        Thread.sleep(6_000);
        Result lua = dnsperf("PowerDNS LUA ifurlup", pdns.port(), "lua.tern.test", seconds,
            () -> processCpuNanos(pdns.pid()));
        System.out.printf(Locale.ROOT, "queries/s: Tern / PowerDNS static %.2f (target >= 1), Tern / PowerDNS LUA %.2f (target >= 3)%n",
            tern.qps() / plain.qps(), tern.qps() / lua.qps());
        System.out.printf(Locale.ROOT, "queries per server CPU-second: Tern / PowerDNS static %.2f, Tern / PowerDNS LUA %.2f%n",
            tern.perCpuSecond() / plain.perCpuSecond(), tern.perCpuSecond() / lua.perCpuSecond());
      }
    }
  }

  /**
   * One dnsperf run, every query with the EU client's subnet option; {@code serverCpu} reads the
   * server's CPU time in nanoseconds before and after.
   */
  static Result dnsperf(String name, int port, String qname, int seconds, java.util.function.LongSupplier serverCpu)
      throws IOException, InterruptedException {
    Path queries = Files.createTempFile("tern-dnsperf", ".txt");
    try {
      Files.writeString(queries, qname + " A\n");
      List<String> command = List.of("dnsperf", "-s", "127.0.0.1", "-p", String.valueOf(port),
          "-d", queries.toString(), "-l", String.valueOf(seconds), "-q", "100", "-t", "1", "-E", EU_ECS);
      long cpuBefore = serverCpu.getAsLong();
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IOException("dnsperf failed: " + out);
      }
      double cpuSeconds = (serverCpu.getAsLong() - cpuBefore) / 1e9;
      Matcher qps = QPS.matcher(out);
      Matcher lost = LOST.matcher(out);
      Matcher completed = COMPLETED.matcher(out);
      if (!qps.find() || !completed.find()) {
        throw new IOException("no 'Queries per second' or 'Queries completed' in dnsperf's output: " + out);
      }
      var result = new Result(Double.parseDouble(qps.group(1)), Long.parseLong(completed.group(1)) / cpuSeconds);
      System.out.printf(Locale.ROOT, "%-36s %10.0f queries/s, %s lost; server CPU %.2f s, %8.0f queries per CPU-second%n",
          name, result.qps(), lost.find() ? lost.group(1) : "?", cpuSeconds, result.perCpuSecond());
      return result;
    } finally {
      Files.deleteIfExists(queries);
    }
  }

  /** CPU time of Tern's UDP DNS workers in this JVM (every node's; only node 1 is queried). */
  static long ternDnsCpuNanos() {
    var threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (var info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith("tern-dns-udp-")) {
        total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return total;
  }

  /** utime + stime of a process, from /proc/PID/stat. */
  static long processCpuNanos(long pid) {
    try {
      var stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      var fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      return ticks * 10_000_000L; // USER_HZ is 100 on Linux
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static void ensureDnsperf() throws IOException, InterruptedException {
    if (Files.isExecutable(Path.of("/usr/bin/dnsperf"))) {
      return;
    }
    System.out.println("installing dnsperf with apt-get");
    var install = new ProcessBuilder("apt-get", "install", "-y", "-q", "dnsperf").inheritIO().start();
    if (install.waitFor() != 0) {
      throw new IOException("apt-get install dnsperf failed; run apt-get update first");
    }
  }
}
