package dev.tern.controlplane.state;

import dev.tern.controlplane.kubernetes.DiscoveredBackend;
import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.model.Policy;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Predicate;

/**
 * The state every node holds, as replayed from the Raft log. Only the state machine's apply thread
 * writes it; any thread may read. Each service's state is one immutable value replaced at once, so
 * a reader never sees half a command's effect on a service.
 *
 * <p>The audit log, failover events and plan changes keep the most recent {@link #AUDIT_RETAINED},
 * {@link #FAILOVERS_RETAINED} and {@link #PLAN_CHANGES_RETAINED} entries; older ones leave the state
 * (and the next snapshot).
 */
public final class ReplicatedState {

  public static final int AUDIT_RETAINED = 10_000;
  public static final int FAILOVERS_RETAINED = 1_000;
  public static final int PLAN_CHANGES_RETAINED = 5_000;
  /** Ended chaos runs kept with their reports; active runs are always kept. */
  public static final int CHAOS_RUNS_RETAINED = 200;

  private final ConcurrentSkipListMap<String, ServiceState> services = new ConcurrentSkipListMap<>();
  private final ConcurrentSkipListMap<String, DiscoveredCluster> clusters = new ConcurrentSkipListMap<>();
  private final Deque<AuditEntry> audit = new ArrayDeque<>();
  private final Deque<FailoverEvent> failovers = new ArrayDeque<>();
  private final Deque<PlanChange> planChanges = new ArrayDeque<>();
  /** Per service, the audit entry of the latest operator change not yet followed by a new plan. */
  private final Map<String, AuditEntry> pendingCauses = new HashMap<>();
  private long planChangeSequence;
  private final Map<String, ChaosRun> chaosRuns = new java.util.LinkedHashMap<>();
  private final Map<String, ChaosScenarioEntry> scenarios = new java.util.TreeMap<>();
  private final java.util.LinkedHashMap<Long, Incident> incidents = new java.util.LinkedHashMap<>();
  private long incidentSequence;
  private final Deque<Instant> recentTerms = new ArrayDeque<>();
  private final java.util.TreeMap<Long, String> termLeaders = new java.util.TreeMap<>();
  private volatile long policyVersion;
  private volatile long chaosGeneration;
  private volatile long discoveryGeneration;
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

  /**
   * What the leader last committed of one Kubernetes cluster's discovery.
   *
   * @param stale the cluster's API server could not be listed; its backends are the last ones seen
   * @param at when the leader committed it
   */
  public record DiscoveredCluster(String name, boolean stale, Instant at,
      Map<String, List<DiscoveredBackend>> services) {
    public DiscoveredCluster {
      services = Map.copyOf(services);
    }

    /** The backends this cluster found for {@code service}. */
    public List<DiscoveredBackend> of(String service) {
      return services.getOrDefault(service, List.of());
    }
  }

  /** Every cluster whose discovery the leader has committed, by name. */
  public Collection<DiscoveredCluster> clusters() {
    return clusters.values();
  }

  public Optional<DiscoveredCluster> cluster(String name) {
    return Optional.ofNullable(clusters.get(name));
  }

  void cluster(DiscoveredCluster cluster) {
    clusters.put(cluster.name(), cluster);
  }

  /** Increases by one with every discovery commit that changed a service's backends. */
  public long discoveryGeneration() {
    return discoveryGeneration;
  }

  void discoveryGeneration(long generation) {
    discoveryGeneration = generation;
  }

  /** The policy made of every service, as the routing engine and validator see it. */
  public Policy policy() {
    return new Policy(services.values().stream().map(ServiceState::model).toList(), ZoneTable.EMPTY);
  }

  /** Audit entries with a sequence above {@code after}, oldest first, at most {@code limit}. */
  public synchronized List<AuditEntry> audit(long after, int limit) {
    return audit(after, Long.MAX_VALUE, e -> true, false, limit);
  }

  /**
   * Audit entries with a sequence between {@code after} and {@code before} (both exclusive) that
   * pass {@code filter}, oldest or newest first, at most {@code limit}.
   */
  public synchronized List<AuditEntry> audit(
      long after, long before, Predicate<AuditEntry> filter, boolean newestFirst, int limit) {
    List<AuditEntry> out = new ArrayList<>();
    var it = newestFirst ? audit.descendingIterator() : audit.iterator();
    while (it.hasNext() && out.size() < limit) {
      AuditEntry e = it.next();
      if (e.sequence() > after && e.sequence() < before && filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  /** Plan changes with a sequence below {@code before}, of one service or all, newest first, at most {@code limit}. */
  public synchronized List<PlanChange> planChanges(Optional<String> service, long before, int limit) {
    List<PlanChange> out = new ArrayList<>();
    var it = planChanges.descendingIterator();
    while (it.hasNext() && out.size() < limit) {
      PlanChange c = it.next();
      if (c.sequence() < before && service.map(c.service()::equals).orElse(true)) {
        out.add(c);
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

  /** Every chaos run kept, active or ended, in the order they started. */
  public synchronized List<ChaosRun> chaosRuns() {
    return List.copyOf(chaosRuns.values());
  }

  public synchronized Optional<ChaosRun> chaosRun(String id) {
    return Optional.ofNullable(chaosRuns.get(id));
  }

  synchronized void chaosRun(ChaosRun run) {
    chaosRuns.put(run.id(), run);
    long ended = chaosRuns.values().stream().filter(r -> !r.active()).count();
    var it = chaosRuns.values().iterator();
    while (ended > CHAOS_RUNS_RETAINED && it.hasNext()) {
      if (!it.next().active()) {
        it.remove();
        ended--;
      }
    }
  }

  synchronized void restoreChaosRuns(List<ChaosRun> runs) {
    chaosRuns.clear();
    runs.forEach(r -> chaosRuns.put(r.id(), r));
  }

  /** Rises by one whenever a chaos run starts, heals or ends: what the probes' faults are derived from changed. */
  public long chaosGeneration() {
    return chaosGeneration;
  }

  void chaosGeneration(long generation) {
    chaosGeneration = generation;
  }

  /** Resolved incidents kept; open ones are always kept. */
  public static final int INCIDENTS_RETAINED = 1_000;

  /** Every incident kept, oldest first. */
  public synchronized List<Incident> incidents() {
    return List.copyOf(incidents.values());
  }

  public synchronized Optional<Incident> incident(long id) {
    return Optional.ofNullable(incidents.get(id));
  }

  /** The open incident of {@code service}, if one is. */
  public synchronized Optional<Incident> openIncident(String service) {
    return incidents.values().stream().filter(i -> i.open() && i.service().equals(service)).findFirst();
  }

  synchronized long nextIncidentId() {
    return ++incidentSequence;
  }

  synchronized long incidentSequence() {
    return incidentSequence;
  }

  synchronized void incident(Incident incident) {
    incidents.put(incident.id(), incident);
    long resolved = incidents.values().stream().filter(i -> !i.open()).count();
    var it = incidents.values().iterator();
    while (resolved > INCIDENTS_RETAINED && it.hasNext()) {
      if (!it.next().open()) {
        it.remove();
        resolved--;
      }
    }
  }

  synchronized void restoreIncidents(long sequence, List<Incident> all) {
    incidents.clear();
    all.forEach(i -> incidents.put(i.id(), i));
    incidentSequence = sequence;
  }

  /** How long leader changes are remembered, and how many within it make an incident. */
  public static final java.time.Duration LEADER_CHURN_WINDOW = java.time.Duration.ofMinutes(10);
  public static final int LEADER_CHURN_TERMS = 3;

  /** When each new leader opened its term within the churn window, oldest first. */
  public synchronized List<Instant> recentTerms() {
    return List.copyOf(recentTerms);
  }

  /** Adds a new term at {@code at} and forgets those older than the window; returns how many remain. */
  synchronized int term(Instant at) {
    recentTerms.addLast(at);
    while (!recentTerms.isEmpty() && recentTerms.peekFirst().isBefore(at.minus(LEADER_CHURN_WINDOW))) {
      recentTerms.removeFirst();
    }
    return recentTerms.size();
  }

  synchronized void restoreTerms(List<Instant> terms) {
    recentTerms.clear();
    recentTerms.addAll(terms);
  }

  /** How many terms' leaders are remembered: the most recent ones. */
  public static final int TERM_LEADERS_RETAINED = 4096;

  /** The node that led each recorded term, by term, oldest first. */
  public synchronized java.util.SortedMap<Long, String> termLeaders() {
    return java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(termLeaders));
  }

  /** The node recorded as the leader of {@code term}, if the term is recorded. */
  public synchronized Optional<String> termLeader(long term) {
    return Optional.ofNullable(termLeaders.get(term));
  }

  /** Records {@code node} as the leader of {@code term}, forgetting the oldest terms beyond the limit. */
  synchronized void termLeader(long term, String node) {
    termLeaders.put(term, node);
    while (termLeaders.size() > TERM_LEADERS_RETAINED) {
      termLeaders.pollFirstEntry();
    }
  }

  synchronized void restoreTermLeaders(Map<Long, String> leaders) {
    termLeaders.clear();
    leaders.forEach(this::termLeader);
  }

  /** The scenario catalogue, by name. */
  public synchronized List<ChaosScenarioEntry> scenarios() {
    return List.copyOf(scenarios.values());
  }

  public synchronized Optional<ChaosScenarioEntry> scenario(String name) {
    return Optional.ofNullable(scenarios.get(name));
  }

  synchronized void scenario(ChaosScenarioEntry entry) {
    scenarios.put(entry.name(), entry);
  }

  synchronized void removeScenario(String name) {
    scenarios.remove(name);
  }

  synchronized void restoreScenarios(List<ChaosScenarioEntry> entries) {
    scenarios.clear();
    entries.forEach(e -> scenarios.put(e.name(), e));
  }

  /** Remembers an operator change to a service as the cause of its next plan change. */
  synchronized void pendingCause(String service, AuditEntry entry) {
    pendingCauses.put(service, entry);
  }

  /** The operator change waiting for a plan change of {@code service}, removed as it is taken. */
  synchronized Optional<AuditEntry> takePendingCause(String service) {
    return Optional.ofNullable(pendingCauses.remove(service));
  }

  synchronized void forgetPendingCause(String service) {
    pendingCauses.remove(service);
  }

  synchronized PlanChange planChange(String service, long fromVersion, long toVersion, java.time.Instant decidedAt,
      String kind, String cause, List<String> changes, Optional<java.time.Instant> detectedAt, long auditSequence,
      Optional<LeaderStamp> decidedBy) {
    PlanChange change = new PlanChange(++planChangeSequence, service, fromVersion, toVersion, decidedAt, kind, cause,
        changes, detectedAt, auditSequence, decidedBy);
    planChanges.addLast(change);
    while (planChanges.size() > PLAN_CHANGES_RETAINED) {
      planChanges.removeFirst();
    }
    return change;
  }

  synchronized List<PlanChange> allPlanChanges() {
    return List.copyOf(planChanges);
  }

  synchronized long planChangeSequence() {
    return planChangeSequence;
  }

  synchronized Map<String, AuditEntry> allPendingCauses() {
    return Map.copyOf(pendingCauses);
  }

  synchronized void restorePlanChanges(long sequence, List<PlanChange> changes, Map<String, AuditEntry> pending) {
    planChanges.clear();
    planChanges.addAll(changes);
    planChangeSequence = sequence;
    pendingCauses.clear();
    pendingCauses.putAll(pending);
  }

  /**
   * Puts back the leaders' stamps that a snapshot keeps beside the plan changes and chaos runs:
   * {@code deciders} by plan change sequence, {@code starters} by run id.
   */
  synchronized void restoreStamps(Map<Long, LeaderStamp> deciders, Map<String, LeaderStamp> starters) {
    List<PlanChange> changes = planChanges.stream()
        .map(c -> deciders.containsKey(c.sequence()) ? c.withDecidedBy(deciders.get(c.sequence())) : c).toList();
    planChanges.clear();
    planChanges.addAll(changes);
    chaosRuns.replaceAll((id, r) -> starters.containsKey(id) ? r.withStartedBy(starters.get(id)) : r);
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
    clusters.clear();
    discoveryGeneration = 0;
    audit.clear();
    failovers.clear();
    planChanges.clear();
    pendingCauses.clear();
    chaosRuns.clear();
    scenarios.clear();
    incidents.clear();
    incidentSequence = 0;
    recentTerms.clear();
    termLeaders.clear();
    chaosGeneration = 0;
    planChangeSequence = 0;
    policyVersion = 0;
    auditSequence = 0;
  }
}
