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
 * point that is cut off, and can stop listening and start again on the same address and port.
 */
public final class DemoBackend {

  private final Region region;
  private final InetSocketAddress address;
  private final Function<InetAddress, Optional<Region>> vantageAt;
  private final Predicate<InetAddress> cutOff;
  private HttpServer server;
  private ExecutorService threads;

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
    Duration delay = vantageAt.apply(from).flatMap(v -> InterRegionLatency.between(v, region)).orElse(Duration.ZERO);
    try {
      Thread.sleep(delay);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      exchange.close();
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
