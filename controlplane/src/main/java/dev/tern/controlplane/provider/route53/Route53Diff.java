package dev.tern.controlplane.provider.route53;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The changes that take a hosted zone's owned records to the desired ones: a pure function over
 * two lists. Creates and updates become UPSERTs, removals DELETEs of the record as it is (Route 53
 * deletes only an exact match). Under {@link Policy#UPSERT_ONLY} nothing is deleted. An update
 * keeps the record as it was beside the new one ({@code before}, {@code after}), for dry runs and
 * drift reports.
 */
public final class Route53Diff {

  /** How much a reconcile may change: everything, or never delete. */
  public enum Policy {
    SYNC,
    UPSERT_ONLY
  }

  /** One change: {@code before} is empty for a create, {@code after} for a delete. */
  public record Change(String action, java.util.Optional<Route53Record> before, java.util.Optional<Route53Record> after) {
    public Change {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }

    /** The record the change sends. */
    public Route53Record record() {
      return after.or(() -> before).orElseThrow();
    }

    @Override
    public String toString() {
      Route53Record r = record();
      return action + " " + r.name() + " " + r.type() + r.setIdentifier().map(s -> " [" + s + "]").orElse("")
          + (after.isPresent() ? " " + describe(after.get()) : "");
    }

    private static String describe(Route53Record r) {
      StringBuilder s = new StringBuilder();
      r.geo().ifPresent(g -> s.append("geo ").append(g.continent().orElse(g.country().orElse("?"))).append(' '));
      r.weight().ifPresent(w -> s.append("weight ").append(w).append(' '));
      r.aliasTarget().ifPresent(t -> s.append("alias ").append(t).append(' '));
      if (!r.values().isEmpty()) {
        s.append(String.join(",", r.values())).append(' ');
      }
      r.ttl().ifPresent(t -> s.append("ttl ").append(t));
      return s.toString().strip();
    }
  }

  private Route53Diff() {}

  private static int rank(Change c) {
    boolean alias = c.record().aliasTarget().isPresent();
    if (c.action().equals("DELETE")) {
      return alias ? 0 : 1;
    }
    return alias ? 3 : 2;
  }

  /** The changes, deletes first for each name, in a stable order. */
  public static List<Change> between(List<Route53Record> current, List<Route53Record> desired, Policy policy) {
    Map<Route53Record.Key, Route53Record> now = new LinkedHashMap<>();
    current.forEach(r -> now.put(r.key(), r));
    Map<Route53Record.Key, Route53Record> want = new LinkedHashMap<>();
    desired.forEach(r -> want.put(r.key(), r));
    List<Change> changes = new ArrayList<>();
    if (policy == Policy.SYNC) {
      for (Route53Record r : now.values()) {
        if (!want.containsKey(r.key())) {
          changes.add(new Change("DELETE", java.util.Optional.of(r), java.util.Optional.empty()));
        }
      }
    }
    for (Route53Record r : want.values()) {
      Route53Record before = now.get(r.key());
      if (before == null) {
        changes.add(new Change("UPSERT", java.util.Optional.empty(), java.util.Optional.of(r)));
      } else if (!before.equals(r)) {
        changes.add(new Change("UPSERT", java.util.Optional.of(before), java.util.Optional.of(r)));
      }
    }
    // Route 53 applies a batch in order and an alias must point at a name that exists: deletes
    // first, aliases before their targets; then upserts, targets before the aliases to them.
    changes.sort(Comparator.comparingInt(Route53Diff::rank)
        .thenComparing(c -> c.record().name()).thenComparing(c -> c.record().type())
        .thenComparing(c -> c.record().setIdentifier().orElse("")));
    return List.copyOf(changes);
  }
}
