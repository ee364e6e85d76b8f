package dev.tern.probe.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Three control-plane nodes as one probe agent sees them, in a process of their own: each serves
 * the same assignment ({@code targets} HTTP targets at a 1 s interval) and takes observation
 * batches. The first node reads every observation and keeps, per target, the time between
 * consecutive observations inside the measured window; the others count what they received.
 *
 * <p>Arguments: targets, target port, measure-from and measure-to (epoch milliseconds). Prints the
 * three ports on one line, serves until standard input closes, then prints its findings.
 */
public final class ControlPlaneStandIn {

  private final String assignment;
  private final long measureFrom;
  private final long measureTo;
  private final Map<String, Long> lastAt = new HashMap<>();
  private final List<Long> intervals = new ArrayList<>();
  private long failed;
  private final AtomicLong[] received = {new AtomicLong(), new AtomicLong(), new AtomicLong()};
  private final JsonFactory json = new JsonFactory();

  private ControlPlaneStandIn(int targets, int targetPort, long measureFrom, long measureTo) {
    this.measureFrom = measureFrom;
    this.measureTo = measureTo;
    var out = new StringBuilder(targets * 160).append("{\"region\":\"aws:eu-central-1\",\"policyVersion\":1,\"targets\":[");
    for (int i = 0; i < targets; i++) {
      if (i > 0) {
        out.append(',');
      }
      out.append("{\"service\":\"bench\",\"backend\":\"t").append(i).append("\",\"address\":\"127.0.0.1\",")
          .append("\"kind\":\"http\",\"port\":").append(targetPort).append(",\"path\":\"/health\",")
          .append("\"expectStatus\":[200],\"bodyContains\":\"healthy\",\"intervalMs\":1000,\"timeoutMs\":2000}");
    }
    this.assignment = out.append("]}").toString();
  }

  public static void main(String[] args) throws Exception {
    var standIn = new ControlPlaneStandIn(Integer.parseInt(args[0]), Integer.parseInt(args[1]),
        Long.parseLong(args[2]), Long.parseLong(args[3]));
    ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    List<HttpServer> servers = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      int node = n;
      var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 128);
      server.createContext("/api/v1/probes/assignments", standIn::assign);
      server.createContext("/api/v1/probes/observations", exchange -> standIn.observe(exchange, node));
      server.setExecutor(threads);
      server.start();
      servers.add(server);
    }
    System.out.println(servers.stream().map(s -> String.valueOf(s.getAddress().getPort()))
        .reduce((a, b) -> a + "," + b).orElseThrow());
    System.out.flush();
    System.in.readAllBytes();
    servers.forEach(s -> s.stop(0));
    threads.close();
    standIn.report();
  }

  /** The same assignment every time; a poll that already has it waits, as a real node would. */
  private void assign(HttpExchange exchange) throws IOException {
    var query = exchange.getRequestURI().getQuery();
    if (query != null && query.contains("after=")) {
      try {
        Thread.sleep(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    respond(exchange, 200, assignment);
  }

  private void observe(HttpExchange exchange, int node) throws IOException {
    long count = 0;
    try (InputStream body = exchange.getRequestBody()) {
      if (node == 0) {
        count = read(body);
      } else {
        count = countObservations(body);
      }
    }
    received[node].addAndGet(count);
    respond(exchange, 200, "{\"accepted\":" + count + ",\"unknownTarget\":0}");
  }

  /** Reads a batch on the first node: every observation's backend, time and outcome. */
  private long read(InputStream body) throws IOException {
    long count = 0;
    try (JsonParser p = json.createParser(body)) {
      String backend = null;
      String at = null;
      boolean ok = true;
      int depth = 0;
      JsonToken t;
      while ((t = p.nextToken()) != null) {
        if (t == JsonToken.START_OBJECT) {
          depth++;
          backend = null;
          at = null;
          ok = true;
        } else if (t == JsonToken.END_OBJECT) {
          if (depth == 2 && backend != null && at != null) {
            count++;
            record(backend, Instant.parse(at).toEpochMilli(), ok);
          }
          depth--;
        } else if (t == JsonToken.FIELD_NAME && depth == 2) {
          String field = p.currentName();
          p.nextToken();
          switch (field) {
            case "backend" -> backend = p.getText();
            case "at" -> at = p.getText();
            case "ok" -> ok = p.getBooleanValue();
            default -> p.skipChildren();
          }
        }
      }
    }
    return count;
  }

  private synchronized void record(String backend, long at, boolean ok) {
    if (!ok) {
      failed++;
    }
    Long before = lastAt.put(backend, at);
    if (before != null && at >= measureFrom && at < measureTo) {
      intervals.add(at - before);
    }
  }

  /** The other nodes only count: one more parse per observation would be the stand-in's CPU, not the agent's. */
  private static long countObservations(InputStream body) throws IOException {
    byte[] needle = "\"vantage\"".getBytes(StandardCharsets.US_ASCII);
    long count = 0;
    int matched = 0;
    byte[] buf = new byte[64 * 1024];
    int n;
    while ((n = body.read(buf)) > 0) {
      for (int i = 0; i < n; i++) {
        matched = buf[i] == needle[matched] ? matched + 1 : (buf[i] == needle[0] ? 1 : 0);
        if (matched == needle.length) {
          count++;
          matched = 0;
        }
      }
    }
    return count;
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (var out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private synchronized void report() {
    long[] sorted = intervals.stream().mapToLong(Long::longValue).sorted().toArray();
    long within = java.util.Arrays.stream(sorted).filter(ms -> ms >= 900 && ms <= 1100).count();
    double seconds = (measureTo - measureFrom) / 1000.0;
    System.out.printf(Locale.ROOT, "intervals %d %.1f %d %d %d %d %.1f%n", sorted.length, sorted.length / seconds,
        pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1],
        sorted.length == 0 ? 0 : 100.0 * within / sorted.length);
    System.out.printf(Locale.ROOT, "received %d %d %d failed %d%n", received[0].get(), received[1].get(),
        received[2].get(), failed);
  }

  static long pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(sorted.length * p) - 1)];
  }
}
