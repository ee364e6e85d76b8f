package dev.tern.policy.yaml;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Discovery;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.validation.Spelling;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Reads one {@code kind: Service} document into a {@link Service}. Only the shape is checked here
 * (keys, types, words, regions); ranges and cross-references are the validator's.
 */
final class ServiceReader {

  static final List<String> SERVICE_KEYS = List.of(
      "kind", "name", "hostname", "ttl", "routing", "clientZones", "backends", "residency",
      "health", "guardrails", "demand", "discovery");
  private static final List<String> DISCOVERY_KEYS = List.of("exclude", "pin", "healthCheck");
  private static final List<String> ROUTING_KEYS = List.of("method", "tolerance", "geo");
  private static final List<String> METHODS = List.of("weighted", "latency", "geo", "failover");
  private static final List<String> BACKEND_KEYS = List.of(
      "name", "cloud", "region", "jurisdiction", "address", "weight", "priority", "capacity",
      "healthCheck");
  private static final List<String> HEALTH_CHECK_KEYS = List.of(
      "kind", "port", "path", "expectStatus", "bodyContains", "host", "caCertificate", "keepAlive",
      "maxBodyBytes", "query", "queryType", "interval", "timeout");
  private static final List<String> HTTP_ONLY_KEYS = List.of(
      "path", "expectStatus", "bodyContains", "host", "keepAlive", "maxBodyBytes");
  private static final List<String> DNS_ONLY_KEYS = List.of("query", "queryType");
  private static final List<String> RESIDENCY_KEYS = List.of("zone", "allow", "whenNoneHealthy");
  private static final List<String> HEALTH_KEYS = List.of(
      "failAfter", "recoverAfter", "quorum", "staleAfter", "failbackDelay");
  private static final List<String> GUARDRAIL_KEYS = List.of(
      "minHealthyBackends", "maxAutoDrainShare", "maxPlanChangesPerMinute");
  private static final List<String> CLOUDS =
      Arrays.stream(Cloud.values()).map(Cloud::key).toList();
  private static final List<String> CHECK_KINDS =
      Arrays.stream(HealthCheck.Kind.values()).map(HealthCheck.Kind::key).toList();
  private static final List<String> WHEN_NONE_HEALTHY =
      Arrays.stream(ResidencyRule.WhenNoneHealthy.values()).map(ResidencyRule.WhenNoneHealthy::key).toList();

  static final int DEFAULT_TTL = 30;
  static final int DEFAULT_WEIGHT = 1;
  static final int DEFAULT_PRIORITY = 1;
  static final int DEFAULT_CAPACITY = 1000;

  private final Conversion c;

  ServiceReader(Conversion conversion) {
    this.c = conversion;
  }

  /** The service, or empty when a part it cannot do without is missing or unreadable. */
  Optional<Service> read(MappingReader doc) {
    Optional<String> name = doc.requiredString("name");
    Optional<String> hostname = doc.requiredString("hostname")
        .map(h -> h.endsWith(".") ? h.substring(0, h.length() - 1) : h);
    int ttl = doc.integer("ttl", DEFAULT_TTL);
    Optional<MappingReader> discoveryBlock = doc.mapping("discovery", DISCOVERY_KEYS);
    Discovery discovery = discoveryBlock.map(this::discovery).orElse(Discovery.DEFAULTS);
    // A service that writes a discovery block may take every backend from its clusters.
    Optional<List<Node>> backendItems = discoveryBlock.isPresent()
        ? doc.sequence("backends")
        : doc.require(doc.required("backends").flatMap(n -> c.sequence(doc.path("backends"), n)));
    List<Backend> backends = backendItems
        .map(items -> backends(doc.path("backends"), items))
        .orElse(List.of());
    Optional<RoutingMethod> routing = doc.require(
        doc.required("routing").flatMap(n -> c.mapping(doc.path("routing"), n, ROUTING_KEYS)))
        .flatMap(this::routing);
    List<ClientZone> clientZones = doc.sequence("clientZones")
        .map(items -> zones(doc.path("clientZones"), items))
        .orElse(List.of());
    List<ResidencyRule> residency = doc.sequence("residency")
        .map(items -> residency(doc.path("residency"), items))
        .orElse(List.of());
    HealthSettings health = doc.mapping("health", HEALTH_KEYS)
        .map(this::health)
        .orElse(HealthSettings.DEFAULTS);
    Guardrails guardrails = doc.mapping("guardrails", GUARDRAIL_KEYS)
        .map(this::guardrails)
        .orElse(Guardrails.DEFAULTS);
    Map<ClientZone, Integer> demand = doc.optional("demand")
        .flatMap(n -> c.mapping(doc.path("demand"), n, zoneKeys(n)))
        .map(this::demand)
        .orElse(Map.of());
    if (name.isEmpty() || hostname.isEmpty() || routing.isEmpty() || c.incomplete()) {
      return Optional.empty();
    }
    return Optional.of(new Service(
        name.get(), hostname.get(), ttl, backends, routing.get(), residency, health, guardrails,
        demand, clientZones, discovery));
  }

  private Discovery discovery(MappingReader m) {
    Set<String> exclude = names(m, "exclude");
    Set<String> pin = names(m, "pin");
    HealthCheck check = m.mapping("healthCheck", HEALTH_CHECK_KEYS)
        .map(this::healthCheck)
        .orElseGet(HealthCheck::defaults);
    return new Discovery(true, exclude, pin, check);
  }

  /** A list of backend names, each a string. */
  private Set<String> names(MappingReader m, String key) {
    Set<String> out = new LinkedHashSet<>();
    m.sequence(key).ifPresent(items -> {
      for (int i = 0; i < items.size(); i++) {
        c.string(m.path(key) + "[" + i + "]", items.get(i)).ifPresent(out::add);
      }
    });
    return out;
  }

  private List<Backend> backends(String path, List<Node> items) {
    List<Backend> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String p = path + "[" + i + "]";
      c.mapping(p, items.get(i), BACKEND_KEYS).ifPresentOrElse(
          m -> backend(m).ifPresentOrElse(out::add, c::markIncomplete),
          c::markIncomplete);
    }
    return out;
  }

  private Optional<Backend> backend(MappingReader m) {
    Optional<String> name = m.requiredString("name");
    Optional<Cloud> cloud = m.require(m.required("cloud")
        .flatMap(n -> c.choice(m.path("cloud"), n, "cloud", CLOUDS, Cloud::fromKey)));
    Optional<Region> region = m.require(m.required("region")
        .flatMap(n -> cloud.flatMap(cl -> region(m.path("region"), n, cl))));
    Optional<Jurisdiction> jurisdiction = m.require(m.required("jurisdiction")
        .flatMap(n -> jurisdiction(m.path("jurisdiction"), n)));
    Optional<String> address = m.requiredString("address");
    int weight = m.integer("weight", DEFAULT_WEIGHT);
    int priority = m.integer("priority", DEFAULT_PRIORITY);
    int capacity = m.integer("capacity", DEFAULT_CAPACITY);
    HealthCheck check = m.mapping("healthCheck", HEALTH_CHECK_KEYS)
        .map(this::healthCheck)
        .orElseGet(HealthCheck::defaults);
    if (name.isEmpty() || region.isEmpty() || jurisdiction.isEmpty() || address.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new Backend(
        name.get(), region.get(), jurisdiction.get(), address.get(), weight, priority, capacity, check));
  }

  private Optional<Region> region(String path, Node node, Cloud cloud) {
    Optional<String> name = c.string(path, node);
    if (name.isEmpty()) {
      return Optional.empty();
    }
    Optional<Region> region = RegionCatalog.find(cloud, name.get());
    if (region.isPresent()) {
      return region;
    }
    Optional<Cloud> elsewhere = Arrays.stream(Cloud.values())
        .filter(other -> RegionCatalog.find(other, name.get()).isPresent())
        .findFirst();
    String hint = Spelling.hint(name.get(), RegionCatalog.names(cloud));
    String advice = elsewhere
        .map(other -> "; " + name.get() + " is a region of " + other.key() + ": fix cloud or region")
        .orElse(hint.isEmpty() ? "; see docs/policy-reference.md for the regions Tern knows" : hint);
    c.error(path, node, "unknown region '" + name.get() + "' for " + cloud.key() + advice);
    return Optional.empty();
  }

  private Optional<Jurisdiction> jurisdiction(String path, Node node) {
    Optional<String> code = c.string(path, node);
    if (code.isPresent() && !Jurisdiction.isValid(code.get())) {
      c.error(path, node, "jurisdiction '" + code.get() + "' must be 2-16 upper-case letters,"
          + " digits or dashes, e.g. EU, US, APAC");
      return Optional.empty();
    }
    return code.map(Jurisdiction::new);
  }

  private HealthCheck healthCheck(MappingReader m) {
    HealthCheck defaults = HealthCheck.defaults();
    HealthCheck.Kind kind = m.optional("kind")
        .flatMap(n -> c.choice(m.path("kind"), n, "health check kind", CHECK_KINDS, HealthCheck.Kind::fromKey))
        .orElse(defaults.kind());
    boolean http = kind == HealthCheck.Kind.HTTP || kind == HealthCheck.Kind.HTTPS;
    HTTP_ONLY_KEYS.forEach(key -> onlyForKinds(m, key, http, "http and https", kind));
    DNS_ONLY_KEYS.forEach(key -> onlyForKinds(m, key, kind == HealthCheck.Kind.DNS, "dns", kind));
    onlyForKinds(m, "caCertificate", kind == HealthCheck.Kind.HTTPS, "https", kind);
    int port = m.integer("port", kind.defaultPort());
    String path = m.string("path").orElse(defaults.path());
    Set<Integer> expectStatus = m.sequence("expectStatus")
        .map(items -> integers(m.path("expectStatus"), items))
        .orElse(defaults.expectedStatus());
    Optional<String> bodyContains = m.string("bodyContains");
    var options = new HealthCheck.HttpOptions(m.string("host"), m.string("caCertificate"),
        m.bool("keepAlive", false), m.integer("maxBodyBytes", HealthCheck.HttpOptions.DEFAULT_MAX_BODY_BYTES));
    Optional<HealthCheck.DnsQuery> dns = Optional.empty();
    if (kind == HealthCheck.Kind.DNS) {
      dns = m.requiredString("query").map(name -> new HealthCheck.DnsQuery(name,
          m.string("queryType").map(t -> t.toUpperCase(Locale.ROOT)).orElse("A")));
    }
    Duration interval = m.duration("interval", defaults.interval());
    Duration timeout = m.duration("timeout", defaults.timeout());
    return new HealthCheck(kind, port, path, expectStatus, bodyContains, options, dns, interval, timeout);
  }

  private static void onlyForKinds(MappingReader m, String key, boolean applies, String kinds,
      HealthCheck.Kind actual) {
    if (!applies) {
      m.optional(key).ifPresent(n -> m.conversion().error(m.path(key), m.keyNode(key),
          "'" + key + "' applies only to " + kinds + " checks, not " + actual.key() + "; remove it"));
    }
  }

  private Set<Integer> integers(String path, List<Node> items) {
    Set<Integer> out = new LinkedHashSet<>();
    for (int i = 0; i < items.size(); i++) {
      c.integer(path + "[" + i + "]", items.get(i)).ifPresent(out::add);
    }
    return out;
  }

  private Optional<RoutingMethod> routing(MappingReader m) {
    Optional<String> method = m.require(m.required("method")
        .flatMap(n -> c.choice(m.path("method"), n, "routing method", METHODS,
            word -> Optional.of(word).filter(METHODS::contains))));
    if (method.isEmpty()) {
      return Optional.empty();
    }
    onlyFor(m, "tolerance", "latency", method.get());
    onlyFor(m, "geo", "geo", method.get());
    return Optional.of(switch (method.get()) {
      case "weighted" -> new RoutingMethod.Weighted();
      case "latency" -> new RoutingMethod.Latency(
          m.duration("tolerance", RoutingMethod.Latency.DEFAULT_TOLERANCE));
      case "geo" -> new RoutingMethod.Geo(m.optional("geo")
          .flatMap(n -> c.mapping(m.path("geo"), n, zoneKeys(n)))
          .map(this::geoMap)
          .orElse(Map.of()));
      default -> new RoutingMethod.Failover();
    });
  }

  /** A key that only one routing method reads is an error under another: it would be ignored. */
  private static void onlyFor(MappingReader m, String key, String method, String actual) {
    if (!actual.equals(method)) {
      m.optional(key).ifPresent(n -> m.conversion().error(m.path(key), m.keyNode(key),
          "'" + key + "' applies only to method " + method + "; remove it or set method: " + method));
    }
  }

  private Map<ClientZone, List<String>> geoMap(MappingReader m) {
    Map<ClientZone, List<String>> out = new LinkedHashMap<>();
    for (String key : m.keys()) {
      Node value = m.optional(key).orElseThrow();
      Optional<ClientZone> zone = c.zone(m.path(key), m.keyNode(key));
      Optional<List<String>> names = c.sequence(m.path(key), value).map(items -> strings(m.path(key), items));
      if (zone.isEmpty() || names.isEmpty()) {
        c.markIncomplete();
      } else {
        out.put(zone.get(), names.get());
      }
    }
    return out;
  }

  private Map<ClientZone, Integer> demand(MappingReader m) {
    Map<ClientZone, Integer> out = new LinkedHashMap<>();
    for (String key : m.keys()) {
      Optional<ClientZone> zone = c.zone(m.path(key), m.keyNode(key));
      Optional<Integer> load = m.optional(key).flatMap(n -> c.integer(m.path(key), n));
      if (zone.isPresent() && load.isPresent()) {
        out.put(zone.get(), load.get());
      }
    }
    return out;
  }

  private List<ResidencyRule> residency(String path, List<Node> items) {
    List<ResidencyRule> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String p = path + "[" + i + "]";
      c.mapping(p, items.get(i), RESIDENCY_KEYS).ifPresentOrElse(
          m -> residencyRule(m).ifPresentOrElse(out::add, c::markIncomplete),
          c::markIncomplete);
    }
    return out;
  }

  private Optional<ResidencyRule> residencyRule(MappingReader m) {
    Optional<ClientZone> zone = m.require(m.required("zone").flatMap(n -> c.zone(m.path("zone"), n)));
    Optional<Set<Jurisdiction>> allow = m.require(m.required("allow")
        .flatMap(n -> c.sequence(m.path("allow"), n))
        .flatMap(items -> jurisdictions(m.path("allow"), items)));
    ResidencyRule.WhenNoneHealthy whenNoneHealthy = m.optional("whenNoneHealthy")
        .flatMap(n -> c.choice(m.path("whenNoneHealthy"), n, "whenNoneHealthy", WHEN_NONE_HEALTHY,
            ResidencyRule.WhenNoneHealthy::fromKey))
        .orElse(ResidencyRule.WhenNoneHealthy.SERVE_UNHEALTHY);
    if (zone.isEmpty() || allow.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ResidencyRule(zone.get(), allow.get(), whenNoneHealthy));
  }

  private Optional<Set<Jurisdiction>> jurisdictions(String path, List<Node> items) {
    Set<Jurisdiction> out = new LinkedHashSet<>();
    boolean complete = true;
    for (int i = 0; i < items.size(); i++) {
      Optional<Jurisdiction> j = jurisdiction(path + "[" + i + "]", items.get(i));
      j.ifPresent(out::add);
      complete &= j.isPresent();
    }
    return complete ? Optional.of(out) : Optional.empty();
  }

  private HealthSettings health(MappingReader m) {
    HealthSettings d = HealthSettings.DEFAULTS;
    return new HealthSettings(
        m.integer("failAfter", d.failAfter()),
        m.integer("recoverAfter", d.recoverAfter()),
        m.integer("quorum", d.quorum()),
        m.duration("staleAfter", d.staleAfter()),
        m.duration("failbackDelay", d.failbackDelay()));
  }

  private Guardrails guardrails(MappingReader m) {
    Guardrails d = Guardrails.DEFAULTS;
    return new Guardrails(
        m.integer("minHealthyBackends", d.minHealthyBackends()),
        m.optional("maxAutoDrainShare")
            .flatMap(n -> c.share(m.path("maxAutoDrainShare"), n))
            .orElse(d.maxAutoDrainShare()),
        m.integer("maxPlanChangesPerMinute", d.maxPlanChangesPerMinute()));
  }

  private List<ClientZone> zones(String path, List<Node> items) {
    List<ClientZone> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      c.zone(path + "[" + i + "]", items.get(i)).ifPresent(out::add);
    }
    return out;
  }

  private List<String> strings(String path, List<Node> items) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      c.string(path + "[" + i + "]", items.get(i)).ifPresentOrElse(out::add, c::markIncomplete);
    }
    return out;
  }

  /**
   * A mapping keyed by client zone takes any key as far as the reader goes; each key is then read
   * as a zone, so an unknown zone gets a zone's did-you-mean rather than an "unknown key".
   */
  private static List<String> zoneKeys(Node node) {
    return MappingReader.scalarKeys(node);
  }
}
