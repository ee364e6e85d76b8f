package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.policy.geo.ZoneTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/** DNS over TCP: connections beyond the limit are closed at once, idle ones after the timeout. */
class DnsTcpTest {

  @Test
  void connections_are_bounded_and_idle_ones_are_closed() throws Exception {
    DnsSettings base = DnsAnswersTest.settings();
    DnsSettings settings = new DnsSettings(true, "127.0.0.1", 0, 1, base.zones(), base.ns(), base.soa(),
        base.clientSubnets(), List.of(), base.rateLimit(), new DnsSettings.Tcp(1, Duration.ofMillis(400)), 1232, Optional.empty());
    AnswerTable table = AnswerTable.build(settings, 1, DnsAnswersTest.plans("198.51.100.10"), ZoneTable.EMPTY);
    try (DnsServer server = DnsRateLimitTest.start(settings, table, new DnsMetrics(new SimpleMeterRegistry()));
        Socket first = new Socket("127.0.0.1", server.port())) {
      first.setSoTimeout(3000);
      assertEquals(Rcode.NOERROR, ask(first).getRcode(), "the first connection is served");
      try (Socket second = new Socket("127.0.0.1", server.port())) {
        second.setSoTimeout(3000);
        assertEquals(-1, second.getInputStream().read(), "over max-connections: closed at once");
      }
      long idleFrom = System.nanoTime();
      assertEquals(-1, first.getInputStream().read(), "closed after the idle timeout");
      long idleMillis = Duration.ofNanos(System.nanoTime() - idleFrom).toMillis();
      assertEquals(true, idleMillis >= 300 && idleMillis < 2500, "closed after " + idleMillis + " ms");
      // The slot is free again.
      try (Socket third = new Socket("127.0.0.1", server.port())) {
        third.setSoTimeout(3000);
        assertEquals(Rcode.NOERROR, ask(third).getRcode());
      }
    }
  }

  static Message ask(Socket socket) throws Exception {
    byte[] wire = DnsClient.query("static.tern.test", Type.A, 0, Optional.empty()).toWire();
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    out.writeShort(wire.length);
    out.write(wire);
    out.flush();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] response = new byte[in.readUnsignedShort()];
    in.readFully(response);
    return DnsClient.parse(response);
  }
}
