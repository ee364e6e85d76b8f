package dev.tern.probe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A control-plane node as a probe agent sees it: the assignment long poll and the observations
 * endpoint, on the real wire format, on 127.0.0.1. It records every batch and can be told how to
 * answer the next ones, stopped, and started again on the same port.
 */
final class FakeControlPlane implements AutoCloseable {

  static final ObjectMapper JSON = new ObjectMapper();

  /** One observations request as it arrived. */
  record Post(long arrivedNanos, String authorization, JsonNode body) {
    List<JsonNode> observations() {
      List<JsonNode> out = new ArrayList<>();
      body.path("observations").forEach(out::add);
      return out;
    }
  }

  private final String token;
  private final int port;
  private HttpServer server;
  private ExecutorService threads;
  private boolean stopping;
  private long policyVersion = 1;
  private String targetsJson = "[]";
  private final Deque<Integer> observationStatuses = new ArrayDeque<>();
  private final List<Post> posts = new ArrayList<>();
  private final List<Post> accepted = new ArrayList<>();

  private FakeControlPlane(String token, int port) throws IOException {
    this.token = token;
    this.port = port;
  }

  /** A node on a free port, started. */
  static FakeControlPlane start(String token) throws IOException {
    FakeControlPlane node = new FakeControlPlane(token, 0);
    node.bind(0);
    return node;
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private void bind(int onPort) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 0);
    threads = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(threads);
    server.createContext("/api/v1/probes/assignments", this::assignments);
    server.createContext("/api/v1/probes/observations", this::observations);
    server.start();
  }

  /** Stops answering: connections are refused until {@link #restart()}. */
  void stop() {
    synchronized (this) {
      stopping = true;
      notifyAll();
    }
    server.stop(0);
    threads.close();
  }

  /** Starts again on the same port. */
  void restart() throws IOException {
    int onPort = server.getAddress().getPort();
    synchronized (this) {
      stopping = false;
    }
    bind(onPort);
  }

  /** Publishes a new assignment (policy version + 1) and wakes the pollers. */
  synchronized void assign(String targetsJsonArray) {
    targetsJson = targetsJsonArray;
    policyVersion++;
    notifyAll();
  }

  /** The next observation posts get these statuses, in order; after them, 200. */
  synchronized void answerObservationsWith(Integer... statuses) {
    observationStatuses.addAll(List.of(statuses));
  }

  /** Every observations request, whatever it was answered. */
  synchronized List<Post> posts() {
    return List.copyOf(posts);
  }

  /** Observations from the requests answered 200. */
  synchronized List<JsonNode> observations() {
    List<JsonNode> out = new ArrayList<>();
    accepted.forEach(p -> out.addAll(p.observations()));
    return out;
  }

  private void assignments(HttpExchange exchange) throws IOException {
    if (!authorized(exchange)) {
      return;
    }
    Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
    String body;
    synchronized (this) {
      if (query.containsKey("after")) {
        long after = Long.parseLong(query.get("after"));
        long deadline = System.nanoTime() + Long.parseLong(query.getOrDefault("waitSeconds", "30")) * 1_000_000_000L;
        try {
          while (policyVersion <= after && !stopping && System.nanoTime() < deadline) {
            wait(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
      body = "{\"region\":\"" + query.get("region") + "\",\"policyVersion\":" + policyVersion + ",\"targets\":"
          + targetsJson + "}";
    }
    respond(exchange, 200, body);
  }

  private void observations(HttpExchange exchange) throws IOException {
    String authorization = exchange.getRequestHeaders().getFirst("Authorization");
    JsonNode body = JSON.readTree(exchange.getRequestBody().readAllBytes());
    int status;
    synchronized (this) {
      Post post = new Post(System.nanoTime(), authorization, body);
      posts.add(post);
      Integer next = observationStatuses.poll();
      status = next == null ? 200 : next;
      if (!("Bearer " + token).equals(authorization)) {
        status = 401;
      }
      if (status == 200) {
        accepted.add(post);
      }
    }
    respond(exchange, status, status == 200 ? "{\"accepted\":1,\"unknownTarget\":0}" : "{\"detail\":\"no\"}");
  }

  private boolean authorized(HttpExchange exchange) throws IOException {
    if (("Bearer " + token).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      return true;
    }
    respond(exchange, 401, "{\"detail\":\"unauthorized\"}");
    return false;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new java.util.HashMap<>();
    if (raw != null) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        out.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    stop();
  }

  /** A target JSON object as the control plane writes it. */
  static String tcpTarget(String service, String backend, int port, long intervalMs) {
    return "{\"service\":\"" + service + "\",\"backend\":\"" + backend + "\",\"address\":\"127.0.0.1\",\"kind\":\"tcp\","
        + "\"port\":" + port + ",\"path\":\"/\",\"expectStatus\":[200],\"bodyContains\":null,\"intervalMs\":"
        + intervalMs + ",\"timeoutMs\":1000}";
  }
}
