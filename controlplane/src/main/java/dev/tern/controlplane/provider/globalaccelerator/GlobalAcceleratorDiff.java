package dev.tern.controlplane.provider.globalaccelerator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The changes that take a listener's endpoint groups to the desired ones: a pure function over
 * two lists, matched by region. A missing group is created, a different one updated (its whole
 * endpoint list and dial, as UpdateEndpointGroup replaces them), an extra one deleted. Under
 * {@link Policy#UPSERT_ONLY} nothing is deleted: extra groups stay, and an update keeps the
 * endpoints Tern would have dropped, at their current weights.
 *
 * <p>Make before break: creates and updates that raise a dial come first, then updates that
 * lower one, then deletes, so that during a failover the new region takes traffic before the old
 * one lets go of it.
 */
public final class GlobalAcceleratorDiff {

  /** How much a reconcile may change: everything, or never delete. */
  public enum Policy {
    SYNC,
    UPSERT_ONLY
  }

  /** What to do with one group. */
  public enum Action {
    CREATE,
    UPDATE,
    DELETE
  }

  /**
   * One change to one endpoint group.
   *
   * @param arn the group's ARN; empty for a create
   * @param before the group as it is; empty for a create
   * @param after the group as it will be; empty for a delete
   */
  public record Change(Action action, Optional<String> arn, Optional<EndpointGroup> before,
      Optional<EndpointGroup> after) {
    public Change {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(arn, "arn");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }

    /** The region the change is for. */
    public String region() {
      return after.or(() -> before).orElseThrow().region();
    }

    /**
     * {@code UPDATE eu-central-1 dial 100 [fra=255] (was dial 0 [fra=0])}, endpoint ids shown through
     * {@code label}.
     */
    public String describe(Function<String, String> label) {
      return action + " " + group(label);
    }

    /** What {@link #describe} says after the action. */
    public String group(Function<String, String> label) {
      return switch (action) {
        case CREATE -> after.orElseThrow().describe(label);
        case UPDATE -> after.orElseThrow().describe(label) + " (was " + before.orElseThrow().describe(label)
            .substring(region().length() + 1) + ")";
        case DELETE -> before.orElseThrow().describe(label);
      };
    }

    @Override
    public String toString() {
      return describe(Function.identity());
    }

    private int rank() {
      return switch (action) {
        case CREATE -> 0;
        case UPDATE -> after.orElseThrow().trafficDial() >= before.orElseThrow().trafficDial() ? 0 : 1;
        case DELETE -> 2;
      };
    }
  }

  /** An endpoint group as listed, with the ARN that names it for an update or a delete. */
  public record Listed(String arn, EndpointGroup group) {
    public Listed {
      Objects.requireNonNull(arn, "arn");
      Objects.requireNonNull(group, "group");
    }
  }

  private GlobalAcceleratorDiff() {}

  /** The changes, make before break, then by region. */
  public static List<Change> between(List<Listed> current, List<EndpointGroup> desired, Policy policy) {
    Map<String, Listed> now = new LinkedHashMap<>();
    current.forEach(l -> now.put(l.group().region(), l));
    Map<String, EndpointGroup> want = new LinkedHashMap<>();
    desired.forEach(g -> want.put(g.region(), g));
    List<Change> changes = new ArrayList<>();
    for (EndpointGroup g : want.values()) {
      Listed before = now.get(g.region());
      if (before == null) {
        changes.add(new Change(Action.CREATE, Optional.empty(), Optional.empty(), Optional.of(g)));
        continue;
      }
      EndpointGroup after = policy == Policy.UPSERT_ONLY ? keepingExtras(g, before.group()) : g;
      if (!after.equals(before.group())) {
        changes.add(new Change(Action.UPDATE, Optional.of(before.arn()), Optional.of(before.group()),
            Optional.of(after)));
      }
    }
    if (policy == Policy.SYNC) {
      for (Listed l : now.values()) {
        if (!want.containsKey(l.group().region())) {
          changes.add(new Change(Action.DELETE, Optional.of(l.arn()), Optional.of(l.group()), Optional.empty()));
        }
      }
    }
    changes.sort(Comparator.comparingInt(Change::rank).thenComparing(Change::region));
    return List.copyOf(changes);
  }

  /** {@code desired} plus the endpoints only {@code current} has, at their current weights. */
  private static EndpointGroup keepingExtras(EndpointGroup desired, EndpointGroup current) {
    List<EndpointGroup.Endpoint> endpoints = new ArrayList<>(desired.endpoints());
    current.endpoints().stream().filter(e -> desired.weight(e.id()).isEmpty()).forEach(endpoints::add);
    return new EndpointGroup(desired.region(), desired.trafficDial(), endpoints);
  }
}
