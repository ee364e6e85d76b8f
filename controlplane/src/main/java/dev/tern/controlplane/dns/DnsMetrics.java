package dev.tern.controlplane.dns;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The embedded DNS server's meters: {@code tern.dns.responses} by transport and RCODE,
 * {@code tern.dns.truncated} (TC set because the answer did not fit) and
 * {@code tern.dns.rate.limited} by action ({@code dropped} or {@code slipped}).
 */
final class DnsMetrics {

  private static final String[] RCODES = new String[17];
  /** An RCODE Tern never sends; counted under OTHER should one appear. */
  private static final int OTHER = 15;

  static {
    java.util.Arrays.fill(RCODES, "OTHER");
    RCODES[QueryHandler.NOERROR] = "NOERROR";
    RCODES[QueryHandler.FORMERR] = "FORMERR";
    RCODES[QueryHandler.SERVFAIL] = "SERVFAIL";
    RCODES[QueryHandler.NXDOMAIN] = "NXDOMAIN";
    RCODES[QueryHandler.NOTIMP] = "NOTIMP";
    RCODES[QueryHandler.REFUSED] = "REFUSED";
    RCODES[QueryHandler.BADVERS] = "BADVERS";
  }

  private final Counter[] udp = new Counter[RCODES.length];
  private final Counter[] tcp = new Counter[RCODES.length];
  private final Counter truncated;
  private final Counter dropped;
  private final Counter slipped;

  DnsMetrics(MeterRegistry registry) {
    for (int i = 0; i < RCODES.length; i++) {
      udp[i] = Counter.builder("tern.dns.responses").description("DNS responses sent, by transport and RCODE")
          .tag("transport", "udp").tag("rcode", RCODES[i]).register(registry);
      tcp[i] = Counter.builder("tern.dns.responses").description("DNS responses sent, by transport and RCODE")
          .tag("transport", "tcp").tag("rcode", RCODES[i]).register(registry);
    }
    truncated = Counter.builder("tern.dns.truncated")
        .description("UDP responses sent with TC set because the answer did not fit").register(registry);
    dropped = Counter.builder("tern.dns.rate.limited").description("Responses held back by rate limiting")
        .tag("action", "dropped").register(registry);
    slipped = Counter.builder("tern.dns.rate.limited").description("Responses held back by rate limiting")
        .tag("action", "slipped").register(registry);
  }

  void response(boolean overTcp, int rcode, boolean wasTruncated) {
    (overTcp ? tcp : udp)[rcode >= 0 && rcode < RCODES.length ? rcode : OTHER].increment();
    if (wasTruncated) {
      truncated.increment();
    }
  }

  void dropped() {
    dropped.increment();
  }

  void slipped() {
    slipped.increment();
  }

  long droppedCount() {
    return (long) dropped.count();
  }

  long slippedCount() {
    return (long) slipped.count();
  }
}
