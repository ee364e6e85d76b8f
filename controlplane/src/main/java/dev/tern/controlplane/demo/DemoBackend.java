package dev.tern.controlplane.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tern.policy.geo.Region;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One region's backend of the demo service: a real HTTP server on its own loopback address. It
 * answers {@code /healthz} with {@code ok} after the round trip between its region and the
 * prober's (known from the connection's source address), drops the connections of a vantage
 * point that is cut off, and can stop listening and start again on the same address and port. A
 * chaos run can degrade it: added latency, a share of answers {@code 503}.
 */
public final class DemoBackend {

  private final Region region;
  private final InetSocketAddress address;
  private final Function<InetAddress, Optional<Region>> vantageAt;
  private final Predicate<InetAddress> cutOff;
  private HttpServer server;
  private ExecutorService threads;
  private volatile Duration addedLatency = Duration.ZERO;
  private volatile double errorRate;
  private final java.util.random.RandomGenerator random = java.util.random.RandomGenerator.of("L64X128MixRandom");

  /**
   * @param vantageAt the region whose probe agent connects from an address, if any
   * @param cutOff whether connections from an address must be dropped unanswered
   */
  DemoBackend(Region region, InetSocketAddress address, Function<InetAddress, Optional<Region>> vantageAt,
      Predicate<InetAddress> cutOff) {
    this.region = Objects.requireNonNull(region, "region");
    this.address = Objects.requireNonNull(address, "address");
    this.vantageAt = Objects.requireNonNull(vantageAt, "vantageAt");
    this.cutOff = Objects.requireNonNull(cutOff, "cutOff");
  }

  public Region region() {
    return region;
  }

  public InetSocketAddress address() {
    return address;
  }

  public synchronized boolean running() {
    return server != null;
  }

  /**
   * Degrades every answer from now on: {@code latency} more before it, and a share
   * {@code errorRate} (0 to 1) of them {@code 503}. {@link #restore()} undoes both.
   */
  public void degrade(Duration latency, double errorRate) {
    if (latency.isNegative() || !(errorRate >= 0 && errorRate <= 1)) {
      throw new IllegalArgumentException("latency must be 0 or more and the error rate within 0..1");
    }
    this.addedLatency = latency;
    this.errorRate = errorRate;
  }

  /** Answers as the region normally does again. */
  public void restore() {
    addedLatency = Duration.ZERO;
    errorRate = 0;
  }

  public Duration addedLatency() {
    return addedLatency;
  }

  public double errorRate() {
    return errorRate;
  }

  /** Listens again on the same address and port; does nothing if it already listens. */
  public synchronized void start() {
    if (server != null) {
      return;
    }
    HttpServer s;
    try {
      s = HttpServer.create(address, 50);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + address.getAddress().getHostAddress() + ":"
          + address.getPort() + " for " + region.key() + " (" + e.getMessage() + ")", e);
    }
    threads = Executors.newVirtualThreadPerTaskExecutor();
    s.setExecutor(threads);
    s.createContext("/", this::handle);
    s.start();
    server = s;
  }

  /** Closes the listening socket and every open connection: the region is gone. */
  public synchronized void stop() {
    if (server == null) {
      return;
    }
    server.stop(0);
    threads.close();
    server = null;
    threads = null;
  }

  private void handle(HttpExchange exchange) throws IOException {
    InetAddress from = exchange.getRemoteAddress().getAddress();
    if (cutOff.test(from)) {
      // What a vantage point behind a broken link sees: the connection dies without an answer.
      exchange.close();
      return;
    }
    Duration delay = vantageAt.apply(from).flatMap(v -> InterRegionLatency.between(v, region)).orElse(Duration.ZERO)
        .plus(addedLatency);
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
      return;
    }
    double failing = errorRate;
    if (failing > 0 && random.nextDouble() < failing) {
      byte[] bytes = ("error injected by a chaos run in " + region.key() + "\n").getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(503, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
      return;
    }
    String body = exchange.getRequestURI().getPath().equals("/healthz")
        ? "ok\n"
        : "shop.tern.test served from " + region.key() + " at " + address.getAddress().getHostAddress() + "\n";
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
