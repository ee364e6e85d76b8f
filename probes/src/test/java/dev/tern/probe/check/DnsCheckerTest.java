package dev.tern.probe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.probe.check.CheckResult.Failure;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

class DnsCheckerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final String KNOWN = "shop.example.com.";

  /** How the responder treats a query over UDP. */
  enum Udp { ANSWER, TRUNCATE, SILENT }

  /**
   * A DNS server on 127.0.0.1 (UDP, and TCP on the same port) that knows one A record and answers
   * NXDOMAIN for every other name.
   */
  static final class Responder implements AutoCloseable {
    final DatagramSocket udp;
    final ServerSocket tcp;
    final List<InetAddress> peers = new CopyOnWriteArrayList<>();
    private final Udp mode;

    Responder(Udp mode) throws IOException {
      this.mode = mode;
      DatagramSocket udp = null;
      ServerSocket tcp = null;
      // Both transports share one port number; retry if the TCP side of it is taken.
      for (int attempt = 0; tcp == null && attempt < 20; attempt++) {
        udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        try {
          tcp = new ServerSocket();
          tcp.bind(new InetSocketAddress("127.0.0.1", udp.getLocalPort()));
        } catch (IOException taken) {
          tcp.close();
          tcp = null;
          udp.close();
        }
      }
      this.udp = udp;
      this.tcp = tcp;
      Thread.ofVirtual().start(this::serveUdp);
      Thread.ofVirtual().start(this::serveTcp);
    }

    int port() {
      return udp.getLocalPort();
    }

    private static Message answer(Message query, boolean truncated) {
      var response = new Message(query.getHeader().getID());
      response.getHeader().setFlag(Flags.QR);
      var question = query.getQuestion();
      response.addRecord(question, Section.QUESTION);
      if (truncated) {
        response.getHeader().setFlag(Flags.TC);
      } else if (question.getName().toString().equals(KNOWN)) {
        response.addRecord(new ARecord(question.getName(), DClass.IN, 60, LocalServer.LOOPBACK), Section.ANSWER);
      } else {
        response.getHeader().setRcode(Rcode.NXDOMAIN);
      }
      return response;
    }

    private void serveUdp() {
      var buffer = new byte[512];
      while (!udp.isClosed()) {
        try {
          var packet = new DatagramPacket(buffer, buffer.length);
          udp.receive(packet);
          peers.add(packet.getAddress());
          if (mode == Udp.SILENT) {
            continue;
          }
          var wire = answer(new Message(packet.getData()), mode == Udp.TRUNCATE).toWire();
          udp.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serveTcp() {
      while (!tcp.isClosed()) {
        try (var socket = tcp.accept()) {
          var in = new DataInputStream(socket.getInputStream());
          var query = new byte[in.readUnsignedShort()];
          in.readFully(query);
          var wire = answer(new Message(query), false).toWire();
          var out = new DataOutputStream(socket.getOutputStream());
          out.writeShort(wire.length);
          out.write(wire);
          out.flush();
        } catch (IOException e) {
          return;
        }
      }
    }

    @Override
    public void close() throws IOException {
      udp.close();
      tcp.close();
    }
  }

  private static CheckResult check(DnsChecker checker, Responder responder, String name) {
    return Timing.within(
        TIMEOUT, () -> checker.run(new CheckSpec.Dns("127.0.0.1", responder.port(), name, "A", TIMEOUT)));
  }

  @Test
  void an_answer_with_records_is_healthy() throws IOException {
    try (var responder = new Responder(Udp.ANSWER)) {

      var result = check(new DnsChecker(Optional.empty()), responder, KNOWN);

      assertTrue(result.ok(), result.toString());
    }
  }

  @Test
  void nxdomain_is_a_bad_status() throws IOException {
    try (var responder = new Responder(Udp.ANSWER)) {

      var result = check(new DnsChecker(Optional.empty()), responder, "gone.example.com.");

      assertEquals(Optional.of(Failure.BAD_STATUS), result.failure(), result.toString());
    }
  }

  @Test
  void a_truncated_udp_answer_is_asked_again_over_tcp() throws IOException {
    try (var responder = new Responder(Udp.TRUNCATE)) {

      var result = check(new DnsChecker(Optional.empty()), responder, KNOWN);

      assertTrue(result.ok(), result.toString());
    }
  }

  @Test
  void a_server_that_never_answers_times_out_at_the_deadline() throws IOException {
    try (var responder = new Responder(Udp.SILENT)) {

      var result = check(new DnsChecker(Optional.empty()), responder, KNOWN);

      assertEquals(Optional.of(Failure.TIMEOUT), result.failure(), result.toString());
    }
  }

  @Test
  void the_query_comes_from_the_source_address() throws IOException {
    var region = InetAddress.getByName("127.0.0.2");
    try (var responder = new Responder(Udp.ANSWER)) {

      var result = check(new DnsChecker(Optional.of(region)), responder, KNOWN);

      assertTrue(result.ok(), result.toString());
      assertEquals(List.of(region), responder.peers);
    }
  }
}
