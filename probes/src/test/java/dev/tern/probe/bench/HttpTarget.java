package dev.tern.probe.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * The health endpoint the benchmark checks, run as its own process so that serving costs no CPU
 * in the process being measured. Prints its port, then serves until its standard input closes.
 */
public final class HttpTarget {

  private HttpTarget() {}

  public static void main(String[] args) throws IOException {
    var server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
    var body = "healthy\n".getBytes(StandardCharsets.US_ASCII);
    server.createContext("/health", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.getResponseHeaders().set("Content-Type", "text/plain");
      exchange.sendResponseHeaders(200, body.length);
      try (var out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.start();
    System.out.println(server.getAddress().getPort());
    System.out.flush();
    System.in.readAllBytes();
    server.stop(0);
  }
}
