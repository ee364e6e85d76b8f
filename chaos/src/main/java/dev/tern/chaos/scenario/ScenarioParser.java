package dev.tern.chaos.scenario;

import dev.tern.chaos.schedule.Cron;
import dev.tern.chaos.schedule.Schedule;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.validation.Violation;
import dev.tern.policy.yaml.Conversion;
import dev.tern.policy.yaml.MappingReader;
import dev.tern.policy.yaml.YamlDocuments;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a scenario file: one or more YAML documents of {@code kind: ChaosScenario}, validated like
 * policies, with every problem at its path ({@code scenarios.NAME.fault.latency}) and line. Never
 * throws on any input. The keys are documented in docs/chaos.md.
 */
public final class ScenarioParser {

  /** How long a fault may last: long enough for a failback, short enough that nobody forgets one. */
  public static final Duration MAX_DURATION = Duration.ofHours(1);

  static final List<String> KEYS = List.of(
      "kind", "name", "hypothesis", "targets", "fault", "duration", "injector", "expect", "stopWhen", "schedule",
      "killLeaderAfter");
  static final List<String> TARGET_KEYS = List.of("backends", "regions", "clouds", "selector", "blastRadius");
  static final List<String> SELECTOR_KEYS = List.of("service", "jurisdiction", "cloud", "answering");
  static final List<String> BLAST_KEYS = List.of("maxBackends", "maxCapacity");
  static final List<String> FAULT_KINDS = List.of(
      "outage", "latency", "errors", "flap", "probe-partition", "provider-api-failure", "leader-kill");
  static final List<String> FAULT_KEYS = List.of("kind", "latency", "rate", "period", "vantage", "provider");
  static final List<String> EXPECT_KEYS = List.of("failoverWithin", "noFailover", "noTrafficToTargetsAfter",
      "pageWithin", "pageResolvedAfterHeal", "failbackWithin", "recoveredWithin", "maxPlanChanges", "maxPages",
      "syncedWithin");
  static final List<String> STOP_KEYS =
      List.of("otherServiceUnhealthy", "nonTargetRegionDegraded", "maxBurnRate", "slo", "burnWindow");
  static final List<String> SCHEDULE_KEYS = List.of("cron", "timeZone", "concurrency", "exclude", "paused");
  static final List<String> WINDOW_KEYS = List.of("from", "to");
  static final List<String> PROVIDERS = List.of("route53", "global-accelerator", "azure-traffic-manager", "cloud-dns");
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern BACKEND = Pattern.compile("[a-z0-9][a-z0-9-]*/[a-z0-9][a-z0-9-]*");

  /** Parses every scenario in {@code yamlText}; the result holds them all or every violation. */
  public ParsedScenarios parse(String yamlText) {
    YamlDocuments.Composed composed = YamlDocuments.compose(yamlText, "scenario file");
    if (composed instanceof YamlDocuments.Refused refused) {
      return ParsedScenarios.invalid(List.of(refused.violation()));
    }
    List<Node> documents = ((YamlDocuments.Documents) composed).nodes();
    List<Violation> violations = new ArrayList<>();
    List<Scenario> scenarios = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < documents.size(); i++) {
      Node root = documents.get(i);
      if (root instanceof ScalarNode s && s.getTag().equals(Tag.NULL)) {
        continue;
      }
      Conversion c = new Conversion(root);
      String documentPath = "documents[" + i + "]";
      if (!(root instanceof MappingNode mapping)) {
        c.error(documentPath, root, "a scenario document must be a mapping that starts with kind: ChaosScenario, got "
            + Conversion.describe(root));
        violations.addAll(c.violations());
        continue;
      }
      String path = scalar(mapping, "name").map(n -> "scenarios." + n).orElse(documentPath);
      MappingReader doc = new MappingReader(c, path, mapping, KEYS);
      Optional<Scenario> scenario = new Reading(c).scenario(doc);
      scenario.ifPresent(s -> {
        if (!names.add(s.name())) {
          c.error(doc.path("name"), doc.optional("name").orElseThrow(),
              "a scenario named " + s.name() + " appears twice in this file; names must be unique");
        }
      });
      if (c.violations().isEmpty() && !c.incomplete()) {
        scenario.ifPresent(scenarios::add);
      }
      violations.addAll(c.violations());
    }
    if (scenarios.isEmpty() && violations.isEmpty()) {
      violations.add(Violation.at("", "the file has no scenario; add a document with kind: ChaosScenario"));
    }
    if (!violations.isEmpty()) {
      violations.sort(Comparator.comparingInt(Violation::line).thenComparingInt(Violation::column));
      return ParsedScenarios.invalid(violations);
    }
    return ParsedScenarios.valid(scenarios);
  }

  private static Optional<String> scalar(MappingNode mapping, String key) {
    return mapping.getValue().stream()
        .filter(t -> t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key))
        .map(t -> t.getValueNode())
        .filter(n -> n instanceof ScalarNode s && !s.getTag().equals(Tag.NULL))
        .map(n -> ((ScalarNode) n).getValue())
        .findFirst();
  }

  /** One document's reading: the conversion that collects its violations. */
  private record Reading(Conversion c) {

    Optional<Scenario> scenario(MappingReader doc) {
      doc.requiredString("kind").ifPresent(kind -> {
        if (!kind.equals("ChaosScenario")) {
          c.error(doc.path("kind"), doc.optional("kind").orElseThrow(),
              "unknown kind '" + kind + "'; a scenario file holds kind: ChaosScenario documents");
        }
      });
      Optional<String> name = doc.requiredString("name").filter(n -> {
        if (!NAME.matcher(n).matches()) {
          c.error(doc.path("name"), doc.optional("name").orElseThrow(),
              "a scenario name is lowercase letters, digits and '-', up to 63 characters; got '" + n + "'");
          return false;
        }
        return true;
      });
      Optional<String> hypothesis = doc.requiredString("hypothesis");
      Optional<Targets> targets = doc.require(doc.mapping("targets", TARGET_KEYS).flatMap(this::targets));
      Optional<Fault> fault = doc.require(doc.mapping("fault", FAULT_KEYS).flatMap(this::fault));
      Optional<Duration> duration = doc.require(doc.required("duration")
          .flatMap(n -> c.duration(doc.path("duration"), n))
          .filter(d -> within(doc, "duration", d, Duration.ofSeconds(1), MAX_DURATION)));
      Optional<Injector> injector = doc.require(doc.required("injector")
          .flatMap(n -> c.choice(doc.path("injector"), n, "injector", Injector.keys(), Injector::parse)));
      Expectations expect = doc.mapping("expect", EXPECT_KEYS).map(this::expectations).orElse(
          new Expectations(Optional.empty(), false, Optional.empty(), Optional.empty(), false, Optional.empty(),
              Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), Optional.empty()));
      StopConditions stop = doc.mapping("stopWhen", STOP_KEYS).map(this::stopConditions).orElse(StopConditions.DEFAULTS);
      Optional<Schedule> schedule = doc.mapping("schedule", SCHEDULE_KEYS).flatMap(this::schedule);
      Optional<Duration> killLeaderAfter = doc.optional("killLeaderAfter")
          .flatMap(n -> c.duration(doc.path("killLeaderAfter"), n));
      if (killLeaderAfter.isPresent()) {
        if (duration.isPresent() && killLeaderAfter.get().compareTo(duration.get()) >= 0) {
          c.error(doc.path("killLeaderAfter"), doc.optional("killLeaderAfter").orElseThrow(),
              "killLeaderAfter must come before the fault is reverted: less than the duration");
        }
        if (injector.isPresent() && injector.get() != Injector.DEMO) {
          c.error(doc.path("killLeaderAfter"), doc.optional("killLeaderAfter").orElseThrow(),
              "only the demo injector can kill the leader; the " + injector.get().key() + " injector cannot");
        }
      }

      if (injector.isPresent() && fault.isPresent() && !injector.get().canInject(fault.get())) {
        c.error(doc.path("injector"), doc.optional("injector").orElseThrow(), "the " + injector.get().key()
            + " injector cannot inject " + fault.get().kind() + "; it injects " + String.join(", ", injector.get().faults()));
      }
      if (targets.isPresent() && fault.isPresent()) {
        boolean needsTargets = !(fault.get() instanceof Fault.LeaderKill || fault.get() instanceof Fault.ProviderApiFailure);
        if (needsTargets && targets.get().isEmpty()) {
          c.error(doc.path("targets"), doc.optional("targets").orElseThrow(),
              "name at least one of backends, regions, clouds or a selector: a " + fault.get().kind() + " needs targets");
        }
      }
      if (fault.isPresent() && fault.get() instanceof Fault.ProbePartition && (expect.failoverWithin().isPresent())) {
        c.error(doc.path("expect.failoverWithin"), doc.optional("expect").orElseThrow(),
            "a partitioned vantage alone must not move traffic (quorum); expect noFailover: true instead");
      }
      if (expect.noFailover() && (expect.failoverWithin().isPresent() || expect.noTrafficToTargetsAfter().isPresent())) {
        c.error(doc.path("expect.noFailover"), doc.optional("expect").orElseThrow(),
            "noFailover contradicts failoverWithin and noTrafficToTargetsAfter; keep one side");
      }
      if (name.isEmpty() || hypothesis.isEmpty() || targets.isEmpty() || fault.isEmpty() || duration.isEmpty()
          || injector.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new Scenario(name.get(), hypothesis.get(), targets.get(), fault.get(), duration.get(),
          injector.get(), expect, stop, schedule, killLeaderAfter));
    }

    private boolean within(MappingReader m, String key, Duration d, Duration min, Duration max) {
      if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
        c.error(m.path(key), m.optional(key).orElseThrow(), key + " must be between " + words(min) + " and " + words(max)
            + ", got " + words(d));
        return false;
      }
      return true;
    }

    private Optional<Targets> targets(MappingReader m) {
      List<String> backends = new ArrayList<>();
      List<Node> backendNodes = m.sequence("backends").orElse(List.of());
      for (int i = 0; i < backendNodes.size(); i++) {
        String path = m.path("backends") + "[" + i + "]";
        Node node = backendNodes.get(i);
        c.string(path, node).ifPresent(b -> {
          if (BACKEND.matcher(b).matches()) {
            backends.add(b);
          } else {
            c.error(path, node, "a backend target is service/backend, e.g. shop/aws-frankfurt; got '" + b + "'");
          }
        });
      }
      List<Region> regions = new ArrayList<>();
      List<Node> regionNodes = m.sequence("regions").orElse(List.of());
      for (int i = 0; i < regionNodes.size(); i++) {
        String path = m.path("regions") + "[" + i + "]";
        Node node = regionNodes.get(i);
        c.string(path, node).ifPresent(r -> Region.parse(r).ifPresentOrElse(regions::add,
            () -> c.error(path, node, "unknown region '" + r + "'; write cloud:region, e.g. aws:eu-central-1")));
      }
      List<Cloud> clouds = new ArrayList<>();
      List<Node> cloudNodes = m.sequence("clouds").orElse(List.of());
      for (int i = 0; i < cloudNodes.size(); i++) {
        c.choice(m.path("clouds") + "[" + i + "]", cloudNodes.get(i), "cloud", cloudKeys(), Cloud::fromKey)
            .ifPresent(clouds::add);
      }
      Optional<Targets.Selector> selector = m.mapping("selector", SELECTOR_KEYS).flatMap(s -> {
        Optional<String> service = s.requiredString("service");
        Optional<String> jurisdiction = s.string("jurisdiction").filter(j -> {
          if (!Jurisdiction.isValid(j)) {
            c.error(s.path("jurisdiction"), s.optional("jurisdiction").orElseThrow(), "unknown jurisdiction '" + j + "'");
            return false;
          }
          return true;
        });
        Optional<Cloud> cloud = s.optional("cloud").flatMap(n -> c.choice(s.path("cloud"), n, "cloud", cloudKeys(), Cloud::fromKey));
        Optional<String> answering = s.string("answering");
        return service.map(name -> new Targets.Selector(name, jurisdiction, cloud, answering));
      });
      Targets.BlastRadius radius = m.mapping("blastRadius", BLAST_KEYS).map(b -> {
        OptionalInt maxBackends = b.optional("maxBackends").flatMap(n -> c.integer(b.path("maxBackends"), n))
            .filter(n -> positive(b, "maxBackends", n)).map(OptionalInt::of).orElse(OptionalInt.empty());
        OptionalDouble maxCapacity = b.optional("maxCapacity").flatMap(n -> c.share(b.path("maxCapacity"), n))
            .filter(v -> {
              if (v <= 0 || v > 1) {
                c.error(b.path("maxCapacity"), b.optional("maxCapacity").orElseThrow(),
                    "maxCapacity is a share of the service's capacity above 0% and at most 100%");
                return false;
              }
              return true;
            }).map(v -> OptionalDouble.of(v * 100)).orElse(OptionalDouble.empty());
        return new Targets.BlastRadius(maxBackends, maxCapacity);
      }).orElse(Targets.BlastRadius.UNLIMITED);
      return Optional.of(new Targets(backends, regions, clouds, selector, radius));
    }

    private Optional<Fault> fault(MappingReader m) {
      Optional<String> kind = m.require(m.required("kind")
          .flatMap(n -> c.choice(m.path("kind"), n, "fault", FAULT_KINDS, k -> Optional.of(k).filter(FAULT_KINDS::contains))));
      if (kind.isEmpty()) {
        return Optional.empty();
      }
      List<String> allowed = switch (kind.get()) {
        case "latency" -> List.of("kind", "latency");
        case "errors" -> List.of("kind", "rate");
        case "flap" -> List.of("kind", "period");
        case "probe-partition" -> List.of("kind", "vantage");
        case "provider-api-failure" -> List.of("kind", "provider");
        default -> List.of("kind");
      };
      for (String key : m.keys()) {
        if (!allowed.contains(key)) {
          c.error(m.path(key), m.keyNode(key), "'" + key + "' does not apply to a " + kind.get() + " fault"
              + (allowed.size() > 1 ? "; it takes " + String.join(", ", allowed.subList(1, allowed.size())) : ""));
        }
      }
      return switch (kind.get()) {
        case "outage" -> Optional.of(new Fault.Outage());
        case "leader-kill" -> Optional.of(new Fault.LeaderKill());
        case "latency" -> m.require(m.required("latency").flatMap(n -> c.duration(m.path("latency"), n))
            .filter(d -> within(m, "latency", d, Duration.ofMillis(1), Duration.ofMinutes(1)))).map(Fault.AddedLatency::new);
        case "errors" -> m.require(m.required("rate").flatMap(n -> c.share(m.path("rate"), n)).filter(r -> {
          if (r <= 0 || r > 1) {
            c.error(m.path("rate"), m.optional("rate").orElseThrow(), "rate is a share above 0% and at most 100%");
            return false;
          }
          return true;
        })).map(Fault.ErrorRate::new);
        case "flap" -> m.require(m.required("period").flatMap(n -> c.duration(m.path("period"), n))
            .filter(d -> within(m, "period", d, Duration.ofMillis(500), Duration.ofMinutes(10)))).map(Fault.Flap::new);
        case "probe-partition" -> m.require(m.requiredString("vantage").flatMap(v -> Region.parse(v).or(() -> {
          c.error(m.path("vantage"), m.optional("vantage").orElseThrow(),
              "unknown region '" + v + "'; write cloud:region, e.g. aws:us-east-1");
          return Optional.empty();
        }))).map(Fault.ProbePartition::new);
        case "provider-api-failure" -> m.require(m.required("provider")
            .flatMap(n -> c.choice(m.path("provider"), n, "provider", PROVIDERS, p -> Optional.of(p).filter(PROVIDERS::contains))))
            .map(Fault.ProviderApiFailure::new);
        default -> Optional.empty();
      };
    }

    private Expectations expectations(MappingReader m) {
      return new Expectations(
          positiveDuration(m, "failoverWithin"),
          m.bool("noFailover", false),
          positiveDuration(m, "noTrafficToTargetsAfter"),
          positiveDuration(m, "pageWithin"),
          m.bool("pageResolvedAfterHeal", false),
          positiveDuration(m, "failbackWithin"),
          positiveDuration(m, "recoveredWithin"),
          m.optional("maxPlanChanges").flatMap(n -> c.integer(m.path("maxPlanChanges"), n))
              .filter(n -> {
                if (n < 0) {
                  c.error(m.path("maxPlanChanges"), m.optional("maxPlanChanges").orElseThrow(),
                      "maxPlanChanges must be 0 or more, got " + n);
                }
                return n >= 0;
              }).map(OptionalInt::of).orElse(OptionalInt.empty()),
          m.optional("maxPages").flatMap(n -> c.integer(m.path("maxPages"), n))
              .filter(n -> {
                if (n < 0) {
                  c.error(m.path("maxPages"), m.optional("maxPages").orElseThrow(), "maxPages must be 0 or more, got " + n);
                }
                return n >= 0;
              }).map(OptionalInt::of).orElse(OptionalInt.empty()),
          positiveDuration(m, "syncedWithin"));
    }

    private StopConditions stopConditions(MappingReader m) {
      OptionalDouble burn = m.optional("maxBurnRate").flatMap(n -> {
        if (n instanceof ScalarNode s && (s.getTag().equals(Tag.INT) || s.getTag().equals(Tag.FLOAT))) {
          try {
            double v = Double.parseDouble(s.getValue());
            if (v > 0 && v < 1000) {
              return Optional.of(v);
            }
          } catch (NumberFormatException e) {
            // Reported below.
          }
        }
        c.error(m.path("maxBurnRate"), n, "maxBurnRate is how many times faster than sustainable the error budget may"
            + " burn before the run aborts, a number above 0 such as 10; got " + Conversion.describe(n));
        return Optional.empty();
      }).map(OptionalDouble::of).orElse(OptionalDouble.empty());
      double slo = m.optional("slo").flatMap(n -> c.share(m.path("slo"), n)).filter(v -> {
        if (v <= 0 || v >= 1) {
          c.error(m.path("slo"), m.optional("slo").orElseThrow(),
              "slo is the availability objective, above 0% and below 100%, e.g. 99.9%");
          return false;
        }
        return true;
      }).orElse(StopConditions.DEFAULT_SLO);
      Duration window = positiveDuration(m, "burnWindow").orElse(StopConditions.DEFAULT_BURN_WINDOW);
      if ((m.optional("slo").isPresent() || m.optional("burnWindow").isPresent()) && burn.isEmpty()) {
        c.error(m.path("slo"), m.optional("slo").or(() -> m.optional("burnWindow")).orElseThrow(),
            "slo and burnWindow only matter with maxBurnRate; give maxBurnRate too");
      }
      return new StopConditions(m.bool("otherServiceUnhealthy", true), m.bool("nonTargetRegionDegraded", true), burn,
          slo, window);
    }

    private Optional<Schedule> schedule(MappingReader m) {
      Optional<ZoneId> zone = m.optional("timeZone").flatMap(n -> c.string(m.path("timeZone"), n).flatMap(z -> {
        try {
          return Optional.of(ZoneId.of(z));
        } catch (DateTimeException e) {
          c.error(m.path("timeZone"), n, "unknown time zone '" + z + "'; use a tz database name such as Europe/Berlin or UTC");
          return Optional.empty();
        }
      }));
      Optional<Cron> cron = m.require(m.requiredString("cron").flatMap(expression -> {
        try {
          return Optional.of(Cron.parse(expression, zone.orElse(ZoneId.of("UTC"))));
        } catch (Cron.InvalidCronException e) {
          c.error(m.path("cron"), m.optional("cron").orElseThrow(), e.getMessage());
          return Optional.empty();
        }
      }));
      Schedule.Concurrency concurrency = m.optional("concurrency").flatMap(n -> c.choice(m.path("concurrency"), n,
          "concurrency", List.of("forbid", "allow"), k -> Arrays.stream(Schedule.Concurrency.values())
              .filter(v -> v.name().equalsIgnoreCase(k)).findFirst())).orElse(Schedule.Concurrency.FORBID);
      List<Schedule.Window> windows = new ArrayList<>();
      List<Node> nodes = m.sequence("exclude").orElse(List.of());
      for (int i = 0; i < nodes.size(); i++) {
        String path = m.path("exclude") + "[" + i + "]";
        Node node = nodes.get(i);
        c.mapping(path, node, WINDOW_KEYS).ifPresent(w -> {
          Optional<LocalDateTime> from = w.requiredString("from").flatMap(t -> localTime(w, "from", t));
          Optional<LocalDateTime> to = w.requiredString("to").flatMap(t -> localTime(w, "to", t));
          if (from.isPresent() && to.isPresent()) {
            if (to.get().isAfter(from.get())) {
              windows.add(new Schedule.Window(from.get(), to.get()));
            } else {
              c.error(w.path("to"), w.optional("to").orElseThrow(), "the window must end after it starts");
            }
          }
        });
      }
      return cron.map(cr -> new Schedule(cr, windows, concurrency, m.bool("paused", false)));
    }

    private Optional<LocalDateTime> localTime(MappingReader w, String key, String text) {
      try {
        return Optional.of(LocalDateTime.parse(text));
      } catch (DateTimeParseException e) {
        c.error(w.path(key), w.optional(key).orElseThrow(),
            "expected a local date and time in the schedule's time zone, e.g. 2026-12-20T00:00; got '" + text + "'");
        return Optional.empty();
      }
    }

    private Optional<Duration> positiveDuration(MappingReader m, String key) {
      return m.optional(key).flatMap(n -> c.duration(m.path(key), n))
          .filter(d -> within(m, key, d, Duration.ofMillis(1), Duration.ofHours(2)));
    }

    private boolean positive(MappingReader m, String key, int n) {
      if (n < 1) {
        c.error(m.path(key), m.optional(key).orElseThrow(), key + " must be at least 1, got " + n);
        return false;
      }
      return true;
    }

    private static List<String> cloudKeys() {
      return Arrays.stream(Cloud.values()).map(Cloud::key).toList();
    }

    private static String words(Duration d) {
      return d.toMillis() % 1000 != 0 ? d.toMillis() + "ms" : d.toSeconds() % 60 != 0 || d.toSeconds() < 60
          ? d.toSeconds() + "s" : d.toMinutes() + "m";
    }
  }
}
