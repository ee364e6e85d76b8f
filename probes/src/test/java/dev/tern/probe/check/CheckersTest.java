package dev.tern.probe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.probe.check.CheckResult.Failure;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CheckersTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);

  @Test
  void each_kind_of_check_reaches_its_own_checker() throws IOException {
    int closed;
    try (var probe = new ServerSocket(0, 1, LocalServer.LOOPBACK)) {
      closed = probe.getLocalPort();
    }
    try (var checkers = new Checkers(Optional.empty())) {
      var http = checkers.run(new CheckSpec.Http(
          false, "127.0.0.1", closed, "/", Optional.empty(), Set.of(200), Optional.empty(), 1024,
          Optional.empty(), false, TIMEOUT));
      var tcp = checkers.run(new CheckSpec.Tcp("127.0.0.1", closed, TIMEOUT));
      var dns = checkers.run(new CheckSpec.Dns("127.0.0.1", closed, "shop.example.com", "NOT-A-TYPE", TIMEOUT));

      assertEquals(Optional.of(Failure.CONNECT_REFUSED), http.failure(), http.toString());
      assertEquals(Optional.of(Failure.CONNECT_REFUSED), tcp.failure(), tcp.toString());
      assertEquals(Optional.of(Failure.PROTOCOL), dns.failure(), dns.toString());
    }
  }
}
