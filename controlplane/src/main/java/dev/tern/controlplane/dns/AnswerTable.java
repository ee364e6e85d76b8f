package dev.tern.controlplane.dns;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Everything the embedded DNS answers, precomputed from one committed state: the served zones with
 * their SOA and NS records, and for every service hostname inside them the record data of each
 * client zone's weighted answer set. Immutable once built; a new table replaces the old one whole.
 *
 * <p>Which names exist:
 *
 * <pre>
 *   zone apex                 SOA, NS (and the service's records if a hostname is the apex)
 *   service hostname          A / AAAA / CNAME from the plan, by client zone
 *   _tern.&lt;hostname&gt;          TXT: plan version, policy version, client zone, explanation
 *   names between those       exist with no records (NODATA, not NXDOMAIN)
 * </pre>
 *
 * Service hostnames outside every configured zone are left out.
 */
final class AnswerTable {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AnswerTable.class);

  static final int TYPE_A = 1;
  static final int TYPE_NS = 2;
  static final int TYPE_CNAME = 5;
  static final int TYPE_SOA = 6;
  static final int TYPE_TXT = 16;
  static final int TYPE_AAAA = 28;

  /** One served zone. */
  static final class Zone {
    final byte[] apex;
    final byte[] soaRdata;
    final byte[][] nsRdata;
    final int ttl;
    final int negativeTtl;

    Zone(byte[] apex, byte[] soaRdata, byte[][] nsRdata, int ttl, int negativeTtl) {
      this.apex = apex;
      this.soaRdata = soaRdata;
      this.nsRdata = nsRdata;
      this.ttl = ttl;
      this.negativeTtl = negativeTtl;
    }
  }

  /** A service hostname in a zone, for transfers: its owner name in wire form and its answers. */
  record Hosted(byte[] owner, ServiceAnswers answers) {}

  /** A name that exists in a served zone. */
  static final class Node {
    final Zone zone;
    final boolean apex;
    /** The service whose addresses this name holds, or null. */
    final ServiceAnswers service;
    /** The service this {@code _tern.} name describes, or null. */
    final ServiceAnswers debug;

    Node(Zone zone, boolean apex, ServiceAnswers service, ServiceAnswers debug) {
      this.zone = zone;
      this.apex = apex;
      this.service = service;
      this.debug = debug;
    }
  }

  /** The records of one service's plan, compiled per client zone on first use and kept. */
  static final class ServiceAnswers {
    final RoutingPlan plan;
    final long policyVersion;
    /** False when every client gets the same answer (a plan with only the default zone): ECS scope 0. */
    final boolean locationDependent;
    private final Map<ClientZone, ZoneRecords> byZone = new ConcurrentHashMap<>();

    ServiceAnswers(RoutingPlan plan, long policyVersion) {
      this.plan = plan;
      this.policyVersion = policyVersion;
      this.locationDependent = !(plan.zones().size() == 1 && plan.zones().getFirst().zone().equals(ClientZone.DEFAULT));
    }

    ZoneRecords forZone(ClientZone zone) {
      ZoneRecords r = byZone.get(zone);
      return r != null ? r : byZone.computeIfAbsent(zone, z -> new ZoneRecords(plan.answerFor(z), plan, policyVersion));
    }
  }

  /** The answer set candidates for one query type: record types, record data and weights. */
  static final class Candidates {
    final int[] types;
    final byte[][] rdata;
    final int[] weights;

    Candidates(List<int[]> typeAndWeight, List<byte[]> rdata) {
      this.types = typeAndWeight.stream().mapToInt(t -> t[0]).toArray();
      this.weights = typeAndWeight.stream().mapToInt(t -> t[1]).toArray();
      this.rdata = rdata.toArray(byte[][]::new);
    }

    int size() {
      return types.length;
    }
  }

  /** One plan zone's answer in record form. */
  static final class ZoneRecords {
    final ZoneAnswer answer;
    final Candidates a;
    final Candidates aaaa;
    final Candidates cname;
    final Candidates any;
    /** TXT character-strings after the client zone: zone, mode, versions, then the explanation. */
    final byte[][] debugStrings;

    ZoneRecords(ZoneAnswer answer, RoutingPlan plan, long policyVersion) {
      this.answer = answer;
      List<WeightedAnswer> served = answer.mode() == ZoneAnswer.Mode.NO_ANSWER ? List.of() : answer.answers();
      boolean allZero = served.stream().allMatch(w -> w.weight() <= 0);
      List<int[]> v4 = new ArrayList<>(), v6 = new ArrayList<>(), names = new ArrayList<>();
      List<byte[]> v4d = new ArrayList<>(), v6d = new ArrayList<>(), namesd = new ArrayList<>();
      for (WeightedAnswer w : served) {
        if (w.weight() <= 0 && !allZero) {
          continue;
        }
        int weight = allZero ? 1 : w.weight();
        Optional<byte[]> literal = Cidr.parseAddress(w.address());
        if (literal.isEmpty() && !isHostname(w.address())) {
          LOG.warn("{}: backend {} has address '{}', neither an IP literal nor a host name; left out of DNS answers",
              plan.service(), w.backend(), w.address());
          continue;
        }
        if (literal.isPresent()) {
          boolean isV4 = literal.get().length == 4;
          (isV4 ? v4 : v6).add(new int[] {isV4 ? TYPE_A : TYPE_AAAA, weight});
          (isV4 ? v4d : v6d).add(literal.get());
        } else {
          names.add(new int[] {TYPE_CNAME, weight});
          namesd.add(WireNames.toWire(w.address()));
        }
      }
      a = join(v4, v4d, names, namesd);
      aaaa = join(v6, v6d, names, namesd);
      cname = new Candidates(names, namesd);
      List<int[]> both = new ArrayList<>(v4);
      both.addAll(v6);
      List<byte[]> bothd = new ArrayList<>(v4d);
      bothd.addAll(v6d);
      any = join(both, bothd, names, namesd);
      List<byte[]> strings = new ArrayList<>();
      strings.add(ascii("plan-zone=" + answer.zone().key() + " mode=" + answer.mode()));
      strings.add(ascii("plan-version=" + plan.version() + " policy-version=" + policyVersion));
      for (String line : answer.explanation()) {
        strings.addAll(characterStrings(line));
      }
      debugStrings = strings.toArray(byte[][]::new);
    }

    Candidates forType(int qtype) {
      return switch (qtype) {
        case TYPE_A -> a;
        case TYPE_AAAA -> aaaa;
        case TYPE_CNAME -> cname;
        default -> any;
      };
    }

    private static boolean isHostname(String address) {
      try {
        WireNames.toWire(address);
        return !address.isBlank();
      } catch (IllegalArgumentException e) {
        return false;
      }
    }

    private static Candidates join(List<int[]> t1, List<byte[]> d1, List<int[]> t2, List<byte[]> d2) {
      List<int[]> t = new ArrayList<>(t1);
      t.addAll(t2);
      List<byte[]> d = new ArrayList<>(d1);
      d.addAll(d2);
      return new Candidates(t, d);
    }
  }

  private final WireNames.NameMap<Node> nodes;
  private final WireNames.NameMap<Zone> zones;
  private final Map<Zone, List<Hosted>> hosted;
  private final ClientSubnets subnets;
  private final long serial;
  private final int services;

  private AnswerTable(WireNames.NameMap<Node> nodes, WireNames.NameMap<Zone> zones, Map<Zone, List<Hosted>> hosted,
      ClientSubnets subnets, long serial, int services) {
    this.nodes = nodes;
    this.zones = zones;
    this.hosted = hosted;
    this.subnets = subnets;
    this.serial = serial;
    this.services = services;
  }

  /** The service hostnames of {@code zone}, ordered by service name. */
  List<Hosted> hostedIn(Zone zone) {
    return hosted.getOrDefault(zone, List.of());
  }

  Node node(byte[] name, int off, int len) {
    return nodes.get(name, off, len);
  }

  Zone zone(byte[] name, int off, int len) {
    return zones.get(name, off, len);
  }

  ClientSubnets subnets() {
    return subnets;
  }

  /** The SOA serial of every zone in this table. */
  long serial() {
    return serial;
  }

  /** The plan version this table answers {@code service} with; -1 when it does not serve it. */
  long planVersion(String service) {
    for (List<Hosted> list : hosted.values()) {
      for (Hosted h : list) {
        if (h.answers().plan.service().equals(service)) {
          return h.answers().plan.version();
        }
      }
    }
    return -1;
  }

  /** How many services this table answers for. */
  int services() {
    return services;
  }

  /**
   * Builds the table of one committed state.
   *
   * <p>The SOA serial is {@code policyVersion * 65536 + (sum of plan versions mod 65536)}, in
   * 32-bit serial arithmetic: the same on every node for the same state, and rising with every
   * policy change (deleting a service included) and every plan change.
   *
   * @param plans the committed plan of every service that has one
   */
  static AnswerTable build(DnsSettings settings, long policyVersion, Collection<RoutingPlan> plans,
      ZoneTable policyZones) {
    return build(settings, policyVersion, plans, policyZones, Optional.empty());
  }

  /** As {@link #build(DnsSettings, long, Collection, ZoneTable)}, with a GeoIP database behind the CIDR tables. */
  static AnswerTable build(DnsSettings settings, long policyVersion, Collection<RoutingPlan> plans,
      ZoneTable policyZones, Optional<GeoIpCountries> geo) {
    long planSum = 0;
    for (RoutingPlan p : plans) {
      planSum += p.version();
    }
    long serial = ((policyVersion << 16) + (planSum & 0xFFFF)) & 0xFFFFFFFFL;
    Map<String, Zone> zoneByApex = new LinkedHashMap<>();
    for (String apex : settings.zones()) {
      zoneByApex.put(apex, zone(settings, apex, serial));
    }
    List<String> apexes = new ArrayList<>(zoneByApex.keySet());
    // Most labels first, so a name falls into the most specific zone that contains it.
    apexes.sort(Comparator.comparingInt((String a) -> -a.split("\\.").length));

    Map<String, Node> nodes = new LinkedHashMap<>();
    for (String apex : apexes) {
      nodes.put(apex, new Node(zoneByApex.get(apex), true, null, null));
    }
    int served = 0;
    List<RoutingPlan> ordered = new ArrayList<>(plans);
    ordered.sort(Comparator.comparing(RoutingPlan::service));
    ClientSubnets subnets = new ClientSubnets(settings.clientSubnets(), policyZones, geo);
    Map<Zone, List<Hosted>> hosted = new java.util.IdentityHashMap<>();
    for (RoutingPlan plan : ordered) {
      String host = DnsSettings.canonicalName(plan.hostname());
      if (!ZoneRecords.isHostname(host) || host.length() + "_tern.".length() > 253) {
        LOG.warn("{}: hostname '{}' is not a domain name the DNS can serve (with its _tern. name); not served",
            plan.service(), plan.hostname());
        continue;
      }
      Optional<String> apex = apexes.stream().filter(a -> host.equals(a) || host.endsWith("." + a)).findFirst();
      if (apex.isEmpty() || (nodes.containsKey(host) && nodes.get(host).service != null)) {
        continue;
      }
      Zone zone = zoneByApex.get(apex.get());
      ServiceAnswers answers = new ServiceAnswers(plan, policyVersion);
      try {
        // Compile every zone the table can map a client to now, so queries only read.
        subnets.zones().forEach(answers::forZone);
      } catch (RuntimeException e) {
        LOG.warn("{}: plan version {} cannot be served ({}); its hostname is left out", plan.service(),
            plan.version(), e.getMessage());
        continue;
      }
      Node existing = nodes.get(host);
      nodes.put(host, new Node(zone, existing != null && existing.apex, answers, existing == null ? null : existing.debug));
      String debugName = "_tern." + host;
      Node existingDebug = nodes.get(debugName);
      nodes.put(debugName, new Node(zone, false, existingDebug == null ? null : existingDebug.service, answers));
      // Every name between the hostname and the apex exists, with no records of its own.
      for (String n = parent(host); n.length() > apex.get().length(); n = parent(n)) {
        nodes.putIfAbsent(n, new Node(zone, false, null, null));
      }
      hosted.computeIfAbsent(zone, z -> new ArrayList<>()).add(new Hosted(WireNames.toWire(host), answers));
      served++;
    }
    hosted.replaceAll((z, list) -> List.copyOf(list));
    return new AnswerTable(new WireNames.NameMap<>(nodes), new WireNames.NameMap<>(zoneByApex), hosted, subnets,
        serial, served);
  }

  private static String parent(String name) {
    int dot = name.indexOf('.');
    return dot < 0 ? "" : name.substring(dot + 1);
  }

  private static Zone zone(DnsSettings settings, String apex, long serial) {
    List<String> nsNames = settings.ns().isEmpty() ? List.of("ns." + apex) : settings.ns();
    byte[][] ns = nsNames.stream().map(WireNames::toWire).toArray(byte[][]::new);
    DnsSettings.Soa soa = settings.soa();
    ByteArrayOutputStream rdata = new ByteArrayOutputStream();
    rdata.writeBytes(ns[0]);
    rdata.writeBytes(WireNames.toWire(soa.mailbox().orElse("hostmaster." + apex)));
    for (long v : new long[] {serial, soa.refresh(), soa.retry(), soa.expire(), soa.minimum()}) {
      rdata.write((int) (v >>> 24));
      rdata.write((int) (v >>> 16));
      rdata.write((int) (v >>> 8));
      rdata.write((int) v);
    }
    return new Zone(WireNames.toWire(apex), rdata.toByteArray(), ns, soa.ttl(), soa.minimum());
  }

  private static byte[] ascii(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return b.length <= 255 ? b : java.util.Arrays.copyOf(b, 255);
  }

  /** Splits {@code line} into TXT character-strings of at most 255 bytes, never inside a character. */
  static List<byte[]> characterStrings(String line) {
    List<byte[]> out = new ArrayList<>();
    int start = 0;
    while (start < line.length()) {
      int end = start;
      int bytes = 0;
      while (end < line.length()) {
        int cp = line.codePointAt(end);
        int len = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
        if (bytes + len > 255) {
          break;
        }
        bytes += len;
        end += Character.charCount(cp);
      }
      out.add(line.substring(start, end).getBytes(StandardCharsets.UTF_8));
      start = end;
    }
    if (out.isEmpty()) {
      out.add(new byte[0]);
    }
    return out;
  }
}
