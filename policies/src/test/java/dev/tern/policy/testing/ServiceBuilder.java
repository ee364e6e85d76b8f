package dev.tern.policy.testing;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/** Builds services in tests without YAML; every default is the documented policy default. */
public final class ServiceBuilder {

  private final String name;
  private RoutingMethod routing = new RoutingMethod.Weighted();
  private final List<Backend> backends = new ArrayList<>();
  private final List<ResidencyRule> residency = new ArrayList<>();
  private HealthSettings health = HealthSettings.DEFAULTS;
  private Guardrails guardrails = Guardrails.DEFAULTS;
  private final Map<ClientZone, Integer> demand = new LinkedHashMap<>();
  private final List<ClientZone> clientZones = new ArrayList<>();

  private ServiceBuilder(String name) {
    this.name = name;
  }

  public static ServiceBuilder service(String name) {
    return new ServiceBuilder(name);
  }

  public static ClientZone zone(String key) {
    return ClientZone.parse(key).orElseThrow(() -> new IllegalArgumentException(key));
  }

  /** A backend: region as {@code aws:eu-central-1}, weight 1, priority 1, capacity 1000. */
  public ServiceBuilder backend(String backendName, String region, String jurisdiction) {
    return backend(backendName, region, jurisdiction, 1, 1, 1000);
  }

  public ServiceBuilder backend(
      String backendName, String region, String jurisdiction, int weight, int priority, int capacity) {
    int n = backends.size() + 1;
    backends.add(
        new Backend(
            backendName,
            Region.parse(region).orElseThrow(() -> new IllegalArgumentException(region)),
            new Jurisdiction(jurisdiction),
            "192.0.2." + n,
            weight,
            priority,
            capacity,
            HealthCheck.defaults()));
    return this;
  }

  public ServiceBuilder routing(RoutingMethod method) {
    this.routing = method;
    return this;
  }

  /** Geo map from pairs: {@code geo("EU", "fra,ams", "default", "iad")}. */
  public ServiceBuilder geo(String... zoneThenNames) {
    Map<ClientZone, List<String>> map = new LinkedHashMap<>();
    for (int i = 0; i < zoneThenNames.length; i += 2) {
      map.put(zone(zoneThenNames[i]), Arrays.asList(zoneThenNames[i + 1].split(",")));
    }
    this.routing = new RoutingMethod.Geo(map);
    return this;
  }

  public ServiceBuilder residency(String zoneKey, WhenNoneHealthy when, String... jurisdictions) {
    residency.add(
        new ResidencyRule(
            zone(zoneKey),
            Arrays.stream(jurisdictions).map(Jurisdiction::new).collect(Collectors.toSet()),
            when));
    return this;
  }

  public ServiceBuilder health(HealthSettings settings) {
    this.health = settings;
    return this;
  }

  public ServiceBuilder guardrails(int minHealthy, double maxDrainShare, int maxChangesPerMinute) {
    this.guardrails = new Guardrails(minHealthy, maxDrainShare, maxChangesPerMinute);
    return this;
  }

  public ServiceBuilder demand(String zoneKey, int load) {
    demand.put(zone(zoneKey), load);
    return this;
  }

  public ServiceBuilder zones(String... keys) {
    for (String k : keys) {
      clientZones.add(zone(k));
    }
    return this;
  }

  public Service build() {
    return new Service(
        name, name + ".gslb.example.com", 30, backends, routing, residency, health, guardrails, demand,
        clientZones);
  }

  /** Names of a set, for compact assertions. */
  public static Set<String> names(String csv) {
    return csv.isEmpty() ? Set.of() : Set.of(csv.split(","));
  }
}
