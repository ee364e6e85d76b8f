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
 * Three {@code tern server} processes, each its own JVM with its own Raft log on disk, a fourth slot for the node a
 * membership change adds, and what the campaign's nemesis does to them: {@code kill -9}, {@code SIGSTOP}/{@code
 * SIGCONT}, restarts, and (with a {@link CampaignNetwork}) cuts and slow links between them, always by the pid of the
 * process this class started. Without a network namespace the nodes run on the host's loopback.
 */
final class CampaignCluster implements AutoCloseable {

  /** Node slots: three members and the spare that a membership change adds (another member then leaves). */
  static final int SLOTS = 4;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One node's standing as {@code GET /api/v1/cluster} reports it. */
  record Status(String node, boolean leader, long term, long commitIndex, long lastApplied, List<String> members,
      java.util.Map<Long, String> termLeaders) {}

  private final Path dir;
  private final String classpath;
  private final String token;
  private final String secret;
  private final Optional<CampaignNetwork> network;
  private final String[] raftHosts = new String[SLOTS];
  private final int[] raftPorts = new int[SLOTS];
  private final String[] httpHosts = new String[SLOTS];
  private final int[] httpPorts = new int[SLOTS];
  private final Process[] processes = new Process[SLOTS];
  private final boolean[] paused = new boolean[SLOTS];
  /** The slots the campaign believes are voting members; the first {@code SLOTS - 1} to begin with. */
  private final java.util.SortedSet<Integer> members = new java.util.TreeSet<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private volatile String ternConfig = "";

  CampaignCluster(Path dir, String classpath, Optional<CampaignNetwork> network) throws IOException {
    this.dir = dir.toAbsolutePath();
    this.classpath = classpath;
    this.network = network;
    byte[] random = new byte[18];
    ThreadLocalRandom.current().nextBytes(random);
    this.token = "campaign-" + HexFormat.of().formatHex(random);
    this.secret = HexFormat.of().formatHex(random) + "-cluster";
    for (int i = 0; i < SLOTS; i++) {
      if (network.isPresent()) {
        raftHosts[i] = network.get().raftHost(i);
        raftPorts[i] = 7800;
        httpHosts[i] = network.get().httpHost(i);
        httpPorts[i] = 8080;
      } else {
        raftHosts[i] = "127.0.0.1";
        raftPorts[i] = freePort();
        httpHosts[i] = "127.0.0.1";
        httpPorts[i] = freePort();
      }
      if (i < SLOTS - 1) {
        members.add(i);
      }
    }
  }

  /** The slots that are voting members, as far as the campaign knows. */
  synchronized List<Integer> members() {
    return List.copyOf(members);
  }

  synchronized void members(java.util.Collection<Integer> now) {
    members.clear();
    members.addAll(now);
  }

  /** The slot that is not a member, where the next membership change adds a node. */
  synchronized int spare() {
    for (int i = 0; i < SLOTS; i++) {
      if (!members.contains(i)) {
        return i;
      }
    }
    throw new IllegalStateException("no spare slot: " + members);
  }

  Optional<CampaignNetwork> network() {
    return network;
  }

  /** More of every node's configuration, under {@code tern:}, from the next start on. */
  void ternConfig(String yaml) {
    ternConfig = yaml.indent(2);
  }

  /** The admin token the campaign's clients and its probe agent present. */
  String token() {
    return token;
  }

  /** Writes node {@code i}'s configuration: its member list is the current members and itself. */
  private void writeConfig(int i) throws IOException {
    java.util.SortedSet<Integer> list = new java.util.TreeSet<>(members());
    list.add(i);
    List<String> entries = list.stream().map(m -> id(m) + "@" + raftHosts[m] + ":" + raftPorts[m]).toList();
    Files.writeString(config(i), """
        micronaut:
          server:
            host: %s
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
        %s""".formatted(httpHosts[i], httpPorts[i], id(i), String.join(", ", entries), dataDir(i), secret,
        Secrets.sha256Hex(token), ternConfig));
  }

  private Path dataDir(int i) {
    return dir.resolve(id(i));
  }

  /** Deletes node {@code i}'s Raft log and snapshots: it was removed, and joins again as a new node. */
  void wipe(int i) throws IOException {
    Path data = dataDir(i);
    if (!Files.exists(data)) {
      return;
    }
    try (java.util.stream.Stream<Path> paths = Files.walk(data)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  static String id(int i) {
    return "n" + (i + 1);
  }

  static int slot(String id) {
    return Integer.parseInt(id.substring(1)) - 1;
  }

  private Path config(int i) {
    return dir.resolve(id(i) + ".yml");
  }

  URI url(int i) {
    return URI.create("http://" + httpHosts[i] + ":" + httpPorts[i]);
  }

  String bearer() {
    return "Bearer " + token;
  }

  /** Starts node {@code i}'s process (again); its log is appended to {@code <dir>/<id>.log}. */
  void start(int i) throws IOException {
    writeConfig(i);
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(network.map(CampaignNetwork::exec).orElse(List.of()));
    command.addAll(List.of(java.toString(), "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp",
        classpath, "dev.tern.controlplane.cli.TernCommand", "server", "--config", config(i).toString()));
    // `ip netns exec` execs the command in place: the pid is the JVM's.
    processes[i] = new ProcessBuilder(command)
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
      List<String> memberIds = new ArrayList<>();
      n.path("members").forEach(m -> memberIds.add(m.asText()));
      java.util.Map<Long, String> termLeaders = new java.util.TreeMap<>();
      n.path("termLeaders").properties().forEach(e -> termLeaders.put(Long.parseLong(e.getKey()), e.getValue().asText()));
      return Optional.of(new Status(n.path("node").asText(), n.path("leader").asBoolean(), n.path("term").asLong(),
          n.path("commitIndex").asLong(), n.path("lastApplied").asLong(), memberIds.stream().sorted().toList(), termLeaders));
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /** Waits until every node of {@code nodes} answers; whether they all did within {@code timeout}. */
  boolean awaitUp(List<Integer> nodes, Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (nodes.stream().allMatch(i -> status(i).isPresent())) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** The slot of a member that says it leads, once one does, within {@code timeout}. */
  Optional<Integer> awaitLeader(Duration timeout) throws InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      for (int i : members()) {
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
    for (int i = 0; i < SLOTS; i++) {
      if (paused[i]) {
        try {
          resume(i);
        } catch (IOException e) {
          // killed below either way
        }
      }
      kill(i);
    }
    network.ifPresent(CampaignNetwork::close);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
