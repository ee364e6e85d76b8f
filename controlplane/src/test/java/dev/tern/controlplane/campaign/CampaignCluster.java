package dev.tern.controlplane.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.controlplane.security.Secrets;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Three {@code tern server} processes on loopback, each its own JVM with its own Raft log on disk, and what the
 * campaign's nemesis does to them: {@code kill -9}, {@code SIGSTOP}/{@code SIGCONT} and restarts, always by the pid
 * of the process this class started.
 */
final class CampaignCluster implements AutoCloseable {

  static final int SIZE = 3;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One node's standing as {@code GET /api/v1/cluster} reports it. */
  record Status(String node, boolean leader, long term, long commitIndex, long lastApplied) {}

  private final Path dir;
  private final String classpath;
  private final String token;
  private final int[] httpPorts = new int[SIZE];
  private final Process[] processes = new Process[SIZE];
  private final boolean[] paused = new boolean[SIZE];
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  CampaignCluster(Path dir, String classpath) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.classpath = classpath;
    byte[] random = new byte[18];
    ThreadLocalRandom.current().nextBytes(random);
    this.token = "campaign-" + HexFormat.of().formatHex(random);
    String secret = HexFormat.of().formatHex(random) + "-cluster";
    int[] raftPorts = new int[SIZE];
    for (int i = 0; i < SIZE; i++) {
      httpPorts[i] = freePort();
      raftPorts[i] = freePort();
    }
    List<String> members = new ArrayList<>();
    for (int i = 0; i < SIZE; i++) {
      members.add(id(i) + "@127.0.0.1:" + raftPorts[i]);
    }
    for (int i = 0; i < SIZE; i++) {
      Files.writeString(config(i), """
          micronaut:
            server:
              host: 127.0.0.1
              port: %d
          tern:
            dns:
              enabled: false
            cluster:
              node-id: %s
              members: [%s]
              data-dir: "%s"
              secret: "%s"
            decision:
              interval: 250ms
            security:
              tokens:
                - {name: campaign, role: admin, sha256: %s}
          """.formatted(httpPorts[i], id(i), String.join(", ", members), this.dir.resolve(id(i)), secret,
          Secrets.sha256Hex(token)));
    }
  }

  static String id(int i) {
    return "n" + (i + 1);
  }

  private Path config(int i) {
    return dir.resolve(id(i) + ".yml");
  }

  URI url(int i) {
    return URI.create("http://127.0.0.1:" + httpPorts[i]);
  }

  String bearer() {
    return "Bearer " + token;
  }

  /** Starts node {@code i}'s process (again); its log is appended to {@code <dir>/<id>.log}. */
  void start(int i) throws IOException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    processes[i] = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, "dev.tern.controlplane.cli.TernCommand", "server", "--config", config(i).toString())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(id(i) + ".log").toFile()))
        .start();
    paused[i] = false;
  }

  boolean running(int i) {
    return processes[i] != null && processes[i].isAlive();
  }

  boolean paused(int i) {
    return paused[i];
  }

  /** {@code kill -9}: no shutdown hook runs, nothing is flushed. */
  void kill(int i) throws InterruptedException {
    Process p = processes[i];
    if (p != null && p.isAlive()) {
      p.destroyForcibly();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    paused[i] = false;
  }

  /** {@code SIGSTOP}: the process keeps its sockets open and answers nothing, like a long GC pause or a hung VM. */
  void pause(int i) throws IOException, InterruptedException {
    signal(i, "STOP");
    paused[i] = true;
  }

  void resume(int i) throws IOException, InterruptedException {
    signal(i, "CONT");
    paused[i] = false;
  }

  private void signal(int i, String name) throws IOException, InterruptedException {
    Process p = processes[i];
    if (p == null || !p.isAlive()) {
      return;
    }
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(p.pid())).inheritIO().start();
    if (!kill.waitFor(5, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + p.pid() + " failed");
    }
  }

  /** The node's standing, or empty when it does not answer within a second. */
  Optional<Status> status(int i) {
    if (!running(i) || paused[i]) {
      return Optional.empty();
    }
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(url(i).resolve("/api/v1/cluster"))
          .timeout(Duration.ofSeconds(1)).header("Authorization", bearer()).GET().build(),
          HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      if (r.statusCode() != 200) {
        return Optional.empty();
      }
      JsonNode n = JSON.readTree(r.body());
      return Optional.of(new Status(n.path("node").asText(), n.path("leader").asBoolean(), n.path("term").asLong(),
          n.path("commitIndex").asLong(), n.path("lastApplied").asLong()));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** The index of the node that says it leads, once one does, within {@code timeout}. */
  Optional<Integer> awaitLeader(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (int i = 0; i < SIZE; i++) {
        if (status(i).map(Status::leader).orElse(false)) {
          return Optional.of(i);
        }
      }
      Thread.sleep(100);
    }
    return Optional.empty();
  }

  /** A GET against node {@code i}; empty when it does not answer 200 within two seconds. */
  Optional<String> get(int i, String path) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(url(i).resolve(path)).timeout(Duration.ofSeconds(2))
          .header("Authorization", bearer()).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      return r.statusCode() == 200 ? Optional.of(r.body()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Sends a write; the answer, or the exception that stood in for one (a timeout, a refused connection). */
  HttpResponse<String> send(int i, String method, String path, String contentType, String body, Duration timeout)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = HttpRequest.newBuilder(url(i).resolve(path)).timeout(timeout)
        .header("Authorization", bearer())
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** The last lines of node {@code i}'s log, for a report. */
  String logTail(int i, int lines) {
    try {
      List<String> all = Files.readAllLines(dir.resolve(id(i) + ".log"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (int i = 0; i < SIZE; i++) {
      if (paused[i]) {
        try {
          resume(i);
        } catch (IOException e) {
          // killed below either way
        }
      }
      kill(i);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
