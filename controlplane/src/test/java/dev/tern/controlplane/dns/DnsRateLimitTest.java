package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.dns.ResponseRateLimiter.Verdict;
import dev.tern.policy.geo.ZoneTable;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

/** Response rate limiting: the budget per client network, slip, recovery, and the bounded table. */
class DnsRateLimitTest {

  static InetAddress ip(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void over_budget_responses_are_dropped_and_every_slip_th_is_sent_truncated_then_the_bucket_refills()
      throws Exception {
    AtomicLong now = new AtomicLong(1_000_000_000L);
    ResponseRateLimiter limiter = new ResponseRateLimiter(new DnsSettings.RateLimit(10, 3, 1024), now::get);
    for (int i = 0; i < 10; i++) {
      assertEquals(Verdict.SEND, limiter.charge(ip("192.0.2." + (i + 1))), "within budget: response " + i);
    }
    List<Verdict> over = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      over.add(limiter.charge(ip("192.0.2.200")));
    }
    assertEquals(List.of(Verdict.DROP, Verdict.DROP, Verdict.SLIP, Verdict.DROP, Verdict.DROP, Verdict.SLIP), over);
    // Another /24 has its own budget.
    assertEquals(Verdict.SEND, limiter.charge(ip("192.0.3.1")));
    // 200 ms refill two tokens.
    now.addAndGet(Duration.ofMillis(200).toNanos());
    assertEquals(Verdict.SEND, limiter.charge(ip("192.0.2.1")));
    assertEquals(Verdict.SEND, limiter.charge(ip("192.0.2.1")));
    assertTrue(limiter.charge(ip("192.0.2.1")) != Verdict.SEND);
    // A long pause refills at most one second's budget.
    now.addAndGet(Duration.ofHours(1).toNanos());
    int sent = 0;
    for (int i = 0; i < 30; i++) {
      sent += limiter.charge(ip("192.0.2.9")) == Verdict.SEND ? 1 : 0;
    }
    assertEquals(10, sent);
  }

  @Test
  void ipv6_clients_share_a_budget_per_slash_56() throws Exception {
    ResponseRateLimiter limiter = new ResponseRateLimiter(new DnsSettings.RateLimit(2, 0, 1024), () -> 0L);
    assertEquals(Verdict.SEND, limiter.charge(ip("2001:db8:0:12ff::1")));
    assertEquals(Verdict.SEND, limiter.charge(ip("2001:db8:0:1200::2")));
    assertEquals(Verdict.DROP, limiter.charge(ip("2001:db8:0:1234::3")), "same /56, slip 0 drops all");
    assertEquals(Verdict.SEND, limiter.charge(ip("2001:db8:0:1300::1")), "another /56");
  }

  @Test
  void the_table_stays_bounded_under_a_flood_of_networks() throws Exception {
    ResponseRateLimiter limiter = new ResponseRateLimiter(new DnsSettings.RateLimit(1, 0, 64), () -> 0L);
    for (int i = 0; i < 100_000; i++) {
      limiter.charge(InetAddress.getByAddress(new byte[] {10, (byte) (i >> 16), (byte) (i >> 8), 1}));
    }
    // Bounded by construction (64 slots); the limiter still limits a single network.
    assertEquals(Verdict.SEND, limiter.charge(ip("198.51.100.1")));
    assertEquals(Verdict.DROP, limiter.charge(ip("198.51.100.1")));
  }

  @Test
  void over_udp_a_flood_is_limited_with_slips_and_tcp_still_answers() throws Exception {
    DnsSettings base = DnsAnswersTest.settings();
    DnsSettings settings = new DnsSettings(true, "127.0.0.1", 0, 1, base.zones(), base.ns(), base.soa(),
        base.clientSubnets(), List.of(), new DnsSettings.RateLimit(5, 2, 1024), base.tcp(), 1232, Optional.empty());
    AnswerTable table = AnswerTable.build(settings, 1, DnsAnswersTest.plans("198.51.100.10"), ZoneTable.EMPTY);
    DnsMetrics metrics = new DnsMetrics(new SimpleMeterRegistry());
    try (DnsServer server = start(settings, table, metrics); DnsClient client = new DnsClient(server.port())) {
      client.timeout(Duration.ofMillis(150));
      int answered = 0;
      int slipped = 0;
      int dropped = 0;
      for (int i = 0; i < 15; i++) {
        Optional<byte[]> r = client.udpRaw(DnsClient.query("static.tern.test", Type.A, 0, Optional.empty()).toWire());
        if (r.isEmpty()) {
          dropped++;
          continue;
        }
        Message m = DnsClient.parse(r.get());
        if (m.getHeader().getFlag(Flags.TC)) {
          assertTrue(m.getSection(Section.ANSWER).isEmpty());
          slipped++;
        } else {
          answered++;
        }
      }
      // About five answered in the first burst; the bucket refills by 5/s while dropped queries wait.
      assertTrue(answered >= 5 && answered <= 9, "answered " + answered);
      assertTrue(slipped >= 2, "slipped " + slipped);
      assertTrue(dropped >= 2, "dropped " + dropped);
      assertEquals(dropped, metrics.droppedCount());
      assertEquals(slipped, metrics.slippedCount());
      Message tcp = client.tcpRaw(DnsClient.query("static.tern.test", Type.A, 0, Optional.empty()));
      assertEquals(Rcode.NOERROR, tcp.getRcode());
      assertFalse(tcp.getSection(Section.ANSWER).isEmpty(), "TCP is not rate limited");
      Thread.sleep(1100);
      client.timeout(Duration.ofSeconds(2));
      Message again = client.udp(DnsClient.query("static.tern.test", Type.A, 0, Optional.empty()));
      assertFalse(again.getHeader().getFlag(Flags.TC), "the budget recovers");
      assertEquals(1, again.getSection(Section.ANSWER).size());
    }
  }

  static DnsServer start(DnsSettings settings, AnswerTable table, DnsMetrics metrics) throws Exception {
    DnsServer server = new DnsServer(settings, () -> table, metrics);
    server.start();
    return server;
  }
}
