package dev.tern.controlplane.provider.route53;

import dev.tern.controlplane.provider.DnsNames;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Continent;
import dev.tern.policy.geo.Countries;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns a committed plan into the Route 53 record sets that serve it. Pure: the same plan gives
 * the same records, and the tests are tables.
 *
 * <table>
 *   <tr><th>Record</th><th>Name</th><th>What</th></tr>
 *   <tr><td>geolocation alias, one per client zone (per country for EU)</td><td>the hostname</td>
 *     <td>continent, country or {@code *} (default), aliasing the zone's name</td></tr>
 *   <tr><td>weighted A/AAAA, one per answer</td><td>{@code z-<zone>.<hostname>}</td>
 *     <td>set identifier = {@code <zone>-<backend>}, weight scaled from 1000 to 255, the plan's TTL</td></tr>
 *   <tr><td>ownership TXT</td><td>{@code tern-owner.<hostname>}</td>
 *     <td>{@code "heritage=tern,tern/owner=<owner>,tern/service=<service>"}</td></tr>
 * </table>
 *
 * <p>The EU zone becomes one country record per EU/EEA country, except countries the plan names
 * as zones of their own (more specific, so they win, as in Tern's own DNS). A zone answered with
 * nothing gets no record; its clients fall to a wider zone's record only if the plan has one, so
 * a residency rule that answers nothing stays answering nothing there too (Route 53 returns
 * NOERROR with no data for a geolocation miss).
 */
public final class Route53Translation {

  /** Route 53's weights go from 0 to 255; a plan's add up to 1000 per zone. */
  static final int MAX_WEIGHT = 255;
  static final Map<Continent, String> CONTINENT_CODES = Map.of(
      Continent.AFRICA, "AF", Continent.ANTARCTICA, "AN", Continent.ASIA, "AS", Continent.EUROPE, "EU",
      Continent.NORTH_AMERICA, "NA", Continent.OCEANIA, "OC", Continent.SOUTH_AMERICA, "SA");

  private Route53Translation() {}

  /** The record sets that serve {@code plan} in the hosted zone, owned by {@code owner}. */
  public static List<Route53Record> records(RoutingPlan plan, String owner) {
    String host = fqdn(plan.hostname());
    List<Route53Record> out = new ArrayList<>();
    Set<String> countryZones = plan.zones().stream().map(z -> z.zone().key())
        .filter(k -> k.length() == 2 && !k.equals("EU")).collect(Collectors.toSet());
    for (ZoneAnswer zone : plan.zones()) {
      if (zone.answers().isEmpty()) {
        continue;
      }
      String zoneName = zoneName(zone.zone(), host);
      for (WeightedAnswer a : zone.answers()) {
        out.add(new Route53Record(zoneName, a.address().contains(":") ? "AAAA" : "A", Optional.of(weightedId(zone.zone(), a.backend())),
            Optional.empty(), OptionalLong.of(scale(a.weight())), OptionalLong.of(plan.ttl()), List.of(a.address()),
            Optional.empty()));
      }
      for (Route53Record.Geo geo : geos(zone.zone(), countryZones)) {
        String id = "geo-" + zone.zone().key().toLowerCase(Locale.ROOT)
            + geo.country().filter(c -> !c.equals("*") && zone.zone().equals(ClientZone.EU)).map(c -> "-" + c.toLowerCase(Locale.ROOT))
                .orElse("");
        for (String type : types(zone)) {
          out.add(new Route53Record(host, type, Optional.of(id), Optional.of(geo), OptionalLong.empty(), OptionalLong.empty(),
              List.of(), Optional.of(zoneName)));
        }
      }
    }
    out.add(ownership(plan.service(), host, owner));
    return List.copyOf(out);
  }

  /** The TXT record that marks the hostname's records as Tern's, for {@code owner}. */
  public static Route53Record ownership(String service, String host, String owner) {
    return new Route53Record(ownershipName(host), "TXT", Optional.empty(), Optional.empty(), OptionalLong.empty(),
        OptionalLong.of(300), List.of(ownershipValue(service, owner)), Optional.empty());
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

  /**
   * A weighted record's set identifier: {@code eu-aws-frankfurt}. Unique in the hosted zone, not
   * only at its name, so a backend answering two zones has two identifiers, and no tool that keys
   * on the identifier alone can mistake one zone's record for the other's.
   */
  static String weightedId(ClientZone zone, String backend) {
    return zone.key().toLowerCase(Locale.ROOT) + "-" + backend;
  }

  static String zoneName(ClientZone zone, String host) {
    return DnsNames.zoneName(zone, host);
  }

  /** The record types a zone's alias is needed for: those its answers have. */
  private static List<String> types(ZoneAnswer zone) {
    TreeSet<String> types = new TreeSet<>();
    zone.answers().forEach(a -> types.add(a.address().contains(":") ? "AAAA" : "A"));
    return List.copyOf(types);
  }

  static List<Route53Record.Geo> geos(ClientZone zone, Set<String> countryZones) {
    String key = zone.key();
    if (zone.equals(ClientZone.DEFAULT)) {
      return List.of(Route53Record.Geo.country("*"));
    }
    if (zone.equals(ClientZone.EU)) {
      return Countries.EU_EEA.stream().sorted().filter(c -> !countryZones.contains(c)).map(Route53Record.Geo::country).toList();
    }
    Optional<Continent> continent = Continent.fromKey(key);
    if (continent.isPresent()) {
      return List.of(Route53Record.Geo.continent(CONTINENT_CODES.get(continent.get())));
    }
    return List.of(Route53Record.Geo.country(key));
  }

  /** A plan weight (of 1000) as a Route 53 weight (of 255); a weight above 0 stays above 0. */
  static long scale(int weight) {
    if (weight <= 0) {
      return 0;
    }
    return Math.max(1, Math.round(weight * (double) MAX_WEIGHT / RoutingPlan.WEIGHT_TOTAL));
  }

  static String fqdn(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.endsWith(".") ? lower : lower + ".";
  }
}
