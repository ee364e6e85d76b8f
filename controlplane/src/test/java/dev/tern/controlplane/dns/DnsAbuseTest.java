package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ZoneTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/**
 * The embedded DNS as an attacker would use it: as an open resolver, to pull the zone, and as a
 * reflector. Floods go from one loopback socket to a server on loopback, bounded in count and time.
 */
class DnsAbuseTest {

  /** One flood: this many queries at this rate, and never longer than the deadline. */
  static final int FLOOD_QUERIES = 4_000;
  static final int FLOOD_PER_SECOND = 4_000;
  static final Duration FLOOD_DEADLINE = Duration.ofSeconds(10);
  /** The rate limit a node runs with unless configured otherwise (application.yml). */
  static final DnsSettings.RateLimit DEFAULT_RRL = DnsSettings.RateLimit.DEFAULTS;
  static final DnsSettings.RateLimit NO_RRL = new DnsSettings.RateLimit(0, 2, 65_536);

  static DnsSettings settings(DnsSettings.RateLimit rateLimit) {
    DnsSettings base = DnsAnswersTest.settings();
    return new DnsSettings(true, "127.0.0.1", 0, 1, base.zones(), base.ns(), base.soa(), base.clientSubnets(),
        List.of(), rateLimit, base.tcp(), 1232, Optional.empty());
  }

  static DnsServer start(DnsSettings.RateLimit rateLimit) throws Exception {
    DnsSettings settings = settings(rateLimit);
    AnswerTable table = AnswerTable.build(settings, 1, DnsAnswersTest.plans("198.51.100.10"), ZoneTable.EMPTY);
    return DnsRateLimitTest.start(settings, table, new DnsMetrics(new SimpleMeterRegistry()));
  }

  @Test
  void a_recursive_query_for_a_name_outside_the_zones_is_refused_without_recursion_available() throws Exception {
    try (DnsServer server = start(NO_RRL); DnsClient client = new DnsClient(server.port())) {
      for (String name : List.of("www.example.org", "example.com", "tern.test.example.net")) {
        Message query = DnsClient.query(name, Type.A, 1232, Optional.empty());
        assertTrue(query.getHeader().getFlag(Flags.RD), "the query asks for recursion");
        byte[] wire = query.toWire();
        byte[] raw = client.udpRaw(wire).orElseThrow(() -> new AssertionError("no answer for " + name));
        Message r = DnsClient.parse(raw);
        assertEquals(Rcode.REFUSED, r.getRcode(), name);
        assertFalse(r.getHeader().getFlag(Flags.RA), "recursion is not available: " + name);
        assertFalse(r.getHeader().getFlag(Flags.AA), name);
        assertTrue(r.getSection(Section.ANSWER).isEmpty() && r.getSection(Section.AUTHORITY).isEmpty(), name);
        assertTrue(raw.length <= wire.length, "a refusal is no larger than the query: " + name);
      }
      Message inZone = client.udp(DnsClient.query("static.tern.test", Type.A, 0, Optional.empty()));
      assertEquals(Rcode.NOERROR, inZone.getRcode());
      assertFalse(inZone.getHeader().getFlag(Flags.RA), "not even for names it serves");
    }
  }

  @Test
  void a_zone_transfer_from_a_client_outside_axfr_allow_is_refused_over_udp_and_tcp() throws Exception {
    try (DnsServer server = start(NO_RRL); DnsClient client = new DnsClient(server.port())) {
      for (int type : new int[] {Type.AXFR, Type.IXFR}) {
        Message query = DnsClient.query("tern.test", type, 0, Optional.empty());
        Message udp = client.udp(query);
        Message tcp = client.tcpRaw(query);
        for (Message r : List.of(udp, tcp)) {
          assertEquals(Rcode.REFUSED, r.getRcode(), Type.string(type));
          assertTrue(r.getSection(Section.ANSWER).isEmpty(), Type.string(type));
        }
      }
    }
  }

  /** What one flood sent and what came back to its source. */
  record Flood(int queries, long bytesIn, int responses, int truncated, long bytesOut, Duration took) {
    double amplification() {
      return (double) bytesOut / bytesIn;
    }

    int full() {
      return responses - truncated;
    }

    @Override
    public String toString() {
      return String.format("%d queries (%d bytes) in %d ms -> %d responses (%d full, %d truncated), %d bytes: "
          + "amplification %.2f", queries, bytesIn, took.toMillis(), responses, full(), truncated, bytesOut,
          amplification());
    }
  }

  /**
   * Sends {@code count} copies of {@code query} from one loopback socket at {@code perSecond},
   * counting what comes back until 300 ms pass without a response; never longer than {@code deadline}.
   */
  static Flood flood(int port, byte[] query, int count, int perSecond, Duration deadline) throws Exception {
    long start = System.nanoTime();
    long end = start + deadline.toNanos();
    AtomicInteger responses = new AtomicInteger();
    AtomicInteger truncated = new AtomicInteger();
    AtomicLong bytesOut = new AtomicLong();
    AtomicLong lastResponse = new AtomicLong(start);
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (DatagramSocket socket = new DatagramSocket(0, loopback)) {
      socket.setReceiveBufferSize(4 << 20);
      socket.setSoTimeout(20);
      Thread receiver = Thread.ofPlatform().name("flood-receiver").start(() -> {
        byte[] buf = new byte[65_535];
        DatagramPacket in = new DatagramPacket(buf, buf.length);
        while (!Thread.currentThread().isInterrupted() && !socket.isClosed()) {
          try {
            in.setLength(buf.length);
            socket.receive(in);
            responses.incrementAndGet();
            bytesOut.addAndGet(in.getLength());
            if ((buf[2] & 0x02) != 0) {
              truncated.incrementAndGet();
            }
            lastResponse.set(System.nanoTime());
          } catch (SocketTimeoutException e) {
            // Look at the interrupt flag again.
          } catch (IOException e) {
            return;
          }
        }
      });
      DatagramPacket out = new DatagramPacket(query, query.length, loopback, port);
      long interval = 1_000_000_000L / perSecond;
      int sent = 0;
      while (sent < count && System.nanoTime() < end) {
        long due = start + sent * interval;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        socket.send(out);
        sent++;
      }
      long sentAt = System.nanoTime();
      while (System.nanoTime() < end && System.nanoTime() - Math.max(lastResponse.get(), sentAt) < 300_000_000L) {
        Thread.sleep(10);
      }
      Duration took = Duration.ofNanos(sentAt - start);
      receiver.interrupt();
      receiver.join(1_000);
      return new Flood(sent, (long) sent * query.length, responses.get(), truncated.get(), bytesOut.get(), took);
    }
  }

  @Test
  void response_rate_limiting_takes_the_amplification_of_a_flood_from_one_source_below_one_and_a_half()
      throws Exception {
    // The largest answer the test zone has: forty A records, asked with room for them all.
    byte[] query = DnsClient.query("big.tern.test", Type.A, 1232, Optional.empty()).toWire();
    Flood without;
    try (DnsServer server = start(NO_RRL)) {
      without = flood(server.port(), query, FLOOD_QUERIES, FLOOD_PER_SECOND, FLOOD_DEADLINE);
    }
    Flood with;
    try (DnsServer server = start(DEFAULT_RRL)) {
      with = flood(server.port(), query, FLOOD_QUERIES, FLOOD_PER_SECOND, FLOOD_DEADLINE);
    }
    System.out.println("DNS amplification, A big.tern.test (40 records), one source on loopback:");
    System.out.println("  without rate limiting:              " + without);
    System.out.println("  with 100 responses/s per /24, slip 2: " + with);

    assertEquals(FLOOD_QUERIES, without.queries(), "the flood ran to its end within the deadline");
    assertEquals(FLOOD_QUERIES, with.queries(), "the flood ran to its end within the deadline");
    assertTrue(without.responses() >= FLOOD_QUERIES * 9 / 10, "without a limit nearly every query is answered: " + without);
    assertTrue(without.amplification() > 10, "the measurement sees the amplification a full answer gives: " + without);

    // The bucket holds one second of responses and refills at the rate: that bounds the full answers.
    double seconds = with.took().toNanos() / 1e9;
    int fullBound = (int) Math.ceil(DEFAULT_RRL.responsesPerSecond() * (1 + seconds)) + 1;
    assertTrue(with.full() <= fullBound, "at most " + fullBound + " full answers: " + with);
    assertTrue(with.truncated() <= with.queries() / DEFAULT_RRL.slip() + 1, "every second limited answer slips: " + with);
    assertTrue(with.truncated() >= (with.queries() - fullBound) / DEFAULT_RRL.slip() * 9 / 10,
        "slipped answers tell real clients to retry over TCP: " + with);
    assertTrue(with.amplification() < 1.5, "rate limiting bounds the amplification: " + with);
    assertTrue(with.amplification() < without.amplification() / 8, with + " against " + without);
  }
}
