package dev.tern.policy.routing;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * A service's policy worked out once per policy version, so that each decision only looks at
 * health: per planned zone, which backends residency allows, in which order the method tries them,
 * and the zone's demand. Zones whose rules come out identical share one {@link ZoneRules}, and so
 * one computed answer.
 */
public final class CompiledService {

  private final Service service;
  private final Backend[] backends;
  private final Map<String, Integer> indexByName;
  private final List<ClientZone> zones;
  private final List<ZoneRules> rulesByZone;

  /**
   * The rules that decide one group of zones.
   *
   * @param allowed indices of the backends residency allows, in declaration order
   * @param order indices in the order the method tries them (geo list; failover tiers; else
   *     declaration order), allowed backends only
   * @param residencyBound true when a residency rule binds these zones
   * @param residency human text of the binding rules, empty when unbound
   * @param demand the zones' load, or 0 when none is declared
   */
  public record ZoneRules(
      int[] allowed,
      int[] order,
      boolean residencyBound,
      WhenNoneHealthy whenNoneHealthy,
      String residency,
      int demand) {

    @Override
    public boolean equals(Object o) {
      return o instanceof ZoneRules r
          && Arrays.equals(r.allowed, allowed)
          && Arrays.equals(r.order, order)
          && r.residencyBound == residencyBound
          && r.whenNoneHealthy == whenNoneHealthy
          && r.residency.equals(residency)
          && r.demand == demand;
    }

    @Override
    public int hashCode() {
      return Objects.hash(Arrays.hashCode(allowed), Arrays.hashCode(order), residency, demand);
    }
  }

  private CompiledService(Service service) {
    this.service = service;
    this.backends = service.backends().toArray(Backend[]::new);
    this.indexByName = new HashMap<>();
    for (int i = 0; i < backends.length; i++) {
      indexByName.put(backends[i].name(), i);
    }
    this.zones = service.plannedZones();
    Map<ZoneRules, ZoneRules> shared = new HashMap<>();
    List<ZoneRules> rules = new ArrayList<>(zones.size());
    for (ClientZone zone : zones) {
      ZoneRules r = rulesFor(zone);
      rules.add(shared.computeIfAbsent(r, k -> k));
    }
    this.rulesByZone = List.copyOf(rules);
  }

  /** Works out a service's policy; the service is assumed valid (see the validator). */
  public static CompiledService of(Service service) {
    return new CompiledService(service);
  }

  private ZoneRules rulesFor(ClientZone zone) {
    List<ResidencyRule> binding = service.residencyFor(zone);
    Set<Jurisdiction> allowedJurisdictions = null;
    WhenNoneHealthy when = WhenNoneHealthy.SERVE_UNHEALTHY;
    StringBuilder text = new StringBuilder();
    for (ResidencyRule r : binding) {
      if (allowedJurisdictions == null) {
        allowedJurisdictions = new LinkedHashSet<>(r.allowed());
      } else {
        allowedJurisdictions.retainAll(r.allowed());
      }
      if (r.whenNoneHealthy() == WhenNoneHealthy.ANSWER_NOTHING) {
        when = WhenNoneHealthy.ANSWER_NOTHING;
      }
      if (!text.isEmpty()) {
        text.append("; ");
      }
      text.append("clients in ")
          .append(r.zone().key())
          .append(" only get ")
          .append(String.join("/", new TreeSet<>(r.allowed().stream().map(Jurisdiction::code).toList())))
          .append(" backends");
    }
    List<Integer> allowed = new ArrayList<>();
    for (int i = 0; i < backends.length; i++) {
      if (allowedJurisdictions == null || allowedJurisdictions.contains(backends[i].jurisdiction())) {
        allowed.add(i);
      }
    }
    int[] allowedArray = allowed.stream().mapToInt(Integer::intValue).toArray();
    return new ZoneRules(
        allowedArray,
        order(zone, allowedArray),
        !binding.isEmpty(),
        when,
        text.toString(),
        service.demand().getOrDefault(zone, 0));
  }

  private int[] order(ClientZone zone, int[] allowed) {
    Set<Integer> allowedSet = new LinkedHashSet<>();
    for (int i : allowed) {
      allowedSet.add(i);
    }
    return switch (service.routing()) {
      case RoutingMethod.Geo geo -> {
        LinkedHashSet<Integer> seq = new LinkedHashSet<>();
        for (ClientZone z : zone.lineage()) {
          for (String name : geo.map().getOrDefault(z, List.of())) {
            Integer i = indexByName.get(name);
            if (i != null && allowedSet.contains(i)) {
              seq.add(i);
            }
          }
        }
        yield seq.stream().mapToInt(Integer::intValue).toArray();
      }
      case RoutingMethod.Failover f ->
          allowedSet.stream()
              .sorted((a, b) -> Integer.compare(backends[a].priority(), backends[b].priority()))
              .mapToInt(Integer::intValue)
              .toArray();
      case RoutingMethod.Weighted w -> allowed.clone();
      case RoutingMethod.Latency l -> allowed.clone();
    };
  }

  public Service service() {
    return service;
  }

  public Backend backend(int index) {
    return backends[index];
  }

  public int backendCount() {
    return backends.length;
  }

  /** Planned zones, most specific first. */
  public List<ClientZone> zones() {
    return zones;
  }

  /** The rules of {@code zones().get(i)}; identical rules are the same instance. */
  public ZoneRules rules(int zoneIndex) {
    return rulesByZone.get(zoneIndex);
  }
}
