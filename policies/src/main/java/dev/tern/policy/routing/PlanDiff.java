package dev.tern.policy.routing;

import dev.tern.policy.geo.ClientZone;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * What changed between two plans of one service, zone by zone: for the console's preview, the
 * audit log and failover events.
 *
 * @param fromVersion the earlier plan's version, 0 when there was none
 */
public record PlanDiff(String service, long fromVersion, long toVersion, List<ZoneChange> changes) {

  public PlanDiff {
    Objects.requireNonNull(service, "service");
    changes = List.copyOf(changes);
  }

  /** One zone's change. */
  public record ZoneChange(ClientZone zone, Kind kind, List<String> lines) {
    /** Whether the zone appeared, disappeared, or changed its answer. */
    public enum Kind {
      ADDED,
      REMOVED,
      CHANGED
    }

    public ZoneChange {
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(kind, "kind");
      lines = List.copyOf(lines);
    }
  }

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  /** The diff of two plans of the same service; {@code before} empty means a first plan. */
  public static PlanDiff between(Optional<RoutingPlan> before, RoutingPlan after) {
    Map<ClientZone, ZoneAnswer> old = new LinkedHashMap<>();
    before.ifPresent(p -> p.zones().forEach(z -> old.put(z.zone(), z)));
    Map<ClientZone, ZoneAnswer> now = new LinkedHashMap<>();
    after.zones().forEach(z -> now.put(z.zone(), z));
    TreeSet<ClientZone> zones = new TreeSet<>(old.keySet());
    zones.addAll(now.keySet());
    List<ZoneChange> changes = new ArrayList<>();
    for (ClientZone zone : zones) {
      ZoneAnswer a = old.get(zone);
      ZoneAnswer b = now.get(zone);
      if (a == null) {
        changes.add(new ZoneChange(zone, ZoneChange.Kind.ADDED, List.of("+ " + describe(b))));
      } else if (b == null) {
        changes.add(new ZoneChange(zone, ZoneChange.Kind.REMOVED, List.of("- " + describe(a))));
      } else if (a.mode() != b.mode() || !a.sameAnswersAs(b)) {
        changes.add(new ZoneChange(zone, ZoneChange.Kind.CHANGED, lines(a, b)));
      }
    }
    return new PlanDiff(after.service(), before.map(RoutingPlan::version).orElse(0L), after.version(), changes);
  }

  private static List<String> lines(ZoneAnswer a, ZoneAnswer b) {
    List<String> out = new ArrayList<>();
    if (a.mode() != b.mode()) {
      out.add("mode " + a.mode() + " -> " + b.mode());
    }
    Map<String, WeightedAnswer> old = new LinkedHashMap<>();
    a.answers().forEach(x -> old.put(x.backend(), x));
    Map<String, WeightedAnswer> now = new LinkedHashMap<>();
    b.answers().forEach(x -> now.put(x.backend(), x));
    for (WeightedAnswer x : a.answers()) {
      if (!now.containsKey(x.backend())) {
        out.add("- " + x.backend() + " (" + x.address() + ") weight " + x.weight());
      }
    }
    for (WeightedAnswer x : b.answers()) {
      WeightedAnswer was = old.get(x.backend());
      if (was == null) {
        out.add("+ " + x.backend() + " (" + x.address() + ") weight " + x.weight());
      } else if (was.weight() != x.weight() || !was.address().equals(x.address())) {
        out.add("~ " + x.backend() + " weight " + was.weight() + " -> " + x.weight()
            + (was.address().equals(x.address()) ? "" : ", address " + was.address() + " -> " + x.address()));
      }
    }
    return out;
  }

  private static String describe(ZoneAnswer z) {
    if (z.answers().isEmpty()) {
      return z.mode() + ", no answer";
    }
    List<String> parts = new ArrayList<>();
    z.answers().forEach(x -> parts.add(x.backend() + " " + x.weight()));
    return String.join(", ", parts) + (z.mode() == ZoneAnswer.Mode.NORMAL ? "" : " (" + z.mode() + ")");
  }

  /** The diff as text, one zone per block: what an operator reads before applying. */
  public String render() {
    if (changes.isEmpty()) {
      return service + ": no change\n";
    }
    StringBuilder out = new StringBuilder();
    out.append(service).append(": plan v").append(fromVersion).append(" -> v").append(toVersion).append('\n');
    for (ZoneChange c : changes) {
      out.append("  ").append(c.zone().key()).append(" (").append(c.kind().name().toLowerCase()).append(")\n");
      for (String line : c.lines()) {
        out.append("    ").append(line).append('\n');
      }
    }
    return out.toString();
  }
}
