package dev.tern.probe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.probe.check.CheckResult.Failure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TcpCheckerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private final TcpChecker checker = new TcpChecker(Optional.empty());

  @Test
  void an_open_port_is_healthy_with_its_connect_time() throws IOException {
    try (var server = LocalServer.plain((socket, s) -> {})) {

      var result = Timing.within(TIMEOUT, () -> checker.run(new CheckSpec.Tcp("127.0.0.1", server.port(), TIMEOUT)));

      assertTrue(result.ok(), result.toString());
      assertTrue(result.connect().isPresent(), result.toString());
    }
  }

  @Test
  void a_closed_port_is_connect_refused() throws IOException {
    int port;
    try (var probe = new ServerSocket(0, 1, LocalServer.LOOPBACK)) {
      port = probe.getLocalPort();
    }

    var result = Timing.within(TIMEOUT, () -> checker.run(new CheckSpec.Tcp("127.0.0.1", port, TIMEOUT)));

    assertEquals(Optional.of(Failure.CONNECT_REFUSED), result.failure(), result.toString());
  }

  @Test
  void the_connection_comes_from_the_source_address() throws Exception {
    var region = InetAddress.getByName("127.0.0.2");
    try (var server = LocalServer.plain((socket, s) -> {})) {

      var result = Timing.within(
          TIMEOUT, () -> new TcpChecker(Optional.of(region)).run(new CheckSpec.Tcp("127.0.0.1", server.port(), TIMEOUT)));

      assertTrue(result.ok(), result.toString());
      assertEquals(List.of(region), server.peers());
    }
  }
}
