package dev.tern.policy.model;

import dev.tern.policy.geo.ClientZone;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A hostname with its backends and the policy that routes clients to them.
 *
 * @param ttl seconds resolvers may cache an answer
 * @param clientZones zones planned in addition to {@code default} and the zones the routing,
 *     residency and demand sections name
 * @param demand per client zone the load it sends, in the unit of the backends' capacity; zones
 *     without demand are not checked for capacity
 * @param discovery how backends found in Kubernetes join the declared ones
 */
public record Service(
    String name,
    String hostname,
    int ttl,
    List<Backend> backends,
    RoutingMethod routing,
    List<ResidencyRule> residency,
    HealthSettings health,
    Guardrails guardrails,
    Map<ClientZone, Integer> demand,
    List<ClientZone> clientZones,
    Discovery discovery) {

  /** A service without a {@code discovery} block. */
  public Service(String name, String hostname, int ttl, List<Backend> backends, RoutingMethod routing,
      List<ResidencyRule> residency, HealthSettings health, Guardrails guardrails, Map<ClientZone, Integer> demand,
      List<ClientZone> clientZones) {
    this(name, hostname, ttl, backends, routing, residency, health, guardrails, demand, clientZones,
        Discovery.DEFAULTS);
  }

  public Service {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hostname, "hostname");
    backends = List.copyOf(backends);
    Objects.requireNonNull(routing, "routing");
    residency = List.copyOf(residency);
    Objects.requireNonNull(health, "health");
    Objects.requireNonNull(guardrails, "guardrails");
    demand = Collections.unmodifiableMap(new LinkedHashMap<>(demand));
    clientZones = List.copyOf(clientZones);
    Objects.requireNonNull(discovery, "discovery");
  }

  /** The same service with {@code next} as its backends (the declared ones merged with those discovered). */
  public Service withBackends(List<Backend> next) {
    return new Service(name, hostname, ttl, next, routing, residency, health, guardrails, demand, clientZones,
        discovery);
  }

  public Optional<Backend> backend(String backendName) {
    for (Backend b : backends) {
      if (b.name().equals(backendName)) {
        return Optional.of(b);
      }
    }
    return Optional.empty();
  }

  /**
   * Every zone the plan answers for, most specific first: {@code default}, the listed client
   * zones, and every zone the geo map, residency rules and demand name.
   */
  public List<ClientZone> plannedZones() {
    TreeSet<ClientZone> zones = new TreeSet<>();
    zones.add(ClientZone.DEFAULT);
    zones.addAll(clientZones);
    if (routing instanceof RoutingMethod.Geo geo) {
      zones.addAll(geo.map().keySet());
    }
    residency.forEach(r -> zones.add(r.zone()));
    zones.addAll(demand.keySet());
    return List.copyOf(zones);
  }

  /** The residency rules that bind clients of {@code zone}: its own and those of zones above it. */
  public List<ResidencyRule> residencyFor(ClientZone zone) {
    List<ResidencyRule> out = new ArrayList<>(2);
    for (ResidencyRule r : residency) {
      if (r.zone().contains(zone)) {
        out.add(r);
      }
    }
    return out;
  }
}
