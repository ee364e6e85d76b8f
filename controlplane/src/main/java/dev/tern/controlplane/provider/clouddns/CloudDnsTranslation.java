package dev.tern.controlplane.provider.clouddns;

import dev.tern.controlplane.provider.DnsNames;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a committed plan into the Cloud DNS record sets that serve it. Pure: the same plan gives
 * the same record sets, and the tests are tables.
 *
 * <table>
 *   <caption>Record sets of one service</caption>
 *   <tr><th>Name</th><th>Type</th><th>What</th></tr>
 *   <tr><td>the hostname</td><td>CNAME</td><td>geo policy: one item per Google Cloud region of the
 *     region catalog, pointing at the name of the plan zone that region's country falls in;
 *     {@code enableFencing} when the service has residency rules</td></tr>
 *   <tr><td>{@code z-<zone>.<hostname>}</td><td>A / AAAA / CNAME</td><td>the zone's answers of that
 *     type: plain with one answer, else a weighted round robin policy, one item per answer, weight =
 *     the plan's weight (of 1000)</td></tr>
 *   <tr><td>{@code z-<zone>.<hostname>}</td><td>TXT</td><td>{@code "tern: no answer"} when the zone
 *     answers nothing, so that clients get NODATA (the name exists) rather than NXDOMAIN</td></tr>
 *   <tr><td>{@code tern-owner.<hostname>}</td><td>TXT</td>
 *     <td>{@code "heritage=tern,tern/owner=<owner>,tern/service=<service>"}</td></tr>
 * </table>
 *
 * <p>Cloud DNS's geo policy knows Google Cloud regions only, and answers a client with the item of
 * the region nearest to it. So a plan zone holding no Google Cloud region gets no record: its
 * clients are answered as the nearest region's zone is. {@link #cannotExpress(Service)} refuses
 * that for a zone bound by residency. Weights within a zone are kept by a zone name per zone:
 * Cloud DNS does not combine geo and weighted policies in one record set.
 */
public final class CloudDnsTranslation {

  /** The TTL of the ownership record, as Route 53's. */
  static final int OWNERSHIP_TTL = 300;
  static final String NO_ANSWER = "\"tern: no answer\"";
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private CloudDnsTranslation() {}

  /**
   * The record sets that serve {@code plan}, owned by {@code owner}.
   *
   * @param fenced whether the geo policy fences clients to their region's item ({@link #fenced(Service)})
   */
  public static List<CloudDnsRecord> records(RoutingPlan plan, boolean fenced, String owner) {
    String host = fqdn(plan.hostname());
    Map<String, ClientZone> byRegion = regionZones(plan);
    if (fenced) {
      byRegion = fencedAtBorders(plan, byRegion);
    }
    List<CloudDnsRecord> out = new ArrayList<>();
    for (ClientZone zone : new LinkedHashSet<>(byRegion.values())) {
      out.addAll(zoneRecords(plan.answerFor(zone), zoneName(zone, host), plan.ttl()));
    }
    List<CloudDnsRecord.GeoItem> items = new ArrayList<>();
    byRegion.forEach((region, zone) -> items.add(new CloudDnsRecord.GeoItem(region, List.of(zoneName(zone, host)))));
    out.add(CloudDnsRecord.routed(host, "CNAME", plan.ttl(), new CloudDnsRecord.Geo(items, fenced)));
    out.add(ownership(plan.service(), host, owner));
    return List.copyOf(out);
  }

  /** Fencing is on when the service has residency rules: a fenced geo item never spills to another region's. */
  public static boolean fenced(Service service) {
    return !service.residency().isEmpty();
  }

  /**
   * For each Google Cloud region of the catalog, in catalog order, the plan zone answering a client
   * of that region's country: the most specific planned zone containing it.
   */
  static Map<String, ClientZone> regionZones(RoutingPlan plan) {
    Map<String, ClientZone> out = new LinkedHashMap<>();
    for (String name : RegionCatalog.names(Cloud.GCP)) {
      Region region = RegionCatalog.find(Cloud.GCP, name).orElseThrow();
      out.put(name, plan.answerFor(region.zone()).zone());
    }
    return out;
  }

  /**
   * Google Cloud regions outside the EU/EEA that are the nearest region of some EU/EEA country
   * without one of its own: Ireland and Iceland are nearest London, Liechtenstein Zurich, Cyprus
   * (and parts of Greece) Tel Aviv. Cloud DNS answers those clients with these regions' items.
   */
  static final List<String> EU_BORDER_REGIONS = List.of("europe-west2", "europe-west6", "me-west1");

  /**
   * With residency, the regions at the EU's borders answer as the plan's EU zone does, so that an
   * EU client Cloud DNS matches to a region outside the EU still gets an EU answer. Clients of
   * those regions' own countries get EU backends too: allowed everywhere, if not the nearest.
   */
  static Map<String, ClientZone> fencedAtBorders(RoutingPlan plan, Map<String, ClientZone> byRegion) {
    if (plan.zone(ClientZone.EU).isEmpty()) {
      return byRegion;
    }
    Map<String, ClientZone> out = new LinkedHashMap<>(byRegion);
    EU_BORDER_REGIONS.forEach(r -> out.computeIfPresent(r, (region, zone) -> ClientZone.EU));
    return out;
  }

  private static List<CloudDnsRecord> zoneRecords(ZoneAnswer zone, String name, int ttl) {
    if (zone.answers().isEmpty()) {
      return List.of(CloudDnsRecord.plain(name, "TXT", ttl, List.of(NO_ANSWER)));
    }
    Map<String, List<WeightedAnswer>> byType = new LinkedHashMap<>();
    for (String type : List.of("A", "AAAA", "CNAME")) {
      List<WeightedAnswer> answers = zone.answers().stream().filter(a -> type(a.address()).equals(type)).toList();
      if (!answers.isEmpty()) {
        byType.put(type, answers);
      }
    }
    List<CloudDnsRecord> out = new ArrayList<>();
    byType.forEach((type, answers) -> {
      if (answers.size() == 1) {
        out.add(CloudDnsRecord.plain(name, type, ttl, List.of(data(answers.getFirst().address()))));
      } else {
        out.add(CloudDnsRecord.routed(name, type, ttl, new CloudDnsRecord.Wrr(answers.stream()
            .map(a -> new CloudDnsRecord.WrrItem(a.weight(), List.of(data(a.address())))).toList())));
      }
    });
    return out;
  }

  /** {@code A} for an IPv4 address, {@code AAAA} for IPv6, {@code CNAME} for a hostname. */
  static String type(String address) {
    if (address.contains(":")) {
      return "AAAA";
    }
    return IPV4.matcher(address).matches() ? "A" : "CNAME";
  }

  private static String data(String address) {
    return type(address).equals("CNAME") ? fqdn(address) : address;
  }

  /**
   * Why Cloud DNS cannot serve {@code service} as its policy says; empty when it can.
   *
   * <ul>
   *   <li>A planned zone bound by residency that no Google Cloud region falls in: Cloud DNS would
   *       answer its clients with the item of their nearest region, which lies outside it. (The EU
   *       zone's border regions answer as the EU zone does: {@link #EU_BORDER_REGIONS}.)</li>
   *   <li>Backends with hostnames beside backends with addresses: one zone's answer could need a
   *       CNAME beside A records at one name, which DNS forbids.</li>
   * </ul>
   */
  public static List<String> cannotExpress(Service service) {
    List<String> reasons = new ArrayList<>();
    List<ClientZone> planned = service.plannedZones();
    Set<ClientZone> reached = new LinkedHashSet<>();
    for (String name : RegionCatalog.names(Cloud.GCP)) {
      ClientZone country = RegionCatalog.find(Cloud.GCP, name).orElseThrow().zone();
      country.lineage().stream().filter(planned::contains).findFirst().ifPresent(reached::add);
    }
    for (ClientZone zone : planned) {
      List<ResidencyRule> rules = service.residencyFor(zone);
      if (!reached.contains(zone) && !rules.isEmpty()) {
        reasons.add("client zone " + zone.key() + " is bound by residency (zone " + rules.getFirst().zone().key()
            + ") but no Google Cloud region lies in it: Cloud DNS routes by the nearest Google Cloud region, so its"
            + " clients would be answered as a region outside it is. Serve this service with a provider that routes"
            + " by country (route53, Tern's own DNS), or plan that zone's clients in a zone with a Google Cloud"
            + " region");
      }
    }
    Optional<Backend> named = service.backends().stream().filter(b -> type(b.address()).equals("CNAME")).findFirst();
    Optional<Backend> addressed = service.backends().stream().filter(b -> !type(b.address()).equals("CNAME"))
        .findFirst();
    if (named.isPresent() && addressed.isPresent()) {
      reasons.add("backend " + named.get().name() + " has a hostname (" + named.get().address() + ") and backend "
          + addressed.get().name() + " an address: a zone answering both would need a CNAME beside A records at one"
          + " name, which DNS forbids. Give every backend an address, or every backend a hostname");
    }
    return List.copyOf(reasons);
  }

  /** The TXT record that marks the hostname's records as Tern's, for {@code owner}. */
  public static CloudDnsRecord ownership(String service, String host, String owner) {
    return CloudDnsRecord.plain(ownershipName(host), "TXT", OWNERSHIP_TTL, List.of(ownershipValue(service, owner)));
  }

  public static String ownershipName(String host) {
    return DnsNames.ownershipName(host);
  }

  public static String ownershipValue(String service, String owner) {
    return DnsNames.ownershipValue(service, owner);
  }

  /** Whether {@code name} is one Tern writes for {@code host}: the hostname, a zone's name, or the ownership record. */
  public static boolean managedName(String name, String host) {
    return DnsNames.managedName(name, host);
  }

  static String zoneName(ClientZone zone, String host) {
    return DnsNames.zoneName(zone, host);
  }

  static String fqdn(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }
}
