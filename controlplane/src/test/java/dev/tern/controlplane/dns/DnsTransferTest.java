package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ZoneTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Zone transfers to a client inside {@code axfr-allow}: the zone in one TCP message; never over UDP. */
class DnsTransferTest {

  @Test
  void an_allowed_client_gets_the_zone_over_tcp_with_default_answers_between_two_soas() throws Exception {
    DnsSettings base = DnsAnswersTest.settings();
    DnsSettings settings = new DnsSettings(true, "127.0.0.1", 0, 1, base.zones(), base.ns(), base.soa(),
        base.clientSubnets(), List.of(Cidr.parse("127.0.0.0/8").orElseThrow()), base.rateLimit(), base.tcp(), 1232, Optional.empty());
    AnswerTable table = AnswerTable.build(settings, 3, DnsAnswersTest.plans("198.51.100.10"), ZoneTable.EMPTY);
    try (DnsServer server = DnsRateLimitTest.start(settings, table, new DnsMetrics(new SimpleMeterRegistry()));
        DnsClient client = new DnsClient(server.port())) {
      Message axfr = client.tcpRaw(DnsClient.query("tern.test", Type.AXFR, 0, Optional.empty()));
      assertEquals(Rcode.NOERROR, axfr.getRcode());
      List<Record> records = axfr.getSection(Section.ANSWER);
      assertEquals(Type.SOA, records.getFirst().getType());
      assertEquals(Type.SOA, records.getLast().getType());
      List<String> lines = records.stream().map(r -> r.getName() + " " + Type.string(r.getType()) + " "
          + r.rdataToString()).toList();
      assertTrue(lines.contains("shop.tern.test. A 198.51.100.10"), lines.toString());
      assertTrue(lines.contains("shop.tern.test. A 192.0.2.10"), lines.toString());
      assertTrue(lines.contains("api.tern.test. AAAA 2001:db8:0:0:0:0:0:20"), lines.toString());
      assertTrue(lines.contains("media.deep.tern.test. CNAME media-par.origin.example.net."), lines.toString());
      assertTrue(lines.contains("tern.test. NS ns2.tern.test."), lines.toString());
      assertTrue(lines.stream().noneMatch(l -> l.contains("example.org")), "only the zone's own names");
      // The EU-only answers are not in the transfer: only what default clients get.
      assertTrue(!lines.contains("shop.tern.test. A 192.0.2.20"), lines.toString());

      assertEquals(Rcode.NOTIMP, client.udp(DnsClient.query("tern.test", Type.AXFR, 0, Optional.empty())).getRcode());
      assertEquals(Rcode.REFUSED,
          client.tcpRaw(DnsClient.query("shop.tern.test", Type.AXFR, 0, Optional.empty())).getRcode(),
          "only a zone apex can be transferred");
    }
  }
}
