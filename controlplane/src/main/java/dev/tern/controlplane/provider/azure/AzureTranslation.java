package dev.tern.controlplane.provider.azure;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Turns a committed plan into the Traffic Manager profiles that serve it. Pure: the same plan and
 * scope give the same profiles, and the tests are tables.
 *
 * <table>
 *   <tr><th>Profile</th><th>Name</th><th>What</th></tr>
 *   <tr><td>parent, Geographic</td><td>{@code tern-<service>}</td>
 *     <td>one nested endpoint {@code zone-<zone>} per client zone, pointing at the zone's child, with the
 *     zone's geoMapping ({@link AzureGeography}); relative name from the scope</td></tr>
 *   <tr><td>child, Weighted, one per client zone</td><td>{@code tern-<service>-<zone>}</td>
 *     <td>one endpoint per answer, named for the backend: azureEndpoints (targetResourceId) for a backend the
 *     account maps to an Azure resource, else externalEndpoints (target = address); weight = the plan's
 *     weight (both out of 1000; a live answer never below 1)</td></tr>
 * </table>
 *
 * <p>Every profile has the plan's TTL and the tags {@code tern-owner}, {@code tern-service} (and
 * {@code tern-zone} on children); every endpoint has {@code alwaysServe: Enabled}, so Traffic
 * Manager's probes never override Tern's health decisions.
 *
 * <p><b>Overlaps.</b> Azure refuses a code mapped to two endpoints of one profile, and answers a
 * client from the most specific code mapped (a country before its region, a region before
 * {@code WORLD}). Codes are therefore handed out most specific zone first, and a zone keeps only
 * codes no more specific zone took: with zones {@code DE} and {@code EU}, {@code DE} maps DE and
 * {@code EU} the other 29 countries, so German clients get the DE answer, as in Tern's own DNS.
 *
 * <p><b>Answering nothing.</b> A zone with no answers (a residency rule's {@code answer-nothing})
 * keeps its nested endpoint, and its child profile is disabled: Azure then answers NODATA for that
 * zone's clients and does not fall back to a wider zone. Removing the endpoint instead would send
 * them to the wider zone's backends, which a residency rule forbids. An answer of weight 0 is a
 * disabled endpoint, unless every answer of the zone has weight 0 (then all serve equally).
 */
public final class AzureTranslation {

  /** Azure's weights go from 1 to 1000; a plan's add up to 1000 per zone. */
  static final long MAX_WEIGHT = 1000;
  /** Azure allows at most this many endpoints in one profile. */
  public static final int MAX_ENDPOINTS = 200;
  /** The tag naming the Tern installation that owns a profile. */
  public static final String OWNER_TAG = "tern-owner";
  /** The tag naming the service a profile serves. */
  public static final String SERVICE_TAG = "tern-service";
  /** The tag naming the client zone a child profile answers. */
  public static final String ZONE_TAG = "tern-zone";

  /**
   * Where and for whom the profiles are written.
   *
   * @param relativeName the parent's DNS label; children get {@code <relativeName>-<zone>}
   * @param azureEndpoints backend name to the Azure resource id (a public IP) to use as an azureEndpoints target
   */
  public record Scope(String subscriptionId, String resourceGroup, String owner, String relativeName,
      Map<String, String> azureEndpoints) {
    public Scope {
      Objects.requireNonNull(subscriptionId, "subscriptionId");
      Objects.requireNonNull(resourceGroup, "resourceGroup");
      Objects.requireNonNull(owner, "owner");
      Objects.requireNonNull(relativeName, "relativeName");
      azureEndpoints = Map.copyOf(azureEndpoints);
    }

    /** The resource id of profile {@code name} in this resource group. */
    public String profileId(String name) {
      return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup
          + "/providers/Microsoft.Network/trafficManagerProfiles/" + name;
    }
  }

  private AzureTranslation() {}

  /** The profiles that serve {@code plan}: the zones' children first, the parent last. */
  public static List<AzureTmProfile> profiles(RoutingPlan plan, Scope scope) {
    String service = plan.service();
    List<ZoneAnswer> zones = new ArrayList<>(plan.zones());
    zones.sort(Comparator.comparing(ZoneAnswer::zone));
    Set<String> taken = new HashSet<>();
    List<AzureTmProfile> children = new ArrayList<>();
    List<AzureTmEndpoint> nested = new ArrayList<>();
    for (ZoneAnswer zone : zones) {
      List<String> codes = AzureGeography.codesFor(zone.zone()).stream().filter(c -> !taken.contains(c)).toList();
      if (codes.isEmpty()) {
        continue;
      }
      taken.addAll(codes);
      String child = childName(service, zone.zone());
      children.add(new AzureTmProfile(child, "Weighted", scope.relativeName() + "-" + zoneLabel(zone.zone()),
          plan.ttl(), !zone.answers().isEmpty(), tags(scope.owner(), service, Optional.of(zone.zone())),
          endpoints(zone, scope), Optional.empty()));
      nested.add(new AzureTmEndpoint(parentEndpointName(zone.zone()), AzureTmEndpoint.Kind.NESTED,
          scope.profileId(child), 1, codes, true, true));
    }
    List<AzureTmProfile> out = new ArrayList<>(children);
    out.add(new AzureTmProfile(parentName(service), "Geographic", scope.relativeName(), plan.ttl(), true,
        tags(scope.owner(), service, Optional.empty()), nested, Optional.empty()));
    return List.copyOf(out);
  }

  private static List<AzureTmEndpoint> endpoints(ZoneAnswer zone, Scope scope) {
    boolean allZero = zone.answers().stream().allMatch(a -> a.weight() <= 0);
    List<AzureTmEndpoint> out = new ArrayList<>();
    for (WeightedAnswer a : zone.answers()) {
      String resource = scope.azureEndpoints().get(a.backend());
      boolean live = allZero || a.weight() > 0;
      out.add(new AzureTmEndpoint(a.backend(), resource == null ? AzureTmEndpoint.Kind.EXTERNAL
          : AzureTmEndpoint.Kind.AZURE, resource == null ? a.address() : resource, scale(a.weight()), List.of(), live,
          true));
    }
    return out;
  }

  /** The ownership tags of a service's profiles. */
  static Map<String, String> tags(String owner, String service, Optional<ClientZone> zone) {
    return zone.map(z -> Map.of(OWNER_TAG, owner, SERVICE_TAG, service, ZONE_TAG, z.key()))
        .orElseGet(() -> Map.of(OWNER_TAG, owner, SERVICE_TAG, service));
  }

  public static String parentName(String service) {
    return "tern-" + service;
  }

  public static String childName(String service, ClientZone zone) {
    return parentName(service) + "-" + zoneLabel(zone);
  }

  static String parentEndpointName(ClientZone zone) {
    return "zone-" + zoneLabel(zone);
  }

  /** {@code default}, {@code eu}, {@code north-america}, {@code de}. */
  static String zoneLabel(ClientZone zone) {
    return zone.key().toLowerCase(Locale.ROOT);
  }

  /** A plan weight (of 1000) as an Azure weight (1 to 1000). */
  static long scale(int weight) {
    return Math.clamp(weight, 1, MAX_WEIGHT);
  }
}
