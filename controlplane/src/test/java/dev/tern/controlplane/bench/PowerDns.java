package dev.tern.controlplane.bench;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PowerDNS Authoritative (Debian's pdns-server, bind backend, LUA records on) serving one zone on
 * 127.0.0.1, as the peer of Tern's DNS benchmarks. Every setting not written here is PowerDNS's
 * default, LUA health checks included ({@code lua-health-checks-interval} 5 s). The server runs
 * in a directory of its own and is stopped by its PID.
 */
final class PowerDns implements AutoCloseable {

  static final String SERVER = "/usr/sbin/pdns_server";

  private final Path dir;
  private final int port;
  private final Process process;

  private PowerDns(Path dir, int port, Process process) {
    this.dir = dir;
    this.port = port;
    this.process = process;
  }

  /**
   * Starts PowerDNS for {@code zone} with {@code records} (zone-file lines, e.g.
   * {@code www IN A 127.0.1.1} or {@code shop IN LUA A "ifurlup(...)"}), after the SOA and NS.
   * Returns once it answers the SOA.
   */
  static PowerDns start(String zone, List<String> records, int port) throws IOException, InterruptedException {
    ensureInstalled();
    Path dir = Files.createTempDirectory("tern-bench-pdns");
    Path zoneFile = dir.resolve(zone + ".zone");
    StringBuilder text = new StringBuilder()
        .append("$TTL 30\n")
        .append("@ IN SOA ns1.").append(zone).append(". hostmaster.").append(zone).append(". 1 3600 600 604800 30\n")
        .append("@ IN NS ns1.").append(zone).append(".\n")
        .append("ns1 IN A 127.0.0.1\n");
    records.forEach(r -> text.append(r).append('\n'));
    Files.writeString(zoneFile, text);
    Files.writeString(dir.resolve("named.conf"), "zone \"" + zone + "\" { type master; file \"" + zoneFile + "\"; };\n");
    Files.writeString(dir.resolve("pdns.conf"), String.join("\n",
        "launch=bind",
        "bind-config=" + dir.resolve("named.conf"),
        "local-address=127.0.0.1",
        "local-port=" + port,
        "socket-dir=" + dir,
        "enable-lua-records=yes",
        "guardian=no",
        "daemon=no",
        "disable-syslog=yes",
        "webserver=no",
        "api=no",
        "loglevel=3",
        ""));
    Process process = new ProcessBuilder(SERVER, "--config-dir=" + dir)
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("pdns.log").toFile())
        .start();
    var pdns = new PowerDns(dir, port, process);
    try {
      pdns.awaitAnswering(zone, Duration.ofSeconds(10));
    } catch (IOException | RuntimeException e) {
      pdns.close();
      throw e;
    }
    return pdns;
  }

  int port() {
    return port;
  }

  long pid() {
    return process.pid();
  }

  private void awaitAnswering(String zone, Duration timeout) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    byte[] query = soaQuery(zone);
    try (var socket = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      socket.setSoTimeout(200);
      while (System.nanoTime() < deadline) {
        if (!process.isAlive()) {
          throw new IOException("pdns_server exited: " + Files.readString(dir.resolve("pdns.log")));
        }
        socket.send(new DatagramPacket(query, query.length, InetAddress.getLoopbackAddress(), port));
        try {
          socket.receive(new DatagramPacket(new byte[512], 512));
          return;
        } catch (java.net.SocketTimeoutException notYet) {
          Thread.sleep(50);
        }
      }
    }
    throw new IOException("pdns_server did not answer on 127.0.0.1:" + port + " within " + timeout);
  }

  /** A bare SOA query for {@code zone}, id 1, no recursion. */
  private static byte[] soaQuery(String zone) {
    var out = new java.io.ByteArrayOutputStream();
    out.writeBytes(new byte[] {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : zone.split("\\.")) {
      out.write(label.length());
      out.writeBytes(label.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    out.writeBytes(new byte[] {0, 0, 6, 0, 1});
    return out.toByteArray();
  }

  private static void ensureInstalled() throws IOException, InterruptedException {
    if (Files.isExecutable(Path.of(SERVER))) {
      return;
    }
    System.out.println("installing pdns-server and pdns-backend-bind with apt-get");
    var install = new ProcessBuilder("apt-get", "install", "-y", "-q", "pdns-server", "pdns-backend-bind")
        .inheritIO().start();
    if (install.waitFor() != 0) {
      throw new IOException("apt-get install pdns-server pdns-backend-bind failed; run apt-get update first");
    }
  }

  /** Stops the server by its PID and removes its directory. */
  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(5, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor();
    }
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
