package dev.tern.controlplane.state;

import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.model.Policy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The state every node holds, as replayed from the Raft log. Only the state machine's apply thread
 * writes it; any thread may read. Each service's state is one immutable value replaced at once, so
 * a reader never sees half a command's effect on a service.
 *
 * <p>The audit log and failover events keep the most recent {@link #AUDIT_RETAINED} and
 * {@link #FAILOVERS_RETAINED} entries; older ones leave the state (and the next snapshot).
 */
public final class ReplicatedState {

  public static final int AUDIT_RETAINED = 10_000;
  public static final int FAILOVERS_RETAINED = 1_000;

  private final ConcurrentSkipListMap<String, ServiceState> services = new ConcurrentSkipListMap<>();
  private final Deque<AuditEntry> audit = new ArrayDeque<>();
  private final Deque<FailoverEvent> failovers = new ArrayDeque<>();
  private volatile long policyVersion;
  private volatile long auditSequence;

  /** Increases by one with every change to any service's policy. */
  public long policyVersion() {
    return policyVersion;
  }

  public Collection<ServiceState> services() {
    return services.values();
  }

  public Optional<ServiceState> service(String name) {
    return Optional.ofNullable(services.get(name));
  }

  /** The policy made of every service, as the routing engine and validator see it. */
  public Policy policy() {
    return new Policy(services.values().stream().map(ServiceState::model).toList(), ZoneTable.EMPTY);
  }

  /** Audit entries with a sequence above {@code after}, oldest first, at most {@code limit}. */
  public synchronized List<AuditEntry> audit(long after, int limit) {
    List<AuditEntry> out = new ArrayList<>();
    for (AuditEntry e : audit) {
      if (e.sequence() > after && out.size() < limit) {
        out.add(e);
      }
    }
    return out;
  }

  /** The most recent failover events, newest first, at most {@code limit}. */
  public synchronized List<FailoverEvent> failovers(int limit) {
    List<FailoverEvent> out = new ArrayList<>();
    var it = failovers.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      out.add(it.next());
    }
    return out;
  }

  public long auditSequence() {
    return auditSequence;
  }

  // Writers: the apply thread only.

  void put(ServiceState state) {
    services.put(state.name(), state);
  }

  void remove(String name) {
    services.remove(name);
  }

  void policyVersion(long version) {
    policyVersion = version;
  }

  synchronized AuditEntry audit(
      java.time.Instant at, String actor, String action, String target, String reason, String before, String after) {
    AuditEntry entry = new AuditEntry(++auditSequence, at, actor, action, target, reason, before, after);
    audit.addLast(entry);
    while (audit.size() > AUDIT_RETAINED) {
      audit.removeFirst();
    }
    return entry;
  }

  synchronized void restoreAudit(long sequence, List<AuditEntry> entries) {
    audit.clear();
    audit.addAll(entries);
    auditSequence = sequence;
  }

  synchronized void failover(FailoverEvent event) {
    failovers.addLast(event);
    while (failovers.size() > FAILOVERS_RETAINED) {
      failovers.removeFirst();
    }
  }

  synchronized List<AuditEntry> allAudit() {
    return List.copyOf(audit);
  }

  synchronized List<FailoverEvent> allFailovers() {
    return List.copyOf(failovers);
  }

  synchronized void restoreFailovers(List<FailoverEvent> events) {
    failovers.clear();
    failovers.addAll(events);
  }

  synchronized void clear() {
    services.clear();
    audit.clear();
    failovers.clear();
    policyVersion = 0;
    auditSequence = 0;
  }
}
