package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.server.TernServer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node that cannot listen for DNS does not start half-working; it says what to change. */
class DnsPortTakenTest {

  @Test
  void a_taken_dns_port_stops_the_node_with_the_setting_to_change(@TempDir Path dir) throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Path config = dir.resolve("tern.yml");
      Files.writeString(config, """
          micronaut:
            server:
              port: -1
          tern:
            cluster:
              secret: dns-port-taken-test-secret-0123
              data-dir: %s
            dns:
              port: %d
              zones: [tern.test]
          """.formatted(dir.resolve("raft"), taken.getLocalPort()));

      RuntimeException refused = assertThrows(RuntimeException.class, () -> TernServer.start(Optional.of(config)).close());

      String message = messages(refused);
      assertTrue(message.contains("embedded DNS not started: cannot bind DNS on 127.0.0.1:" + taken.getLocalPort()), message);
      assertTrue(message.contains("tern.dns.port"), message);
    }
  }

  private static String messages(Throwable t) {
    StringBuilder out = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      out.append(c.getMessage()).append('\n');
    }
    return out.toString();
  }
}
