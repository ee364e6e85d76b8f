package dev.tern.controlplane.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A receiver on loopback standing in for a paging service: keeps every request, and answers each
 * with the next scripted status (then {@code defaultStatus}).
 */
public final class Receiver implements AutoCloseable {

  /** One request as it arrived. */
  public record Request(String method, String path, String query, Map<String, List<String>> headers, String body) {
    public String header(String name) {
      return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).map(e -> e.getValue().getFirst())
          .findFirst().orElse(null);
    }
  }

  private final HttpServer server;
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final ConcurrentLinkedQueue<Integer> script = new ConcurrentLinkedQueue<>();
  private final int defaultStatus;
  private final boolean echoing;

  public Receiver(int defaultStatus) throws IOException {
    this(defaultStatus, false);
  }

  /**
   * A receiver whose every answer (with {@code status}) repeats the request it got, path, headers
   * and body, as a misbehaving proxy or a debugging endpoint might: whatever the sender puts in an
   * error message from the answer then carries the request's credentials.
   */
  public static Receiver echoing(int status) throws IOException {
    return new Receiver(status, true);
  }

  private Receiver(int defaultStatus, boolean echoing) throws IOException {
    this.defaultStatus = defaultStatus;
    this.echoing = echoing;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> {
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
          exchange.getRequestURI().getRawQuery(), Map.copyOf(exchange.getRequestHeaders()), body));
      Integer status = script.poll();
      int answer = status == null ? defaultStatus : status;
      String text = answer == 429 ? "{\"status\":\"throttle event\"}" : answer >= 400 ? "{\"message\":\"bad\"}" : "{\"status\":\"success\"}";
      if (echoing) {
        text = "{\"message\":\"bad request " + exchange.getRequestURI() + " " + exchange.getRequestHeaders().entrySet()
            + " " + body + "\"}";
      }
      byte[] out = text.getBytes(StandardCharsets.UTF_8);
      if (answer == 429) {
        exchange.getResponseHeaders().set("Retry-After", "1");
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer, out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    });
    server.start();
  }

  /** The next answers, in order. */
  public Receiver answering(Integer... statuses) {
    script.addAll(List.of(statuses));
    return this;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  public List<Request> requests() {
    return List.copyOf(requests);
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
