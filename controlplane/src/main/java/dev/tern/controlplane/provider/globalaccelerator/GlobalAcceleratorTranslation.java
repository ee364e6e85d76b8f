package dev.tern.controlplane.provider.globalaccelerator;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.ZoneAnswer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns a committed plan into the endpoint groups of one Global Accelerator listener. Pure: the
 * same plan, service and endpoint map give the same groups, and the tests are tables.
 *
 * <p>Global Accelerator has no client zones: it sends each client to the nearest region whose
 * endpoint group has traffic, over anycast. So only the plan's {@code default} zone is served:
 *
 * <table>
 *   <caption>From plan to endpoint groups</caption>
 *   <tr><th>Plan</th><th>Global Accelerator</th></tr>
 *   <tr><td>an AWS region with at least one mapped backend of the service</td><td>one endpoint group</td></tr>
 *   <tr><td>a mapped backend in that region</td><td>an endpoint (its id from the account's {@code endpoints})</td></tr>
 *   <tr><td>its weight in the default zone's answer (of 1000)</td>
 *     <td>the endpoint weight, scaled to 0..255; above 0 stays at least 1; not answered: 0</td></tr>
 *   <tr><td>a region with an endpoint of weight above 0</td><td>traffic dial 100</td></tr>
 *   <tr><td>a region with none (failed over, or not answered)</td><td>traffic dial 0</td></tr>
 * </table>
 *
 * <p>Backends that are not in AWS or have no endpoint id are left out here; {@link #cannotExpress}
 * says so, and a service with such reasons is refused before it ever reaches a reconcile.
 */
public final class GlobalAcceleratorTranslation {

  /** The traffic dial of a region that serves. */
  static final int FULL_DIAL = 100;

  private GlobalAcceleratorTranslation() {}

  /**
   * The endpoint groups that serve {@code plan}, one per AWS region of {@code service}'s mapped
   * backends, sorted by region.
   *
   * @param endpoints backend name to Global Accelerator endpoint id
   */
  public static List<EndpointGroup> endpointGroups(RoutingPlan plan, Service service, Map<String, String> endpoints) {
    Map<String, Integer> answered = new HashMap<>();
    plan.zone(ClientZone.DEFAULT).map(ZoneAnswer::answers).orElse(List.of())
        .forEach(a -> answered.merge(a.backend(), a.weight(), Integer::sum));
    Map<String, List<EndpointGroup.Endpoint>> byRegion = new TreeMap<>();
    for (Backend b : service.backends()) {
      String id = endpoints.get(b.name());
      if (b.region().cloud() != Cloud.AWS || id == null) {
        continue;
      }
      byRegion.computeIfAbsent(b.region().name(), r -> new ArrayList<>())
          .add(new EndpointGroup.Endpoint(id, scale(answered.getOrDefault(b.name(), 0))));
    }
    List<EndpointGroup> out = new ArrayList<>();
    byRegion.forEach((region, list) -> out.add(new EndpointGroup(region,
        list.stream().anyMatch(e -> e.weight() > 0) ? FULL_DIAL : 0, list)));
    return List.copyOf(out);
  }

  /**
   * Why one Global Accelerator listener cannot serve {@code service} as its policy says, one
   * readable reason each; empty when it can.
   *
   * @param endpoints backend name to Global Accelerator endpoint id, from the account
   */
  public static List<String> cannotExpress(Service service, Map<String, String> endpoints) {
    List<String> reasons = new ArrayList<>();
    if (!service.residency().isEmpty()) {
      reasons.add("residency rules for " + service.residency().stream().map(r -> r.zone().key()).toList()
          + ": Global Accelerator routes by anycast to the nearest region with traffic, so it cannot keep EU"
          + " clients in the EU; serve this service with a DNS provider (route53, cloud-dns, azure-traffic-manager)");
    }
    if (service.routing() instanceof RoutingMethod.Geo) {
      reasons.add("geo routing: Global Accelerator sends each client to its nearest region and cannot answer a"
          + " client zone with a list of its own; use weighted, latency or failover routing");
    }
    List<String> zones = service.clientZones().stream().filter(z -> !z.equals(ClientZone.DEFAULT)).map(ClientZone::key)
        .toList();
    if (!zones.isEmpty()) {
      reasons.add("client zones " + zones + ": Global Accelerator has no client zones, every client would get the"
          + " default zone's answer; remove them from the policy or use a DNS provider");
    }
    List<String> elsewhere = new ArrayList<>();
    List<String> unmapped = new ArrayList<>();
    boolean anyMapped = false;
    for (Backend b : service.backends()) {
      if (b.region().cloud() != Cloud.AWS) {
        elsewhere.add(b.name() + " (" + b.region().key() + ")");
        continue;
      }
      String id = endpoints.get(b.name());
      if (id == null) {
        unmapped.add(b.name());
        continue;
      }
      anyMapped = true;
      arnRegion(id).filter(r -> !r.equals(b.region().name())).ifPresent(r -> reasons.add("backend " + b.name()
          + " is in " + b.region().name() + " but its endpoint " + id + " is in " + r + "; map it to an endpoint in its"
          + " own region"));
    }
    if (!elsewhere.isEmpty()) {
      reasons.add("backends not in AWS: " + elsewhere + "; Global Accelerator endpoints are AWS load balancers,"
          + " Elastic IPs or EC2 instances");
    }
    if (!unmapped.isEmpty()) {
      reasons.add("backends without an endpoint id: " + unmapped + "; add them to the account's endpoints"
          + " (backend name: ALB/NLB/EIP ARN or EC2 instance id)");
    }
    if (!anyMapped && elsewhere.isEmpty() && unmapped.isEmpty()) {
      reasons.add("the service has no backends for Global Accelerator to serve");
    }
    return List.copyOf(reasons);
  }

  /** A plan weight (of 1000) as a Global Accelerator weight (of 255); a weight above 0 stays above 0. */
  static int scale(int weight) {
    if (weight <= 0) {
      return 0;
    }
    return (int) Math.min(EndpointGroup.MAX_WEIGHT,
        Math.max(1, Math.round(weight * (double) EndpointGroup.MAX_WEIGHT / RoutingPlan.WEIGHT_TOTAL)));
  }

  /** The region field of an ARN ({@code arn:aws:elasticloadbalancing:us-east-1:...}); empty for an id, a global ARN. */
  static Optional<String> arnRegion(String id) {
    if (!id.startsWith("arn:")) {
      return Optional.empty();
    }
    String[] parts = id.split(":", 6);
    return parts.length > 3 && !parts[3].isEmpty() ? Optional.of(parts[3]) : Optional.empty();
  }
}
