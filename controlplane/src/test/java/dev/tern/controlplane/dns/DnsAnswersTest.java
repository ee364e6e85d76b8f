package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Continent;
import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;

/**
 * The embedded DNS on a real UDP and TCP socket, answering from plans built here: residency,
 * weights, ECS and its scope, negative answers, refusals, truncation, the debug record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DnsAnswersTest {

  static final ClientZone NORTH_AMERICA = new ClientZone.ContinentZone(Continent.NORTH_AMERICA);

  final AtomicReference<AnswerTable> table = new AtomicReference<>();
  DnsSettings settings;
  DnsServer server;
  DnsClient client;

  static WeightedAnswer answer(String backend, String address, int weight) {
    return new WeightedAnswer(backend, address, weight, WeightedAnswer.Standing.HEALTHY);
  }

  static ZoneAnswer zone(ClientZone zone, WeightedAnswer... answers) {
    return new ZoneAnswer(zone, ZoneAnswer.Mode.NORMAL, List.of(answers),
        List.of("zone " + zone.key() + ": weighted by policy"));
  }

  static RoutingPlan plan(String service, String hostname, long version, ZoneAnswer... zones) {
    return new RoutingPlan(service, hostname, version, 1, 30, Instant.EPOCH, List.of(), List.of(zones));
  }

  static List<RoutingPlan> plans(String shopUsBackend) {
    List<WeightedAnswer> many = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      many.add(answer("b" + i, "192.0.2." + (i + 1), 25));
    }
    return List.of(
        plan("shop", "shop.tern.test", 1,
            zone(ClientZone.EU, answer("fra", "192.0.2.10", 800), answer("ams", "192.0.2.20", 200)),
            zone(NORTH_AMERICA, answer("iad", shopUsBackend, 1000)),
            zone(ClientZone.DEFAULT, answer("iad", shopUsBackend, 600), answer("fra", "192.0.2.10", 400))),
        plan("static", "static.tern.test", 1, zone(ClientZone.DEFAULT, answer("one", "192.0.2.99", 1000))),
        plan("api", "api.tern.test", 1,
            zone(ClientZone.DEFAULT, answer("fra6", "2001:db8::10", 500), answer("iad6", "2001:db8::20", 500))),
        plan("media", "media.deep.tern.test", 1,
            zone(ClientZone.DEFAULT, answer("par", "media-par.origin.example.net", 1000))),
        plan("eu-only", "eu-only.tern.test", 1,
            new ZoneAnswer(ClientZone.EU, ZoneAnswer.Mode.NO_ANSWER, List.of(),
                List.of("EU: no EU backend is healthy and the residency rule says answer nothing")),
            zone(ClientZone.DEFAULT, answer("iad", "198.51.100.10", 1000))),
        plan("big", "big.tern.test", 1, new ZoneAnswer(ClientZone.DEFAULT, ZoneAnswer.Mode.NORMAL, many,
            List.of("x".repeat(300), "second line"))),
        plan("elsewhere", "www.example.org", 1, zone(ClientZone.DEFAULT, answer("x", "192.0.2.1", 1000))));
  }

  static DnsSettings settings() {
    return new DnsSettings(true, "127.0.0.1", 0, 2, List.of("tern.test"), List.of("ns1.tern.test", "ns2.tern.test"),
        DnsSettings.Soa.DEFAULTS,
        List.of(
            entry("10.1.0.0/16", ClientZone.EU),
            entry("10.1.5.0/24", NORTH_AMERICA),
            entry("10.2.0.0/16", new ClientZone.Country("DE")),
            entry("2001:db8:e000::/40", ClientZone.EU)),
        List.of(), new DnsSettings.RateLimit(0, 2, 1024), DnsSettings.Tcp.DEFAULTS, 1232, Optional.empty());
  }

  static DnsSettings.ZoneEntry entry(String cidr, ClientZone zone) {
    return new DnsSettings.ZoneEntry(Cidr.parse(cidr).orElseThrow(), zone);
  }

  @BeforeAll
  void start() throws Exception {
    settings = settings();
    table.set(AnswerTable.build(settings, 7, plans("198.51.100.10"), ZoneTable.EMPTY));
    server = new DnsServer(settings, table::get, new DnsMetrics(new SimpleMeterRegistry()));
    server.start();
    client = new DnsClient(server.port());
  }

  @AfterAll
  void stop() {
    client.close();
    server.close();
  }

  static List<String> addresses(Message m) {
    return m.getSection(Section.ANSWER).stream()
        .map(r -> r instanceof ARecord a ? a.getAddress().getHostAddress()
            : r instanceof AAAARecord a ? a.getAddress().getHostAddress() : r.rdataToString())
        .toList();
  }

  static ClientSubnetOption echoedEcs(Message m) {
    OPTRecord opt = m.getOPT();
    assertTrue(opt != null, "response has no OPT record");
    List<org.xbill.DNS.EDNSOption> options = opt.getOptions(org.xbill.DNS.EDNSOption.Code.CLIENT_SUBNET);
    assertEquals(1, options.size(), "ECS echoed once");
    return (ClientSubnetOption) options.getFirst();
  }

  @Test
  void eu_clients_by_ecs_get_only_eu_backends() {
    Set<String> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      Message r = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("10.1.9.0", 24)));
      assertEquals(Rcode.NOERROR, r.getRcode());
      seen.addAll(addresses(r));
    }
    assertEquals(Set.of("192.0.2.10", "192.0.2.20"), seen);
    // A country inside the EU is answered by the EU zone too.
    Message de = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("10.2.3.0", 24)));
    assertTrue(Set.of("192.0.2.10", "192.0.2.20").containsAll(addresses(de)), addresses(de).toString());
  }

  @Test
  void clients_no_table_entry_covers_get_the_default_zone_and_the_answer_is_authoritative() {
    Message r = client.udp(DnsClient.query("shop.tern.test", Type.A, 0, Optional.empty()));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals(Set.of("198.51.100.10", "192.0.2.10"), Set.copyOf(addresses(r)));
    assertTrue(r.getHeader().getFlag(Flags.AA));
    assertFalse(r.getHeader().getFlag(Flags.RA));
    assertTrue(r.getHeader().getFlag(Flags.RD), "RD copied from the query");
    assertEquals(30, r.getSection(Section.ANSWER).getFirst().getTTL());
    assertEquals(null, r.getOPT(), "no OPT in the response to a query without one");
  }

  @Test
  void the_first_address_follows_the_weights() {
    Map<String, Integer> first = new HashMap<>();
    int n = 2000;
    for (int i = 0; i < n; i++) {
      Message r = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("10.1.200.0", 24)));
      List<String> a = addresses(r);
      assertEquals(2, a.size(), "the whole answer set in every response");
      first.merge(a.getFirst(), 1, Integer::sum);
    }
    double fra = first.getOrDefault("192.0.2.10", 0) / (double) n;
    assertTrue(Math.abs(fra - 0.8) < 0.03, "fra first in " + fra + " of responses, weight 800/1000");
  }

  @ParameterizedTest(name = "ECS {0}/{1} -> {2} scope {3}")
  @CsvSource({
      // In 10.1.0.0/16 (EU) but 10.1.5.0/24 (north-america) splits it: the scope must exclude it.
      "10.1.9.0, 24, 192.0.2.10|192.0.2.20, 21",
      "10.1.77.0, 24, 192.0.2.10|192.0.2.20, 18",
      "10.1.5.0, 24, 198.51.100.10, 24",
      // More than /24 is only used up to /24, but the source is echoed as sent.
      "10.1.5.77, 32, 198.51.100.10, 24",
      // No entry covers 10.3/16, and 10.2.0.0/16 is its neighbour: default, scope 16.
      "10.3.0.0, 16, 198.51.100.10|192.0.2.10, 16",
      "2001:db8:e0ff::, 56, 192.0.2.10|192.0.2.20, 40",
  })
  void ecs_decides_the_zone_and_is_echoed_with_the_scope_of_the_deciding_entry(
      String address, int prefix, String expected, int scope) {
    Message r = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs(address, prefix)));
    assertEquals(Rcode.NOERROR, r.getRcode());
    assertEquals(Set.of(expected.split("\\|")), Set.copyOf(addresses(r)));
    ClientSubnetOption ecs = echoedEcs(r);
    assertEquals(prefix, ecs.getSourcePrefixLength());
    assertEquals(scope, ecs.getScopePrefixLength());
  }

  @Test
  void a_service_answered_alike_everywhere_has_scope_zero() {
    Message r = client.udp(DnsClient.query("static.tern.test", Type.A, 1232, DnsClient.ecs("10.1.9.0", 24)));
    assertEquals(List.of("192.0.2.99"), addresses(r));
    assertEquals(0, echoedEcs(r).getScopePrefixLength());
    assertEquals(1232, r.getOPT().getPayloadSize());
  }

  @Test
  void aaaa_and_cname_come_from_the_backend_address_form() {
    Message v6 = client.udp(DnsClient.query("api.tern.test", Type.AAAA, 1232, Optional.empty()));
    assertEquals(Set.of("2001:db8:0:0:0:0:0:10", "2001:db8:0:0:0:0:0:20"), Set.copyOf(addresses(v6)));
    Message cname = client.udp(DnsClient.query("media.deep.tern.test", Type.A, 1232, Optional.empty()));
    assertEquals(1, cname.getSection(Section.ANSWER).size());
    assertEquals("media-par.origin.example.net.",
        ((CNAMERecord) cname.getSection(Section.ANSWER).getFirst()).getTarget().toString());
  }

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
      "nope.tern.test, A, NXDOMAIN",
      "x.shop.tern.test, A, NXDOMAIN",
      "shop.tern.test, MX, NOERROR",
      "api.tern.test, A, NOERROR",
      "deep.tern.test, A, NOERROR",
      "tern.test, A, NOERROR",
  })
  void missing_names_and_types_get_nxdomain_or_nodata_with_the_soa(String name, String type, String rcode) {
    Message r = client.udp(DnsClient.query(name, Type.value(type), 1232, Optional.empty()));
    assertEquals(Rcode.value(rcode), r.getRcode());
    assertTrue(r.getSection(Section.ANSWER).isEmpty());
    List<Record> authority = r.getSection(Section.AUTHORITY);
    assertEquals(1, authority.size());
    SOARecord soa = (SOARecord) authority.getFirst();
    assertEquals("tern.test.", soa.getName().toString());
    assertEquals(60, soa.getTTL(), "negative TTL is the SOA minimum");
    assertEquals(60, soa.getMinimum());
    assertTrue(r.getHeader().getFlag(Flags.AA));
  }

  @Test
  void residency_no_answer_mode_is_nodata_for_eu_and_an_answer_elsewhere() {
    Message eu = client.udp(DnsClient.query("eu-only.tern.test", Type.A, 1232, DnsClient.ecs("10.1.9.0", 24)));
    assertEquals(Rcode.NOERROR, eu.getRcode());
    assertTrue(eu.getSection(Section.ANSWER).isEmpty());
    assertEquals(Type.SOA, eu.getSection(Section.AUTHORITY).getFirst().getType());
    Message us = client.udp(DnsClient.query("eu-only.tern.test", Type.A, 1232, DnsClient.ecs("10.1.5.0", 24)));
    assertEquals(List.of("198.51.100.10"), addresses(us));
  }

  @Test
  void the_apex_has_soa_and_ns_with_a_serial_from_the_versions() {
    Message soa = client.udp(DnsClient.query("tern.test", Type.SOA, 1232, Optional.empty()));
    SOARecord record = (SOARecord) soa.getSection(Section.ANSWER).getFirst();
    assertEquals("ns1.tern.test.", record.getHost().toString());
    assertEquals("hostmaster.tern.test.", record.getAdmin().toString());
    // policy version 7, seven plans of version 1
    assertEquals((7L << 16) + 7, record.getSerial());
    Message ns = client.udp(DnsClient.query("TERN.test", Type.NS, 1232, Optional.empty()));
    assertEquals(Set.of("ns1.tern.test.", "ns2.tern.test."), ns.getSection(Section.ANSWER).stream()
        .map(r -> ((NSRecord) r).getTarget().toString()).collect(Collectors.toSet()));
    assertEquals("TERN.test.", ns.getQuestion().getName().toString(), "the question is echoed as asked");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"www.example.org, A", "example.org, SOA", "test, NS", "tern.test, AXFR", "tern.test, IXFR"})
  void names_outside_the_zones_and_transfers_are_refused(String name, String type) {
    Message r = client.tcpRaw(DnsClient.query(name, Type.value(type), 0, Optional.empty()));
    assertEquals(Rcode.REFUSED, r.getRcode());
    assertFalse(r.getHeader().getFlag(Flags.AA));
  }

  @Test
  void an_answer_too_large_for_udp_is_truncated_and_complete_over_tcp() {
    Message udp = client.udp(DnsClient.query("big.tern.test", Type.A, 0, Optional.empty()));
    assertTrue(udp.getHeader().getFlag(Flags.TC));
    assertTrue(udp.getSection(Section.ANSWER).isEmpty());
    Message edns = client.udp(DnsClient.query("big.tern.test", Type.A, 1232, Optional.empty()));
    assertFalse(edns.getHeader().getFlag(Flags.TC), "40 addresses fit in 1232 bytes");
    assertEquals(40, edns.getSection(Section.ANSWER).size());
    Message small = client.udp(DnsClient.query("big.tern.test", Type.A, 400, Optional.empty()));
    assertTrue(small.getHeader().getFlag(Flags.TC), "an advertised size under 512 counts as 512");
    Message tcp = client.tcp(DnsClient.query("big.tern.test", Type.A, 0, Optional.empty()));
    assertFalse(tcp.getHeader().getFlag(Flags.TC));
    assertEquals(40, tcp.getSection(Section.ANSWER).size());
  }

  @Test
  void the_debug_txt_says_versions_zones_and_why() {
    Message r = client.udp(DnsClient.query("_tern.shop.tern.test", Type.TXT, 1232, DnsClient.ecs("10.2.3.0", 24)));
    TXTRecord txt = (TXTRecord) r.getSection(Section.ANSWER).getFirst();
    List<String> strings = txt.getStrings();
    assertEquals("client-zone=DE", strings.get(0));
    assertEquals("plan-zone=EU mode=NORMAL", strings.get(1));
    assertEquals("plan-version=1 policy-version=7", strings.get(2));
    assertEquals("zone EU: weighted by policy", strings.get(3));
    Message big = client.tcp(DnsClient.query("_tern.big.tern.test", Type.TXT, 0, Optional.empty()));
    List<String> bigStrings = ((TXTRecord) big.getSection(Section.ANSWER).getFirst()).getStrings();
    assertEquals(List.of("x".repeat(255), "x".repeat(45), "second line"), bigStrings.subList(3, 6));
  }

  @Test
  void garbage_gets_formerr_and_responses_get_nothing() {
    Message query = DnsClient.query("shop.tern.test", Type.A, 0, Optional.empty());
    byte[] wire = query.toWire();
    // Cut inside the question.
    byte[] cut = java.util.Arrays.copyOf(wire, 18);
    Message r = DnsClient.parse(client.udpRaw(cut).orElseThrow());
    assertEquals(Rcode.FORMERR, r.getRcode());
    assertEquals(query.getHeader().getID(), r.getHeader().getID());
    // Two questions.
    byte[] two = wire.clone();
    two[5] = 2;
    assertEquals(Rcode.FORMERR, DnsClient.parse(client.udpRaw(two).orElseThrow()).getRcode());
    // QR set: a response is never answered.
    byte[] response = wire.clone();
    response[2] |= (byte) 0x80;
    client.timeout(java.time.Duration.ofMillis(300));
    try {
      assertTrue(client.udpRaw(response).isEmpty());
    } finally {
      client.timeout(java.time.Duration.ofSeconds(2));
    }
  }

  @Test
  void other_edns_versions_opcodes_and_classes_are_turned_away() throws Exception {
    Message v1 = DnsClient.query("shop.tern.test", Type.A, 0, Optional.empty());
    v1.addRecord(new OPTRecord(1232, 0, 1, 0), Section.ADDITIONAL);
    Message badvers = client.udp(v1);
    assertEquals(Rcode.BADVERS, badvers.getRcode());
    assertEquals(0, badvers.getOPT().getVersion());

    byte[] notify = DnsClient.query("tern.test", Type.SOA, 0, Optional.empty()).toWire();
    notify[2] = (byte) ((notify[2] & 0x87) | (4 << 3));
    assertEquals(Rcode.NOTIMP, DnsClient.parse(client.udpRaw(notify).orElseThrow()).getRcode());

    Message chaos = Message.newQuery(Record.newRecord(org.xbill.DNS.Name.fromString("shop.tern.test."), Type.TXT,
        org.xbill.DNS.DClass.CH));
    assertEquals(Rcode.REFUSED, client.udp(chaos).getRcode());
  }

  @Test
  void malformed_ecs_gets_formerr() {
    // Source prefix 20 but four address bytes (RFC 7871 wants exactly ceil(20/8) = 3).
    Message query = DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("10.1.0.0", 20));
    byte[] wire = query.toWire();
    int ecs = indexOf(wire, new byte[] {0, 8});
    byte[] bad = new byte[wire.length + 1];
    System.arraycopy(wire, 0, bad, 0, wire.length);
    bad[ecs + 3] += 1;                // option length
    bad[ecs - 1] += 1;                // OPT rdlength (low byte)
    Message r = DnsClient.parse(client.udpRaw(bad).orElseThrow());
    assertEquals(Rcode.FORMERR, r.getRcode());
    // Bits set past the source prefix are FORMERR too.
    byte[] dirty = query.toWire();
    dirty[dirty.length - 1] = 0x0F;   // 10.1.15.0/20: bits 21..24 set
    assertEquals(Rcode.FORMERR, DnsClient.parse(client.udpRaw(dirty).orElseThrow()).getRcode());
  }

  static int indexOf(byte[] data, byte[] pattern) {
    // The ECS option follows the 11-byte OPT header at the end of the message: search from the back.
    for (int i = data.length - pattern.length; i >= 0; i--) {
      if (data[i] == pattern[0] && data[i + 1] == pattern[1]) {
        return i;
      }
    }
    throw new AssertionError("no ECS option in the query");
  }

  @Test
  void several_queries_on_one_tcp_connection_are_answered_in_order() throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
      java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
      List<Message> queries = List.of(
          DnsClient.query("static.tern.test", Type.A, 0, Optional.empty()),
          DnsClient.query("nope.tern.test", Type.A, 0, Optional.empty()),
          DnsClient.query("www.example.org", Type.A, 0, Optional.empty()));
      for (Message q : queries) {
        byte[] wire = q.toWire();
        out.writeShort(wire.length);
        out.write(wire);
      }
      out.flush();
      int[] expected = {Rcode.NOERROR, Rcode.NXDOMAIN, Rcode.REFUSED};
      for (int i = 0; i < queries.size(); i++) {
        byte[] response = new byte[in.readUnsignedShort()];
        in.readFully(response);
        Message m = DnsClient.parse(response);
        assertEquals(queries.get(i).getHeader().getID(), m.getHeader().getID());
        assertEquals(expected[i], m.getRcode());
      }
    }
  }

  @Test
  void a_new_table_changes_the_answers_without_a_restart() {
    AnswerTable before = table.get();
    try {
      table.set(AnswerTable.build(settings, 8, plans("198.51.100.77"), ZoneTable.EMPTY));
      Message r = client.udp(DnsClient.query("shop.tern.test", Type.A, 1232, DnsClient.ecs("10.1.5.0", 24)));
      assertEquals(List.of("198.51.100.77"), addresses(r));
    } finally {
      table.set(before);
    }
  }
}
