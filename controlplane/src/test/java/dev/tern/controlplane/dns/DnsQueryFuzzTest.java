package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ZoneTable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Header;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

/**
 * Jazzer fuzz target for the embedded DNS server's packet parser: {@link QueryHandler} answers any
 * datagram, over UDP and TCP and from clients inside and outside {@code axfr-allow}, with nothing
 * or with a response that dnsjava reads, for the same query, within the size the transport allows.
 *
 * <p>SERVFAIL is not among the allowed answers: the table here is small enough for every transfer
 * to fit, so a SERVFAIL can only be the handler catching an exception of its own. The seeds under
 * {@code DnsQueryFuzzTestInputs/} are queries for every kind of answer, plus compression pointers
 * that point at themselves.
 */
class DnsQueryFuzzTest {

  private static final int UDP_WITHOUT_EDNS = 512;
  private static final Set<Integer> ANSWERED_RCODES = Set.of(Rcode.NOERROR, Rcode.FORMERR, Rcode.NXDOMAIN,
      Rcode.NOTIMP, Rcode.REFUSED, Rcode.BADVERS);
  private static final Set<Integer> ERROR_RCODES = Set.of(Rcode.FORMERR, Rcode.NOTIMP, Rcode.REFUSED,
      Rcode.BADVERS);

  private static final DnsSettings SETTINGS = withTransfersFromLoopback(DnsAnswersTest.settings());
  private static final AnswerTable TABLE =
      AnswerTable.build(SETTINGS, 7, DnsAnswersTest.plans("198.51.100.10"), ZoneTable.EMPTY);
  /** Loopback may transfer zones; the others are an EU client by its IPv4 and its IPv6 address. */
  private static final List<InetAddress> SOURCES = List.of(
      address("127.0.0.1"), address("10.1.9.9"), address("2001:db8:e000::1"));

  private final QueryHandler handler = new QueryHandler(SETTINGS, () -> TABLE);

  @Tag("fuzz")
  @FuzzTest(maxDuration = "20s")
  void any_datagram_gets_no_answer_or_a_well_formed_response(byte[] datagram) throws IOException {
    for (InetAddress source : SOURCES) {
      for (boolean tcp : new boolean[] {false, true}) {
        byte[] query = datagram.clone();

        int length = handler.handle(query, query.length, source, tcp);

        assertArrayEquals(datagram, query, "the query buffer is only read");
        if (query.length < 12 || (query[2] & 0x80) != 0) {
          assertEquals(-1, length, "a datagram too short for a header, or a response, is not answered");
          continue;
        }
        String where = (tcp ? "TCP" : "UDP") + " from " + source.getHostAddress();
        Message response = checkResponse(query, Arrays.copyOf(handler.response(), length), tcp, where);
        if (!tcp) {
          checkSlip(query, response);
        }
      }
    }
  }

  private Message checkResponse(byte[] query, byte[] wire, boolean tcp, String where) throws IOException {
    assertTrue(wire.length >= 12, where + ": a response has a whole header");
    assertTrue(wire.length <= (tcp ? 65535 : SETTINGS.ednsUdpSize()),
        where + ": " + wire.length + " bytes is more than the transport allows");
    Message response = new Message(wire);
    Header header = response.getHeader();
    assertEquals(((query[0] & 0xFF) << 8) | (query[1] & 0xFF), header.getID(), where + ": the query's id");
    assertTrue(header.getFlag(Flags.QR), where + ": QR set");
    assertEquals((query[2] >> 3) & 0x0F, header.getOpcode(), where + ": the query's opcode");
    int rcode = response.getRcode();
    assertTrue(ANSWERED_RCODES.contains(rcode), where + ": rcode " + Rcode.string(rcode) + "\n" + response);
    if (response.getOPT() == null && !tcp) {
      assertTrue(wire.length <= UDP_WITHOUT_EDNS,
          where + ": " + wire.length + " bytes over UDP without EDNS; at most " + UDP_WITHOUT_EDNS);
    }
    if (ERROR_RCODES.contains(rcode) || (!tcp && header.getFlag(Flags.TC))) {
      assertEquals(0, header.getCount(Section.ANSWER) + header.getCount(Section.AUTHORITY),
          where + ": an error or a truncated response carries no records\n" + response);
    }
    Record question = response.getQuestion();
    if (question != null) {
      int end = 12 + question.getName().length() + 4;
      assertTrue(Arrays.equals(wire, 12, end, query, 12, end), where + ": the question is echoed as asked");
    }
    return response;
  }

  /** A slip (the rate limiter's truncated stand-in) is the header and question alone, with TC. */
  private void checkSlip(byte[] query, Message response) throws IOException {
    int length = handler.slip();
    Message slip = new Message(Arrays.copyOf(handler.response(), length));
    assertTrue(slip.getHeader().getFlag(Flags.TC), "a slip has TC set");
    assertEquals(response.getHeader().getID(), slip.getHeader().getID());
    assertEquals(0, slip.getHeader().getCount(Section.ANSWER) + slip.getHeader().getCount(Section.AUTHORITY)
        + slip.getHeader().getCount(Section.ADDITIONAL), "a slip carries no records");
    assertTrue(length <= UDP_WITHOUT_EDNS, "a slip of " + length + " bytes for a query of " + query.length);
  }

  private static DnsSettings withTransfersFromLoopback(DnsSettings s) {
    return new DnsSettings(s.enabled(), s.host(), s.port(), s.udpWorkers(), s.zones(), s.ns(), s.soa(),
        s.clientSubnets(), List.of(Cidr.parse("127.0.0.0/8").orElseThrow()), s.rateLimit(), s.tcp(),
        s.ednsUdpSize(), s.maxmindDb());
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
