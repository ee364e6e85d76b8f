package dev.tern.controlplane.dns;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import io.micronaut.core.value.PropertyResolver;
import io.micronaut.core.naming.conventions.StringConvention;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code tern.dns} configuration of the embedded authoritative DNS server (docs/dns.md).
 *
 * @param enabled whether the server starts at all
 * @param host the loopback or interface address to bind, UDP and TCP alike
 * @param port the port for UDP and TCP; 0 binds any free port (read it from {@link EmbeddedDns#port()})
 * @param udpWorkers threads, each with its own UDP socket on the shared port; 0 means one per core
 * @param zones the zone apexes served, lower case without the trailing dot; none means every query is REFUSED
 * @param ns the name server names of every zone; empty means {@code ns.<zone>} for each zone
 * @param soa the SOA timers and mailbox
 * @param clientSubnets client networks and the zone their clients are in; the policy's own table is added
 * @param axfrAllow networks whose clients may transfer a zone (AXFR or IXFR over TCP); everyone else is REFUSED
 * @param rateLimit response rate limiting per client network, against amplification
 * @param tcp limits for DNS over TCP
 * @param ednsUdpSize the UDP payload size advertised in OPT and the cap on any client's advertised size
 * @param maxmindDb a GeoIP2 / GeoLite2 Country database for addresses no CIDR entry covers
 */
public record DnsSettings(
    boolean enabled,
    String host,
    int port,
    int udpWorkers,
    List<String> zones,
    List<String> ns,
    Soa soa,
    List<ZoneEntry> clientSubnets,
    List<Cidr> axfrAllow,
    RateLimit rateLimit,
    Tcp tcp,
    int ednsUdpSize,
    Optional<Path> maxmindDb) {

  /**
   * SOA fields of every served zone. The serial is not configured: it follows the committed state.
   *
   * @param mailbox the responsible mailbox as a domain name; empty means {@code hostmaster.<zone>}
   * @param ttl the TTL of the SOA and NS records themselves
   * @param minimum the negative-caching TTL (RFC 2308): how long NXDOMAIN and NODATA are cached
   */
  public record Soa(Optional<String> mailbox, int ttl, int refresh, int retry, int expire, int minimum) {
    public Soa {
      Objects.requireNonNull(mailbox, "mailbox");
    }

    public static final Soa DEFAULTS = new Soa(Optional.empty(), 3600, 3600, 600, 604800, 60);
  }

  /**
   * Response rate limiting.
   *
   * @param responsesPerSecond the budget of each client /24 (IPv4) or /56 (IPv6); 0 turns limiting off
   * @param slip every slip-th limited response is sent truncated instead of dropped; 0 drops them all
   * @param tableSize how many client networks are tracked at once (a power of two is used)
   */
  public record RateLimit(int responsesPerSecond, int slip, int tableSize) {
    public static final RateLimit DEFAULTS = new RateLimit(100, 2, 65536);
  }

  /** DNS over TCP: at most {@code maxConnections} at once, each closed after {@code idleTimeout} of silence. */
  public record Tcp(int maxConnections, Duration idleTimeout) {
    public Tcp {
      Objects.requireNonNull(idleTimeout, "idleTimeout");
    }

    public static final Tcp DEFAULTS = new Tcp(128, Duration.ofSeconds(10));
  }

  /** One row of the client-subnet table: a network and the zone its clients are in. */
  public record ZoneEntry(Cidr cidr, ClientZone zone) {
    public ZoneEntry {
      Objects.requireNonNull(cidr, "cidr");
      Objects.requireNonNull(zone, "zone");
    }
  }

  public DnsSettings {
    Objects.requireNonNull(host, "host");
    zones = zones.stream().map(DnsSettings::canonicalName).toList();
    ns = ns.stream().map(DnsSettings::canonicalName).toList();
    Objects.requireNonNull(soa, "soa");
    clientSubnets = List.copyOf(clientSubnets);
    axfrAllow = List.copyOf(axfrAllow);
    Objects.requireNonNull(rateLimit, "rateLimit");
    Objects.requireNonNull(tcp, "tcp");
    Objects.requireNonNull(maxmindDb, "maxmindDb");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("tern.dns.port must be 0..65535, got " + port);
    }
    if (ednsUdpSize < 512 || ednsUdpSize > 65535) {
      throw new IllegalArgumentException("tern.dns.edns-udp-size must be 512..65535, got " + ednsUdpSize);
    }
    if (rateLimit.responsesPerSecond() < 0 || rateLimit.slip() < 0 || rateLimit.tableSize() < 1) {
      throw new IllegalArgumentException(
          "tern.dns.rate-limit needs responses-per-second >= 0, slip >= 0 and table-size >= 1");
    }
    if (tcp.maxConnections() < 1 || tcp.idleTimeout().isNegative() || tcp.idleTimeout().isZero()) {
      throw new IllegalArgumentException("tern.dns.tcp needs max-connections >= 1 and a positive idle-timeout");
    }
  }

  /** Lower case, no trailing dot: the form names are compared in. */
  static String canonicalName(String name) {
    String n = name.trim().toLowerCase(java.util.Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /**
   * Reads {@code tern.dns.*}. Map keys are read raw, so a CIDR such as {@code 192.0.2.0/24} survives
   * as a key of {@code client-subnets}.
   *
   * @throws IllegalArgumentException naming the key and what to write instead when a value is invalid
   */
  public static DnsSettings from(PropertyResolver p) {
    String prefix = "tern.dns.";
    List<ZoneEntry> subnets = new ArrayList<>();
    Map<String, Object> raw = new LinkedHashMap<>(p.getProperties(prefix + "client-subnets", StringConvention.RAW));
    for (Map.Entry<String, Object> e : raw.entrySet()) {
      Cidr cidr = Cidr.parse(e.getKey()).orElseThrow(() -> new IllegalArgumentException(
          "tern.dns.client-subnets: '" + e.getKey() + "' is not a CIDR such as 192.0.2.0/24 or 2001:db8::/32"));
      String key = String.valueOf(e.getValue());
      ClientZone zone = ClientZone.parse(key).orElseThrow(() -> new IllegalArgumentException(
          "tern.dns.client-subnets." + e.getKey() + ": '" + key
              + "' is not a client zone; use default, EU, a continent such as europe, or a country code such as DE"));
      subnets.add(new ZoneEntry(cidr, zone));
    }
    List<Cidr> axfr = new ArrayList<>();
    for (String text : strings(p, prefix + "axfr-allow")) {
      axfr.add(Cidr.parse(text).orElseThrow(() -> new IllegalArgumentException(
          "tern.dns.axfr-allow: '" + text + "' is not a CIDR such as 127.0.0.1/32")));
    }
    Soa soa = new Soa(
        p.getProperty(prefix + "soa.mailbox", String.class).map(DnsSettings::canonicalName),
        p.getProperty(prefix + "soa.ttl", Integer.class).orElse(Soa.DEFAULTS.ttl()),
        p.getProperty(prefix + "soa.refresh", Integer.class).orElse(Soa.DEFAULTS.refresh()),
        p.getProperty(prefix + "soa.retry", Integer.class).orElse(Soa.DEFAULTS.retry()),
        p.getProperty(prefix + "soa.expire", Integer.class).orElse(Soa.DEFAULTS.expire()),
        p.getProperty(prefix + "soa.minimum", Integer.class).orElse(Soa.DEFAULTS.minimum()));
    RateLimit rateLimit = new RateLimit(
        p.getProperty(prefix + "rate-limit.responses-per-second", Integer.class)
            .orElse(RateLimit.DEFAULTS.responsesPerSecond()),
        p.getProperty(prefix + "rate-limit.slip", Integer.class).orElse(RateLimit.DEFAULTS.slip()),
        p.getProperty(prefix + "rate-limit.table-size", Integer.class).orElse(RateLimit.DEFAULTS.tableSize()));
    Tcp tcp = new Tcp(
        p.getProperty(prefix + "tcp.max-connections", Integer.class).orElse(Tcp.DEFAULTS.maxConnections()),
        p.getProperty(prefix + "tcp.idle-timeout", Duration.class).orElse(Tcp.DEFAULTS.idleTimeout()));
    return new DnsSettings(
        p.getProperty(prefix + "enabled", Boolean.class).orElse(true),
        p.getProperty(prefix + "host", String.class).orElse("127.0.0.1"),
        p.getProperty(prefix + "port", Integer.class).orElse(5353),
        p.getProperty(prefix + "udp-workers", Integer.class).orElse(0),
        strings(p, prefix + "zones"),
        strings(p, prefix + "ns"),
        soa,
        subnets,
        axfr,
        rateLimit,
        tcp,
        p.getProperty(prefix + "edns-udp-size", Integer.class).orElse(1232),
        p.getProperty(prefix + "maxmind-db", String.class).filter(f -> !f.isBlank()).map(Path::of));
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(PropertyResolver p, String key) {
    return p.getProperty(key, List.class).map(l -> ((List<Object>) l).stream().map(String::valueOf).toList())
        .orElse(List.of());
  }
}
