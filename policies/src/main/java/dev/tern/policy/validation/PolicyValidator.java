package dev.tern.policy.validation;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The semantic rules of a policy, checked on the model whatever it was built from (YAML, the REST
 * API, code). Every problem is reported, never only the first; violations carry a path and no
 * source position.
 *
 * <p>The rules, by section (paths relative to {@code services.<name>}):
 *
 * <table>
 *   <caption>Validation rules</caption>
 *   <tr><th>path</th><th>rule</th></tr>
 *   <tr><td>name, backends[i].name</td><td>lower-case DNS label; unique in the policy, or in the
 *       service</td></tr>
 *   <tr><td>hostname</td><td>DNS name, unique in the policy ignoring case and a trailing dot</td></tr>
 *   <tr><td>ttl</td><td>1..86400</td></tr>
 *   <tr><td>backends</td><td>at least one; at least one with weight above 0</td></tr>
 *   <tr><td>backends[i]</td><td>region in the catalog; jurisdiction EU only in an EU/EEA country;
 *       address an IP or DNS name, not a {@link ReservedAddresses reserved} one; weight 0..1000, priority 1..100, capacity 1..10^9; health
 *       check ranges, timeout below interval</td></tr>
 *   <tr><td>routing</td><td>latency tolerance 0..10s; geo map with {@code default}, naming
 *       existing backends once per list, none a residency rule forbids; failover tiers without
 *       gaps</td></tr>
 *   <tr><td>residency[i]</td><td>one rule per zone; allows at least one jurisdiction some backend
 *       is in; nested rules and geo fallback leave some backend to answer</td></tr>
 *   <tr><td>health, guardrails, demand</td><td>ranges; quorum at least 2; minHealthyBackends at
 *       most the number of backends</td></tr>
 * </table>
 */
public final class PolicyValidator {

  private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}");
  private static final int MAX_BODY_BYTES = 1024 * 1024;
  private static final List<String> DNS_QUERY_TYPES =
      List.of("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?");
  private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9.]+");

  /** Every rule over the whole policy: each service, and what must be unique across services. */
  public List<Violation> validate(Policy policy) {
    List<Violation> out = new ArrayList<>();
    if (policy.services().isEmpty()) {
      out.add(Violation.at("services", "a policy needs at least one service"));
    }
    Set<String> names = new HashSet<>();
    Map<String, String> hostnames = new HashMap<>();
    for (Service s : policy.services()) {
      String p = servicePath(s);
      if (!names.add(s.name())) {
        out.add(Violation.at(p + ".name", duplicateServiceName(s.name())));
      }
      String owner = hostnames.putIfAbsent(hostnameKey(s.hostname()), s.name());
      if (owner != null) {
        out.add(Violation.at(p + ".hostname", duplicateHostname(s.hostname(), owner)));
      }
    }
    policy.services().forEach(s -> out.addAll(validate(s)));
    return out;
  }

  /**
   * Every rule within one service. Rules that span services (unique names and hostnames) are
   * checked by {@link #validate(Policy)}.
   */
  public List<Violation> validate(Service service) {
    Report r = new Report(servicePath(service));
    checkService(service, r);
    for (int i = 0; i < service.backends().size(); i++) {
      checkBackend(service.backends().get(i), "backends[" + i + "]", r);
    }
    checkBackendSet(service, r);
    checkRouting(service, r);
    checkResidency(service, r);
    checkHealth(service.health(), r);
    checkGuardrails(service, r);
    service.demand().forEach((zone, load) -> {
      if (load < 0) {
        r.add("demand." + zone.key(), "demand must be >= 0, got " + load);
      }
    });
    return r.violations;
  }

  /** The message for a service name used twice, shared with the YAML parser. */
  public static String duplicateServiceName(String name) {
    return "service name '" + name + "' is already used by another service; service names must be"
        + " unique across the policy";
  }

  /** The message for a hostname used twice, shared with the YAML parser. */
  public static String duplicateHostname(String hostname, String owner) {
    return "hostname '" + hostname + "' is already used by service '" + owner + "'; each service"
        + " needs its own hostname";
  }

  /** Hostnames compare without case and without a trailing dot. */
  public static String hostnameKey(String hostname) {
    String h = hostname.endsWith(".") ? hostname.substring(0, hostname.length() - 1) : hostname;
    return h.toLowerCase(Locale.ROOT);
  }

  private static String servicePath(Service s) {
    return "services." + s.name();
  }

  private static void checkService(Service s, Report r) {
    if (!NAME.matcher(s.name()).matches()) {
      r.add("name", "service name '" + s.name() + "' " + NAME_RULE);
    }
    if (!isDnsName(s.hostname())) {
      r.add("hostname", "hostname '" + s.hostname() + "' is not a valid DNS name: " + DNS_RULE);
    }
    if (s.ttl() < 1 || s.ttl() > 86_400) {
      r.add("ttl", "ttl must be between 1 and 86400 seconds, got " + s.ttl());
    }
  }

  private static final String NAME_RULE =
      "must be 1-63 lower-case letters, digits or hyphens, starting and ending with a letter or"
          + " digit, e.g. shop-fra";
  private static final String DNS_RULE =
      "labels of 1-63 letters, digits or hyphens (not at either end), separated by dots, 253"
          + " characters at most";

  private static void checkBackend(Backend b, String p, Report r) {
    if (!NAME.matcher(b.name()).matches()) {
      r.add(p + ".name", "backend name '" + b.name() + "' " + NAME_RULE);
    }
    if (!RegionCatalog.find(b.region().cloud(), b.region().name()).equals(Optional.of(b.region()))) {
      r.add(p + ".region", "region " + b.region().key() + " is not in Tern's region catalog;"
          + " see docs/policy-reference.md for the supported regions");
    }
    if (b.jurisdiction().equals(Jurisdiction.EU) && !b.region().inEuEea()) {
      r.add(p + ".jurisdiction", "region " + b.region().key() + " is in " + b.region().country()
          + ", outside the EU/EEA; a backend there cannot be in jurisdiction EU");
    }
    if (!isAddress(b.address())) {
      r.add(p + ".address", "address '" + b.address() + "' is neither an IPv4 or IPv6 address"
          + " nor a DNS hostname");
    }
    ReservedAddresses.refusal(b.address()).ifPresent(why -> r.add(p + ".address", "address '"
        + b.address() + "' is " + why + "; no backend can be there, and no probe checks it"));
    range(r, p + ".weight", "weight", b.weight(), 0, 1000);
    range(r, p + ".priority", "priority", b.priority(), 1, 100);
    range(r, p + ".capacity", "capacity", b.capacity(), 1, 1_000_000_000);
    checkHealthCheck(b.healthCheck(), p + ".healthCheck", r);
  }

  private static void checkHealthCheck(HealthCheck h, String p, Report r) {
    if (h.kind() == HealthCheck.Kind.TCP && h.port() == 0) {
      r.add(p + ".port", "a tcp health check needs a port: set port to the one the backend"
          + " listens on");
    } else {
      range(r, p + ".port", "port", h.port(), 1, 65_535);
    }
    if (h.kind() == HealthCheck.Kind.HTTP || h.kind() == HealthCheck.Kind.HTTPS) {
      checkHttpOptions(h, p, r);
      if (!h.path().startsWith("/")) {
        r.add(p + ".path", "path must start with '/', e.g. /" + h.path());
      }
      if (h.expectedStatus().isEmpty()) {
        r.add(p + ".expectStatus", "expectStatus must list at least one HTTP status, e.g. [200]");
      }
      new TreeSet<>(h.expectedStatus()).forEach(status -> {
        if (status < 100 || status > 599) {
          r.add(p + ".expectStatus", "HTTP status " + status + " is not a status code;"
              + " each must be between 100 and 599");
        }
      });
    }
    h.dns().ifPresent(q -> {
      if (!isDnsName(q.name())) {
        r.add(p + ".query", "query '" + q.name() + "' is not a valid DNS name: " + DNS_RULE);
      }
      if (!DNS_QUERY_TYPES.contains(q.type())) {
        r.add(p + ".queryType", "queryType '" + q.type() + "' is not one Tern asks; use one of " + DNS_QUERY_TYPES);
      }
    });
    durationRange(r, p + ".interval", "interval", h.interval(), Duration.ofSeconds(1), Duration.ofSeconds(300));
    durationRange(r, p + ".timeout", "timeout", h.timeout(), Duration.ofMillis(100), Duration.ofSeconds(60));
    if (h.timeout().compareTo(h.interval()) >= 0) {
      r.add(p + ".timeout", "timeout (" + format(h.timeout()) + ") must be shorter than interval ("
          + format(h.interval()) + "), or checks would overlap; lower timeout or raise interval");
    }
  }

  private static void checkHttpOptions(HealthCheck h, String p, Report r) {
    var o = h.http();
    o.host().ifPresent(host -> {
      int colon = host.lastIndexOf(':');
      boolean withPort = colon > 0 && !host.startsWith("[") && host.indexOf(':') == colon;
      String name = withPort ? host.substring(0, colon) : host;
      boolean portOk = !withPort || PORT.matcher(host.substring(colon + 1)).matches();
      if (!portOk || !isAddress(name.startsWith("[") && name.endsWith("]") ? name.substring(1, name.length() - 1) : name)) {
        r.add(p + ".host", "host '" + host + "' must be a DNS name or an IP address, optionally with :port,"
            + " e.g. shop.example.com");
      }
    });
    range(r, p + ".maxBodyBytes", "maxBodyBytes", o.maxBodyBytes(), 1, MAX_BODY_BYTES);
    o.caCertificate().ifPresent(pem -> {
      Optional<String> problem = CaCertificates.problem(pem);
      problem.ifPresent(why -> r.add(p + ".caCertificate", "caCertificate must be PEM CA certificates"
          + " (-----BEGIN CERTIFICATE----- ...): " + why));
    });
  }

  private static void checkBackendSet(Service s, Report r) {
    if (s.backends().isEmpty()) {
      if (!s.discovery().declared()) {
        r.add("backends", "a service needs at least one backend (or a discovery block, to take its backends"
            + " from Kubernetes)");
      }
      return;
    }
    Map<String, Integer> firstIndex = new HashMap<>();
    for (int i = 0; i < s.backends().size(); i++) {
      String name = s.backends().get(i).name();
      Integer first = firstIndex.putIfAbsent(name, i);
      if (first != null) {
        r.add("backends[" + i + "].name", "backend name '" + name + "' is already used by backends["
            + first + "]; backend names must be unique within a service");
      }
    }
    if (s.backends().stream().allMatch(b -> b.weight() == 0)) {
      r.add("backends", "at least one backend needs a weight above 0");
    }
  }

  private static void checkRouting(Service s, Report r) {
    switch (s.routing()) {
      case RoutingMethod.Latency l ->
          durationRange(r, "routing.tolerance", "tolerance", l.tolerance(), Duration.ZERO, Duration.ofSeconds(10));
      case RoutingMethod.Geo g -> checkGeo(s, g, r);
      case RoutingMethod.Failover _ -> checkFailoverTiers(s, r);
      case RoutingMethod.Weighted _ -> { }
    }
  }

  private static void checkGeo(Service s, RoutingMethod.Geo geo, Report r) {
    if (!geo.map().containsKey(ClientZone.DEFAULT)) {
      r.add("routing.geo", "the geo map has no 'default' list; add one, e.g. default: ["
          + s.backends().stream().map(Backend::name).findFirst().orElse("backend-name")
          + "], so clients outside every listed zone are answered");
    }
    List<String> names = s.backends().stream().map(Backend::name).toList();
    geo.map().forEach((zone, list) -> {
      String p = "routing.geo." + zone.key();
      if (list.isEmpty()) {
        r.add(p, "the geo list for " + zone.key() + " is empty; name at least one backend");
      }
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < list.size(); i++) {
        String name = list.get(i);
        String at = p + "[" + i + "]";
        if (!seen.add(name)) {
          r.add(at, "backend '" + name + "' is listed twice for " + zone.key() + "; list each"
              + " backend once");
          continue;
        }
        Optional<Backend> backend = s.backend(name);
        if (backend.isEmpty()) {
          r.add(at, "service '" + s.name() + "' has no backend '" + name + "'"
              + Spelling.hint(name, names) + " (backends: " + String.join(", ", names) + ")");
          continue;
        }
        for (ResidencyRule rule : binding(s, zone)) {
          Jurisdiction j = backend.get().jurisdiction();
          if (!rule.allowed().contains(j)) {
            r.add(at, "backend '" + name + "' is in jurisdiction " + j + ", but the residency rule"
                + " for " + rule.zone().key() + " allows only " + sorted(rule.allowed())
                + " for clients in " + zone.key() + ", so this entry could never be answered;"
                + " remove it from the list");
          }
        }
      }
    });
  }

  private static void checkFailoverTiers(Service s, Report r) {
    Set<Integer> tiers = s.backends().stream().map(Backend::priority).collect(Collectors.toSet());
    int highest = tiers.stream().max(Integer::compare).orElse(0);
    int tier = 1;
    while (tier < highest) {
      if (tiers.contains(tier)) {
        tier++;
        continue;
      }
      int gapStart = tier;
      while (!tiers.contains(tier)) {
        tier++;
      }
      int next = tier;
      String missing = gapStart == next - 1
          ? "priority " + gapStart
          : "priorities " + gapStart + " to " + (next - 1);
      r.add("backends[" + firstWithPriority(s, next) + "].priority", "failover tiers must be "
          + tierList(highest) + " without gaps; no backend has " + missing);
    }
  }

  private static int firstWithPriority(Service s, int priority) {
    for (int i = 0; i < s.backends().size(); i++) {
      if (s.backends().get(i).priority() == priority) {
        return i;
      }
    }
    throw new IllegalArgumentException("no backend has priority " + priority);
  }

  private static String tierList(int highest) {
    if (highest > 4) {
      return "1, 2, 3, ..., " + highest;
    }
    List<String> tiers = new ArrayList<>();
    for (int i = 1; i <= highest; i++) {
      tiers.add(Integer.toString(i));
    }
    return String.join(", ", tiers);
  }

  private static void checkResidency(Service s, Report r) {
    Map<ClientZone, Integer> firstRule = new HashMap<>();
    for (int i = 0; i < s.residency().size(); i++) {
      ResidencyRule rule = s.residency().get(i);
      String p = "residency[" + i + "]";
      String zone = rule.zone().key();
      Integer first = firstRule.putIfAbsent(rule.zone(), i);
      if (first != null) {
        r.add(p + ".zone", "zone " + zone + " already has a residency rule (residency[" + first
            + "]); merge the two rules into one");
        continue;
      }
      if (rule.allowed().isEmpty()) {
        r.add(p + ".allow", "a residency rule must allow at least one jurisdiction, e.g. allow: [EU]");
        continue;
      }
      if (s.backends().stream().noneMatch(b -> rule.allowed().contains(b.jurisdiction()))) {
        r.add(p + ".allow", "residency for " + zone + " allows only " + sorted(rule.allowed())
            + ", but no backend of service '" + s.name() + "' is in those jurisdictions, so"
            + " clients in " + zone + " could never be answered; add a backend there or widen"
            + " allow");
        continue;
      }
      List<ResidencyRule> binding = binding(s, rule.zone());
      if (binding.size() > 1 && s.backends().stream().noneMatch(b -> allowedByAll(binding, b))) {
        r.add(p + ".zone", "clients in " + zone + " are bound by the residency rules for "
            + binding.stream().map(ResidencyRule::zone).sorted().map(ClientZone::key)
                .collect(Collectors.joining(" and "))
            + " together, and no backend is in a jurisdiction all of them allow; add such a"
            + " backend or loosen one of the rules");
        continue;
      }
      if (s.routing() instanceof RoutingMethod.Geo geo && !geo.map().containsKey(rule.zone())) {
        checkGeoFallback(s, geo, rule, binding, p, r);
      }
    }
  }

  /** A residency zone without its own geo list is answered from the list of a zone above it. */
  private static void checkGeoFallback(
      Service s, RoutingMethod.Geo geo, ResidencyRule rule, List<ResidencyRule> binding, String p, Report r) {
    for (ClientZone above : rule.zone().lineage()) {
      List<String> list = geo.map().get(above);
      if (list != null) {
        boolean answerable = list.stream()
            .map(s::backend)
            .flatMap(Optional::stream)
            .anyMatch(b -> allowedByAll(binding, b));
        if (!answerable) {
          r.add(p + ".zone", "clients in " + rule.zone().key() + " have no geo list of their own and"
              + " fall back to routing.geo." + above.key() + " " + list + ", which names no backend"
              + " residency allows them (" + sorted(rule.allowed()) + "); add a geo list for "
              + rule.zone().key());
        }
        return;
      }
    }
  }

  /** The rules binding clients of {@code zone}; of two rules on one zone only the first counts. */
  private static List<ResidencyRule> binding(Service s, ClientZone zone) {
    Set<ClientZone> seen = new HashSet<>();
    return s.residencyFor(zone).stream().filter(rule -> seen.add(rule.zone())).toList();
  }

  private static boolean allowedByAll(List<ResidencyRule> rules, Backend b) {
    return rules.stream().allMatch(rule -> rule.allowed().contains(b.jurisdiction()));
  }

  private static void checkHealth(HealthSettings h, Report r) {
    range(r, "health.failAfter", "failAfter", h.failAfter(), 1, 100);
    range(r, "health.recoverAfter", "recoverAfter", h.recoverAfter(), 1, 100);
    if (h.quorum() < 2) {
      r.add("health.quorum", "quorum must be at least 2: one vantage point alone never fails a"
          + " backend over");
    } else {
      range(r, "health.quorum", "quorum", h.quorum(), 2, 50);
    }
    durationRange(r, "health.staleAfter", "staleAfter", h.staleAfter(), Duration.ofSeconds(1), Duration.ofHours(1));
    durationRange(r, "health.failbackDelay", "failbackDelay", h.failbackDelay(), Duration.ZERO, Duration.ofHours(24));
  }

  private static void checkGuardrails(Service s, Report r) {
    Guardrails g = s.guardrails();
    int backends = s.backends().size();
    if (g.minHealthyBackends() < 0) {
      r.add("guardrails.minHealthyBackends", "minHealthyBackends must be >= 0, got "
          + g.minHealthyBackends());
    } else if (g.minHealthyBackends() > backends) {
      r.add("guardrails.minHealthyBackends", "minHealthyBackends is " + g.minHealthyBackends()
          + " but service '" + s.name() + "' has only " + backends + " backend"
          + (backends == 1 ? "" : "s") + "; set it to at most " + backends);
    }
    if (!(g.maxAutoDrainShare() >= 0 && g.maxAutoDrainShare() <= 1)) {
      r.add("guardrails.maxAutoDrainShare", "maxAutoDrainShare must be between 0% and 100%, got "
          + percent(g.maxAutoDrainShare()));
    }
    range(r, "guardrails.maxPlanChangesPerMinute", "maxPlanChangesPerMinute",
        g.maxPlanChangesPerMinute(), 1, 600);
  }

  private static void range(Report r, String path, String field, int value, int min, int max) {
    if (value < min || value > max) {
      r.add(path, field + " must be between " + min + " and " + max + ", got " + value);
    }
  }

  private static void durationRange(
      Report r, String path, String field, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      r.add(path, field + " must be between " + format(min) + " and " + format(max) + ", got "
          + format(value));
    }
  }

  /** A duration as policy YAML writes it, in the largest unit that keeps it whole. */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms != 0 && ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms != 0 && ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }

  private static String percent(double share) {
    return Math.round(share * 10_000) / 100.0 + "%";
  }

  private static String sorted(Set<Jurisdiction> jurisdictions) {
    return new TreeSet<>(jurisdictions.stream().map(Jurisdiction::code).toList()).toString();
  }

  private static boolean isDnsName(String name) {
    String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    if (n.isEmpty() || n.length() > 253) {
      return false;
    }
    for (String label : n.split("\\.", -1)) {
      if (!LABEL.matcher(label).matches()) {
        return false;
      }
    }
    return true;
  }

  private static boolean isAddress(String address) {
    if (Cidr.parseAddress(address).isPresent()) {
      return true;
    }
    // 300.1.2.3 is a mistyped IPv4 address, not a hostname.
    return !DOTTED_NUMBERS.matcher(address).matches() && isDnsName(address);
  }

  /** Collects violations under one service's path. */
  private static final class Report {
    private final String prefix;
    private final List<Violation> violations = new ArrayList<>();

    Report(String prefix) {
      this.prefix = prefix;
    }

    void add(String relativePath, String message) {
      violations.add(Violation.at(prefix + "." + relativePath, message));
    }
  }
}
