package dev.tern.controlplane.provider.clouddns;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The changes that take a managed zone's owned record sets to the desired ones: a pure function
 * over two lists. Cloud DNS has no upsert: a create is an addition, a delete a deletion of the
 * record set exactly as it is (else Cloud DNS refuses the change with 412), and an update both, in
 * one change. Under {@link Policy#UPSERT_ONLY} nothing is deleted (updates still replace).
 */
public final class CloudDnsDiff {

  /** How much a reconcile may change: everything, or never delete. */
  public enum Policy {
    SYNC,
    UPSERT_ONLY
  }

  /** One change of one record set: {@code before} is empty for a create, {@code after} for a delete. */
  public record Change(Optional<CloudDnsRecord> before, Optional<CloudDnsRecord> after) {
    public Change {
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
      if (before.isEmpty() && after.isEmpty()) {
        throw new IllegalArgumentException("a change has a record before or after it");
      }
    }

    /** {@code create}, {@code update} or {@code delete}. */
    public String action() {
      return before.isEmpty() ? "create" : after.isEmpty() ? "delete" : "update";
    }

    public CloudDnsRecord.Key key() {
      return after.or(() -> before).orElseThrow().key();
    }

    @Override
    public String toString() {
      return action() + " " + after.map(CloudDnsRecord::toString).orElse(key().toString());
    }
  }

  private CloudDnsDiff() {}

  /** The changes, in a stable order (by name, then type). */
  public static List<Change> between(List<CloudDnsRecord> current, List<CloudDnsRecord> desired, Policy policy) {
    Map<CloudDnsRecord.Key, CloudDnsRecord> now = new LinkedHashMap<>();
    current.forEach(r -> now.put(r.key(), r));
    Map<CloudDnsRecord.Key, CloudDnsRecord> want = new LinkedHashMap<>();
    desired.forEach(r -> want.put(r.key(), r));
    List<Change> changes = new ArrayList<>();
    if (policy == Policy.SYNC) {
      now.values().stream().filter(r -> !want.containsKey(r.key()))
          .forEach(r -> changes.add(new Change(Optional.of(r), Optional.empty())));
    }
    for (CloudDnsRecord r : want.values()) {
      CloudDnsRecord before = now.get(r.key());
      if (before == null) {
        changes.add(new Change(Optional.empty(), Optional.of(r)));
      } else if (!before.equals(r)) {
        changes.add(new Change(Optional.of(before), Optional.of(r)));
      }
    }
    changes.sort(Comparator.comparing((Change c) -> c.key().name()).thenComparing(c -> c.key().type()));
    return List.copyOf(changes);
  }
}
