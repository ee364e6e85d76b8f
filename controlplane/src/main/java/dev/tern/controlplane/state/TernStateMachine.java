package dev.tern.controlplane.state;

import dev.tern.controlplane.kubernetes.BackendMerge;
import dev.tern.controlplane.kubernetes.BackendMerge.MergedBackend;
import dev.tern.controlplane.kubernetes.DiscoveredBackend;
import dev.tern.controlplane.state.Command.DeleteService;
import dev.tern.controlplane.state.Command.PublishPlan;
import dev.tern.controlplane.state.Command.PutService;
import dev.tern.controlplane.state.Command.RecordMembership;
import dev.tern.controlplane.state.Command.RecordVerdicts;
import dev.tern.controlplane.state.Command.SetDrain;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.controlplane.state.ServiceState.Drain;
import dev.tern.policy.health.Health;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Discovery;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.PlanDiff;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.ZoneAnswer;
import dev.tern.policy.validation.PolicyValidator;
import dev.tern.policy.yaml.ParsedPolicy;
import dev.tern.policy.yaml.PolicyParser;
import java.io.DataInput;
import java.io.DataOutput;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.jgroups.raft.StateMachine;

/**
 * Tern's replicated state machine: replays committed {@link Command}s into {@link ReplicatedState}.
 *
 * <p><b>Determinism.</b> {@code apply} is a function of the state and the command alone: it reads no
 * clock (time travels in the command), draws no random number and does no I/O. Policy YAML is
 * parsed during replay with the same pure parser everywhere, so every node derives the same model.
 *
 * <p><b>Threading.</b> jgroups-raft calls {@code apply}, {@code readContentFrom} and {@code
 * writeContentTo} from one thread. Readers on other threads see each service's state replaced
 * whole (see {@link ReplicatedState}). Listeners run on the applying thread after the state
 * changed and must hand work off rather than block.
 *
 * <p><b>Failure.</b> {@code apply} never throws for a command it can decode: a command that is no
 * longer valid against the state (a stale plan, a drain of a deleted backend) is answered with
 * {@link ApplyResult.Rejected} and changes nothing, identically on every node. Only bytes that are
 * no command at all (a log written by a newer Tern) throw, which stops the node rather than let it
 * diverge.
 */
public final class TernStateMachine implements StateMachine {

  private final ReplicatedState state = new ReplicatedState();
  private final PolicyParser parser = new PolicyParser();
  private final List<Consumer<Command>> listeners = new CopyOnWriteArrayList<>();

  public ReplicatedState state() {
    return state;
  }

  /** Called on the applying thread after each applied command. */
  public void addListener(Consumer<Command> listener) {
    listeners.add(listener);
  }

  @Override
  public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) throws Exception {
    Command command = CommandCodec.decode(data, offset, length);
    ApplyResult result = apply(command);
    if (result.applied()) {
      for (Consumer<Command> l : listeners) {
        l.accept(command);
      }
    }
    return serializeResponse ? CommandCodec.encode(result) : null;
  }

  /** Replays one command; public so that tests and tools can replay a log without a cluster. */
  public ApplyResult apply(Command command) {
    return switch (command) {
      case PutService c -> putService(c);
      case DeleteService c -> deleteService(c);
      case SetDrain c -> setDrain(c);
      case RecordVerdicts c -> recordVerdicts(c);
      case PublishPlan c -> publishPlan(c);
      case RecordMembership c -> {
        state.audit(c.at(), c.actor(), "membership." + c.action(), c.member(), c.reason(), "", "");
        yield new ApplyResult.Applied(0);
      }
      case Command.OpenTerm c -> openTerm(c);
      case Command.StartChaosRun c -> startChaosRun(c);
      case Command.EndChaosRun c -> endChaosRun(c);
      case Command.HealChaosRun c -> healChaosRun(c);
      case Command.PutScenario c -> putScenario(c);
      case Command.DeleteScenario c -> deleteScenario(c);
      case Command.PauseScenario c -> pauseScenario(c);
      case Command.ScheduleFired c -> scheduleFired(c);
      case Command.RecordDelivery c -> recordDelivery(c);
      case Command.ResolveIncident c -> resolveIncident(c);
      case Command.RecordGuardrailBlock c -> guardrailBlock(c);
      case Command.RecordProviderSyncFailing c -> providerSyncFailing(c);
      case Command.RecordDiscovery c -> recordDiscovery(c);
      case Command.RecordProviderDrift c -> {
        state.audit(c.at(), c.actor(), "provider.drift", c.service(), c.provider() + " found a hand edit and corrected it",
            "", String.join("\n", c.changes()));
        yield new ApplyResult.Applied(0);
      }
    };
  }

  private ApplyResult putService(PutService c) {
    Optional<Service> parsed = parseService(c.yaml(), c.name());
    if (parsed.isEmpty()) {
      return new ApplyResult.Rejected("the policy of service " + c.name() + " does not parse as one valid service");
    }
    Service service = parsed.get();
    for (ServiceState other : state.services()) {
      if (!other.name().equals(c.name())
          && PolicyValidator.hostnameKey(other.model().hostname()).equals(PolicyValidator.hostnameKey(service.hostname()))) {
        return new ApplyResult.Rejected(
            "hostname " + service.hostname() + " is already served by service " + other.name());
      }
    }
    Optional<ServiceState> before = state.service(c.name());
    long current = before.map(ServiceState::policyVersion).orElse(0L);
    if (c.ifVersion() != PutService.ANY_VERSION && c.ifVersion() != current) {
      return new ApplyResult.Rejected("the policy of " + c.name() + " is at version " + current + ", not "
          + c.ifVersion() + ": it changed since this edit was loaded; load it again and reapply the change");
    }
    long version = state.policyVersion() + 1;
    Effective effective = effective(service, before.map(ServiceState::discovered).orElse(Map.of()));
    Map<String, Drain> drains = new HashMap<>();
    Map<String, VerdictRecord> verdicts = new HashMap<>();
    before.ifPresent(b -> {
      for (Backend backend : effective.model().backends()) {
        Optional.ofNullable(b.drains().get(backend.name())).ifPresent(d -> drains.put(backend.name(), d));
        Optional.ofNullable(b.verdicts().get(backend.name())).ifPresent(v -> verdicts.put(backend.name(), v));
      }
    });
    state.put(new ServiceState(c.name(), c.yaml(), effective.model(), version, drains, verdicts,
        before.flatMap(ServiceState::plan), effective.discovered()));
    state.policyVersion(version);
    state.pendingCause(c.name(), state.audit(c.at(), c.actor(), before.isPresent() ? "service.replace" : "service.create",
        c.name(), c.reason(), before.map(ServiceState::yaml).orElse(""), c.yaml()));
    return new ApplyResult.Applied(version);
  }

  private Optional<Service> parseService(String yaml, String name) {
    ParsedPolicy parsed = parser.parse(yaml);
    return parsed.policy()
        .map(Policy::services)
        .filter(services -> services.size() == 1 && services.getFirst().name().equals(name))
        .map(List::getFirst);
  }

  /** A service as its policy and its clusters make it: the model the engine and the probes use. */
  private record Effective(Service model, Map<String, MergedBackend> discovered) {}

  /**
   * Merges {@code declared}'s backends with what every cluster committed for it, under its
   * {@code discovery} block; {@code previous} holds the last merge's discovered backends, which
   * pins keep.
   */
  private Effective effective(Service declared, Map<String, MergedBackend> previous) {
    List<DiscoveredBackend> found = new ArrayList<>();
    for (ReplicatedState.DiscoveredCluster cluster : state.clusters()) {
      found.addAll(cluster.of(declared.name()));
    }
    if (found.isEmpty() && previous.isEmpty()) {
      return new Effective(declared, Map.of());
    }
    Discovery d = declared.discovery();
    List<MergedBackend> merged = BackendMerge.merge(declared.backends(), found, List.copyOf(previous.values()),
        new BackendMerge.Rule(d.exclude(), d.pin()), d.healthCheck());
    Map<String, MergedBackend> discovered = new TreeMap<>();
    merged.stream().filter(MergedBackend::discovered).forEach(m -> discovered.put(m.backend().name(), m));
    return discovered.isEmpty()
        ? new Effective(declared, Map.of())
        : new Effective(declared.withBackends(merged.stream().map(MergedBackend::backend).toList()), discovered);
  }

  /** The service as its policy alone declares it. */
  private static Service declared(ServiceState s) {
    if (s.discovered().isEmpty()) {
      return s.model();
    }
    return s.model().withBackends(
        s.model().backends().stream().filter(b -> !s.discovered().containsKey(b.name())).toList());
  }

  private ApplyResult recordDiscovery(Command.RecordDiscovery c) {
    Optional<ReplicatedState.DiscoveredCluster> before = state.cluster(c.cluster());
    state.cluster(new ReplicatedState.DiscoveredCluster(c.cluster(), c.stale(), c.at(), c.services()));
    if (before.isEmpty() || before.get().stale() != c.stale()) {
      state.audit(c.at(), c.actor(), c.stale() ? "discovery.stale" : "discovery.fresh", c.cluster(),
          c.stale() ? "the cluster's API server cannot be listed; its backends are kept as last seen"
              : "the cluster's API server answers", "", "");
    }
    int changed = 0;
    for (ServiceState s : List.copyOf(state.services())) {
      Effective e = effective(declared(s), s.discovered());
      if (e.model().backends().equals(s.model().backends()) && e.discovered().equals(s.discovered())) {
        continue;
      }
      Map<String, Drain> drains = new HashMap<>();
      Map<String, VerdictRecord> verdicts = new HashMap<>();
      for (Backend b : e.model().backends()) {
        Optional.ofNullable(s.drains().get(b.name())).ifPresent(d -> drains.put(b.name(), d));
        Optional.ofNullable(s.verdicts().get(b.name())).ifPresent(v -> verdicts.put(b.name(), v));
      }
      state.put(new ServiceState(s.name(), s.yaml(), e.model(), s.policyVersion(), drains, verdicts, s.plan(),
          e.discovered()));
      String was = describe(s.model().backends());
      String is = describe(e.model().backends());
      if (!was.equals(is)) {
        state.pendingCause(s.name(), state.audit(c.at(), c.actor(), "service.discovered", s.name(),
            "backends found in Kubernetes changed (cluster " + c.cluster() + ")", was, is));
      }
      changed++;
    }
    if (changed > 0) {
      state.discoveryGeneration(state.discoveryGeneration() + 1);
    }
    return new ApplyResult.Applied(changed);
  }

  /** One line per backend: what the routing sees of it, for the audit log's before and after. */
  private static String describe(List<Backend> backends) {
    StringBuilder out = new StringBuilder();
    for (Backend b : backends) {
      out.append(b.name()).append(' ').append(b.address()).append(' ').append(b.region().key())
          .append(" weight ").append(b.weight()).append(" priority ").append(b.priority()).append('\n');
    }
    return out.toString();
  }

  private ApplyResult deleteService(DeleteService c) {
    Optional<ServiceState> before = state.service(c.name());
    if (before.isEmpty()) {
      return new ApplyResult.Rejected("no service named " + c.name());
    }
    long version = state.policyVersion() + 1;
    state.remove(c.name());
    state.forgetPendingCause(c.name());
    state.policyVersion(version);
    state.audit(c.at(), c.actor(), "service.delete", c.name(), c.reason(), before.get().yaml(), "");
    state.openIncident(c.name()).ifPresent(i -> state.incident(i.resolved(c.at(), "the service was deleted")));
    return new ApplyResult.Applied(version);
  }

  private ApplyResult setDrain(SetDrain c) {
    Optional<ServiceState> s = state.service(c.service());
    if (s.isEmpty() || s.get().model().backend(c.backend()).isEmpty()) {
      return new ApplyResult.Rejected("no backend " + c.backend() + " in service " + c.service());
    }
    Map<String, Drain> drains = new HashMap<>(s.get().drains());
    boolean was = drains.containsKey(c.backend());
    if (c.drained()) {
      drains.put(c.backend(), new Drain(c.actor(), c.at(), c.reason()));
    } else {
      drains.remove(c.backend());
    }
    state.put(s.get().withDrains(drains));
    state.pendingCause(c.service(), state.audit(c.at(), c.actor(), c.drained() ? "backend.drain" : "backend.undrain",
        c.service() + "/" + c.backend(), c.reason(), was ? "drained" : "in service",
        c.drained() ? "drained" : "in service"));
    return new ApplyResult.Applied(0);
  }

  private ApplyResult recordVerdicts(RecordVerdicts c) {
    Map<String, Map<String, Health>> before = new HashMap<>();
    for (VerdictRecord v : c.verdicts()) {
      state.service(v.service()).ifPresent(s -> before.computeIfAbsent(v.service(), k -> {
        Map<String, Health> h = new HashMap<>();
        s.verdicts().forEach((b, r) -> h.put(b, r.health()));
        return h;
      }));
    }
    ApplyResult result = applyVerdicts(c);
    incidentsAfterVerdicts(c, before);
    return result;
  }

  private ApplyResult applyVerdicts(RecordVerdicts c) {
    int recorded = 0;
    Map<String, Map<String, VerdictRecord>> byService = new HashMap<>();
    for (VerdictRecord v : c.verdicts()) {
      byService.computeIfAbsent(v.service(), k -> new HashMap<>()).put(v.backend(), v);
    }
    for (Map.Entry<String, Map<String, VerdictRecord>> e : byService.entrySet()) {
      Optional<ServiceState> s = state.service(e.getKey());
      if (s.isEmpty()) {
        continue;
      }
      Map<String, VerdictRecord> verdicts = new HashMap<>(s.get().verdicts());
      for (VerdictRecord v : e.getValue().values()) {
        if (s.get().model().backend(v.backend()).isPresent()) {
          verdicts.put(v.backend(), v);
          recorded++;
        }
      }
      state.put(s.get().withVerdicts(verdicts));
    }
    return new ApplyResult.Applied(recorded);
  }

  private ApplyResult publishPlan(PublishPlan c) {
    RoutingPlan plan = c.plan();
    Optional<ApplyResult> conflict = c.decidedBy().flatMap(d -> termConflict(c.at(), c.actor(), d,
        "publish plan v" + plan.version() + " of " + plan.service()));
    if (conflict.isPresent()) {
      return conflict.get();
    }
    Optional<ServiceState> s = state.service(plan.service());
    if (s.isEmpty()) {
      return new ApplyResult.Rejected("no service named " + plan.service());
    }
    long current = s.get().plan().map(RoutingPlan::version).orElse(0L);
    if (current != c.basedOnVersion()) {
      return new ApplyResult.Rejected(
          "plan of " + plan.service() + " is at version " + current + ", not " + c.basedOnVersion()
              + "; decide again on the current state");
    }
    if (plan.policyVersion() < s.get().policyVersion()) {
      return new ApplyResult.Rejected(
          "plan of " + plan.service() + " was decided under policy version " + plan.policyVersion()
              + ", older than the service's " + s.get().policyVersion());
    }
    state.put(s.get().withPlan(plan));
    c.decidedBy().ifPresent(this::recordTerm);
    c.failover().ifPresent(state::failover);
    recordPlanChange(c, s.get().plan());
    incidentsAfterPlan(c);
    return new ApplyResult.Applied(plan.version());
  }

  /**
   * Opens the service's incident when the plan moved traffic away from failed backends, fails
   * open or answers a zone with nothing; updates the open one instead (one incident per episode).
   */
  private void incidentsAfterPlan(PublishPlan c) {
    RoutingPlan plan = c.plan();
    List<String> failed = c.failover().map(f -> f.failed().stream().filter(x -> x.endsWith(" UNHEALTHY"))
        .map(x -> x.substring(0, x.length() - " UNHEALTHY".length())).toList()).orElse(List.of());
    List<String> failOpen = plan.zones().stream().filter(z -> z.mode() == ZoneAnswer.Mode.FAIL_OPEN)
        .map(z -> z.zone().key()).toList();
    List<String> noAnswer = plan.zones().stream().filter(z -> z.mode() == ZoneAnswer.Mode.NO_ANSWER)
        .map(z -> z.zone().key()).toList();
    List<String> seenBy = c.failover().map(FailoverEvent::seenBy).orElse(List.of());
    List<String> changes = c.failover().map(FailoverEvent::changes).orElse(List.of());
    String service = plan.service();
    Optional<Incident> open = state.openIncident(service);
    List<String> conditions = new ArrayList<>();
    if (!failed.isEmpty()) {
      conditions.add("traffic moved away from " + String.join(", ", failed) + " (UNHEALTHY"
          + (seenBy.isEmpty() ? "" : ", seen down by " + String.join(", ", seenBy)) + ")");
    }
    if (!failOpen.isEmpty()) {
      conditions.add("zone " + String.join(", ", failOpen) + " fails open: every eligible backend looks unhealthy, so"
          + " the allowed ones are served anyway");
    }
    if (!noAnswer.isEmpty()) {
      conditions.add("zone " + String.join(", ", noAnswer) + " is answered with nothing (the residency rule)");
    }
    if (conditions.isEmpty()) {
      return;
    }
    String what = "plan v" + plan.version() + ": " + String.join("; ", conditions);
    if (open.isPresent()) {
      state.incident(open.get().updated(c.at(), what, failed, seenBy, changes));
      return;
    }
    String kind = !failed.isEmpty() ? "failover" : !noAnswer.isEmpty() ? "no-answer" : "fail-open";
    openIncident(c.at(), c.actor(), service, kind, service + ": " + String.join("; ", conditions),
        c.failover().map(FailoverEvent::detectedAt), failed, seenBy, changes, state.planChangeSequence());
  }

  private void openIncident(Instant at, String actor, String service, String kind, String summary,
      Optional<Instant> detectedAt, List<String> failed, List<String> seenBy, List<String> changes, long timeline) {
    // A chaos run whose fault is in on this service (or on no backend: a leader kill) makes it a test.
    Optional<String> chaos = state.chaosRuns().stream().filter(ChaosRun::faultIn)
        .filter(r -> r.targets().isEmpty() || r.targets().stream().anyMatch(t -> t.startsWith(service + "/")))
        .map(ChaosRun::id).findFirst();
    Incident incident = new Incident(state.nextIncidentId(), service, kind, "critical", summary, at, detectedAt,
        Optional.empty(), failed, seenBy, changes, chaos, timeline, List.of(), List.of());
    state.incident(incident);
    state.audit(at, actor, "incident.open", service, summary, "",
        "incident " + incident.id() + chaos.map(r -> " (chaos run " + r + ")").orElse(""));
  }

  /** While a service's incident is open, a backend failing again is an update, and probes going blind opens one. */
  private void incidentsAfterVerdicts(Command.RecordVerdicts c, Map<String, Map<String, Health>> before) {
    Map<String, List<VerdictRecord>> byService = new HashMap<>();
    c.verdicts().forEach(v -> byService.computeIfAbsent(v.service(), k -> new ArrayList<>()).add(v));
    for (Map.Entry<String, List<VerdictRecord>> e : byService.entrySet()) {
      Optional<ServiceState> s = state.service(e.getKey());
      if (s.isEmpty()) {
        continue;
      }
      Optional<Incident> open = state.openIncident(e.getKey());
      List<String> failing = e.getValue().stream().filter(v -> v.health() == Health.UNHEALTHY).map(VerdictRecord::backend).toList();
      if (open.isPresent() && !failing.isEmpty()) {
        List<String> seenBy = e.getValue().stream().flatMap(v -> v.downVantages().stream()).distinct().toList();
        state.incident(open.get().updated(c.at(), String.join(", ", failing) + " UNHEALTHY"
            + (seenBy.isEmpty() ? "" : " (seen down by " + String.join(", ", seenBy) + ")"), failing, seenBy, List.of()));
      }
      Map<String, Health> was = before.getOrDefault(e.getKey(), Map.of());
      boolean knewSomething = was.values().stream().anyMatch(h -> h != Health.UNKNOWN);
      boolean blindNow = !s.get().model().backends().isEmpty() && s.get().model().backends().stream()
          .allMatch(b -> Optional.ofNullable(s.get().verdicts().get(b.name())).map(VerdictRecord::health).orElse(Health.UNKNOWN)
              == Health.UNKNOWN);
      if (knewSomething && blindNow && open.isEmpty()) {
        openIncident(c.at(), c.actor(), e.getKey(), "blind", e.getKey() + ": no vantage quorum for any backend; Tern is"
            + " blind for this service and keeps its last plan", Optional.of(c.at()), List.of(), List.of(), List.of(), 0);
      }
    }
  }

  /** The cluster's pseudo-service for incidents about Tern itself (leader churn). */
  public static final String CLUSTER = "cluster";

  /**
   * Whether {@code stamp} claims a term that another node is recorded as leading. Raft elects at
   * most one leader per term, so such a claim means a node acted as leader when it was not: it is
   * refused, and audited as {@code cluster.term-conflict} so that it cannot pass unnoticed.
   */
  private Optional<ApplyResult> termConflict(Instant at, String actor, LeaderStamp stamp, String what) {
    Optional<String> recorded = state.termLeader(stamp.term());
    if (recorded.isEmpty() || recorded.get().equals(stamp.node())) {
      return Optional.empty();
    }
    String why = stamp.node() + " claims to lead term " + stamp.term() + " (to " + what + "), but "
        + recorded.get() + " is recorded as its leader";
    state.audit(at, actor, "cluster.term-conflict", "term " + stamp.term(), why, recorded.get(), stamp.node());
    return Optional.of(new ApplyResult.Rejected(why));
  }

  /** Records the stamp's node as its term's leader, unless the term is recorded already. */
  private void recordTerm(LeaderStamp stamp) {
    if (state.termLeader(stamp.term()).isEmpty()) {
      state.termLeader(stamp.term(), stamp.node());
    }
  }

  /**
   * A new leader: records it as its term's leader (a second, different claim of the term is
   * refused), and too many within the churn window opens an incident about the cluster.
   */
  private ApplyResult openTerm(Command.OpenTerm c) {
    if (c.term() != Command.OpenTerm.NO_TERM) {
      LeaderStamp stamp = new LeaderStamp(c.leader(), c.term());
      Optional<ApplyResult> conflict = termConflict(c.at(), c.actor(), stamp, "open it");
      if (conflict.isPresent()) {
        return conflict.get();
      }
      recordTerm(stamp);
    }
    int terms = state.term(c.at());
    if (terms >= ReplicatedState.LEADER_CHURN_TERMS && state.openIncident(CLUSTER).isEmpty()) {
      openIncident(c.at(), c.actor(), CLUSTER, "leader-churn", CLUSTER + ": " + terms + " leader changes in "
          + ReplicatedState.LEADER_CHURN_WINDOW.toMinutes() + " minutes, the latest to " + c.leader()
          + "; decisions and pages wait for each election", Optional.of(c.at()), List.of(), List.of(), List.of(), 0);
    } else if (terms >= ReplicatedState.LEADER_CHURN_TERMS) {
      state.openIncident(CLUSTER).ifPresent(i -> state.incident(i.updated(c.at(), "new leader " + c.leader(), List.of(),
          List.of(), List.of())));
    }
    return new ApplyResult.Applied(0);
  }

  private ApplyResult guardrailBlock(Command.RecordGuardrailBlock c) {
    if (state.service(c.service()).isEmpty()) {
      return new ApplyResult.Rejected("no service named " + c.service());
    }
    Optional<Incident> open = state.openIncident(c.service());
    String what = "a guardrail blocked an automatic action: " + c.message();
    if (open.isPresent()) {
      state.incident(open.get().updated(c.at(), what, c.keptInService(), List.of(), List.of()));
    } else {
      openIncident(c.at(), c.actor(), c.service(), "guardrail", c.service() + ": " + what, Optional.of(c.at()),
          c.keptInService(), List.of(), List.of(), 0);
    }
    return new ApplyResult.Applied(0);
  }

  private ApplyResult providerSyncFailing(Command.RecordProviderSyncFailing c) {
    if (state.service(c.service()).isEmpty()) {
      return new ApplyResult.Rejected("no service named " + c.service());
    }
    Optional<Incident> open = state.openIncident(c.service());
    String what = "provider " + c.provider() + " has failed to sync since " + c.failingSince() + ": " + c.error();
    if (open.isPresent()) {
      state.incident(open.get().updated(c.at(), what, List.of(), List.of(), List.of()));
    } else {
      openIncident(c.at(), c.actor(), c.service(), "provider-sync", c.service() + ": " + what, Optional.of(c.failingSince()),
          List.of(), List.of(), List.of(), 0);
    }
    return new ApplyResult.Applied(0);
  }

  private ApplyResult recordDelivery(Command.RecordDelivery c) {
    Optional<Incident> incident = state.incident(c.incident());
    if (incident.isEmpty()) {
      return new ApplyResult.Rejected("no incident " + c.incident());
    }
    if (c.outcome().equals("delivered") && incident.get().delivered(c.route(), c.event())) {
      return new ApplyResult.Rejected("incident " + c.incident() + "'s " + c.event() + " was already delivered to "
          + c.route());
    }
    state.incident(incident.get().withDelivery(new Incident.Delivery(c.route(), c.event(), c.at(), c.outcome())));
    return new ApplyResult.Applied(0);
  }

  private ApplyResult resolveIncident(Command.ResolveIncident c) {
    Optional<Incident> incident = state.incident(c.incident()).filter(Incident::open);
    if (incident.isEmpty()) {
      return new ApplyResult.Rejected("no open incident " + c.incident());
    }
    state.incident(incident.get().resolved(c.at(), c.why()));
    state.audit(c.at(), c.actor(), "incident.resolve", incident.get().service(), c.why(), "", "incident " + c.incident());
    return new ApplyResult.Applied(0);
  }

  /**
   * Adds the plan change to the timeline with its cause: a failover or failback (audited here, so
   * the timeline can link to it), else the operator change that preceded it, else the engine.
   */
  private void recordPlanChange(PublishPlan c, Optional<RoutingPlan> previous) {
    RoutingPlan plan = c.plan();
    PlanDiff diff = PlanDiff.between(previous, plan);
    Optional<AuditEntry> pending = state.takePendingCause(plan.service());
    if (diff.isEmpty()) {
      return;
    }
    List<String> changes = diff.render().lines().skip(1).map(String::strip).toList();
    long from = previous.map(RoutingPlan::version).orElse(0L);
    if (c.failover().isPresent()) {
      FailoverEvent f = c.failover().get();
      boolean back = f.failed().stream().noneMatch(x -> x.endsWith(" UNHEALTHY"));
      String kind = back ? "failback" : "failover";
      String cause = "health: " + String.join(", ", f.failed())
          + (f.seenBy().isEmpty() ? "" : " (seen by " + String.join(", ", f.seenBy()) + ")");
      AuditEntry entry = state.audit(c.at(), c.actor(), "plan." + kind, plan.service(), cause, "", String.join("\n", changes));
      state.planChange(plan.service(), from, plan.version(), plan.decidedAt(), kind, cause, changes,
          Optional.ofNullable(f.detectedAt()), entry.sequence(), c.decidedBy());
    } else if (pending.isPresent()) {
      AuditEntry e = pending.get();
      String kind = e.action().startsWith("backend.") ? e.action().substring("backend.".length()) : "policy";
      state.planChange(plan.service(), from, plan.version(), plan.decidedAt(), kind,
          e.actor() + ": " + e.action() + " " + e.target() + " (" + e.reason() + ")", changes, Optional.empty(), e.sequence(),
          c.decidedBy());
    } else {
      state.planChange(plan.service(), from, plan.version(), plan.decidedAt(), "engine",
          "the routing method: " + plan.zones().stream().filter(z -> diff.changes().stream().anyMatch(x -> x.zone().equals(z.zone())))
              .flatMap(z -> z.explanation().stream().filter(l -> !l.startsWith("residency:")).limit(1)).findFirst()
              .orElse("re-decided"), changes, Optional.empty(), 0, c.decidedBy());
    }
  }

  private ApplyResult startChaosRun(Command.StartChaosRun c) {
    Optional<ApplyResult> conflict = c.startedBy().flatMap(s -> termConflict(c.at(), c.actor(), s,
        "start chaos run " + c.runId()));
    if (conflict.isPresent()) {
      return conflict.get();
    }
    if (state.chaosRun(c.runId()).isPresent()) {
      return new ApplyResult.Rejected("a chaos run " + c.runId() + " already exists");
    }
    c.startedBy().ifPresent(this::recordTerm);
    state.chaosRun(new ChaosRun(c.runId(), c.scenario(), c.yaml(), c.actor(), c.reason(), c.at(), c.revertDueAt(),
        c.targets(), Optional.empty(), Optional.empty(), c.startedBy()));
    state.chaosGeneration(state.chaosGeneration() + 1);
    state.audit(c.at(), c.actor(), "chaos.start", c.scenario(), c.reason(), "",
        "run " + c.runId() + "; targets: " + String.join(", ", c.targets()) + "; revert due " + c.revertDueAt());
    return new ApplyResult.Applied(0);
  }

  private ApplyResult endChaosRun(Command.EndChaosRun c) {
    Optional<ChaosRun> run = state.chaosRun(c.runId()).filter(ChaosRun::active);
    if (run.isEmpty()) {
      return new ApplyResult.Rejected("no active chaos run " + c.runId());
    }
    ChaosRun r = run.get();
    state.chaosRun(r.ended(new ChaosRun.Ended(c.at(), c.outcome(), c.report())));
    state.chaosGeneration(state.chaosGeneration() + 1);
    state.audit(c.at(), c.actor(), "chaos.end", r.scenario(), "run " + r.id() + ": " + c.outcome(), "", c.report());
    return new ApplyResult.Applied(0);
  }

  private ApplyResult healChaosRun(Command.HealChaosRun c) {
    Optional<ChaosRun> run = state.chaosRun(c.runId()).filter(ChaosRun::faultIn);
    if (run.isEmpty()) {
      return new ApplyResult.Rejected("no chaos run " + c.runId() + " with its fault in");
    }
    state.chaosRun(run.get().withHealedAt(c.at()));
    state.chaosGeneration(state.chaosGeneration() + 1);
    return new ApplyResult.Applied(0);
  }

  private ApplyResult putScenario(Command.PutScenario c) {
    Optional<ChaosScenarioEntry> before = state.scenario(c.name());
    state.scenario(new ChaosScenarioEntry(c.name(), c.yaml(), c.actor(), c.at(),
        before.map(ChaosScenarioEntry::paused).orElse(false), before.flatMap(ChaosScenarioEntry::lastDue),
        before.map(ChaosScenarioEntry::lastResult).orElse("")));
    state.audit(c.at(), c.actor(), before.isPresent() ? "chaos.scenario.update" : "chaos.scenario.create", c.name(),
        c.reason(), before.map(ChaosScenarioEntry::yaml).orElse(""), c.yaml());
    return new ApplyResult.Applied(0);
  }

  private ApplyResult deleteScenario(Command.DeleteScenario c) {
    Optional<ChaosScenarioEntry> before = state.scenario(c.name());
    if (before.isEmpty()) {
      return new ApplyResult.Rejected("no scenario " + c.name());
    }
    state.removeScenario(c.name());
    state.audit(c.at(), c.actor(), "chaos.scenario.delete", c.name(), c.reason(), before.get().yaml(), "");
    return new ApplyResult.Applied(0);
  }

  private ApplyResult pauseScenario(Command.PauseScenario c) {
    Optional<ChaosScenarioEntry> before = state.scenario(c.name());
    if (before.isEmpty()) {
      return new ApplyResult.Rejected("no scenario " + c.name());
    }
    ChaosScenarioEntry e = before.get();
    state.scenario(new ChaosScenarioEntry(e.name(), e.yaml(), e.actor(), e.updatedAt(), c.paused(), e.lastDue(),
        e.lastResult()));
    state.audit(c.at(), c.actor(), c.paused() ? "chaos.scenario.pause" : "chaos.scenario.resume", c.name(), c.reason(),
        "", "");
    return new ApplyResult.Applied(0);
  }

  private ApplyResult scheduleFired(Command.ScheduleFired c) {
    Optional<ChaosScenarioEntry> before = state.scenario(c.name());
    if (before.isEmpty()) {
      return new ApplyResult.Rejected("no scenario " + c.name());
    }
    ChaosScenarioEntry e = before.get();
    if (e.lastDue().isPresent() && !c.dueAt().isAfter(e.lastDue().get())) {
      return new ApplyResult.Rejected("the schedule of " + c.name() + " already fired for " + e.lastDue().get());
    }
    state.scenario(new ChaosScenarioEntry(e.name(), e.yaml(), e.actor(), e.updatedAt(), e.paused(),
        Optional.of(c.dueAt()), c.result()));
    state.audit(c.at(), c.actor(), "chaos.schedule", c.name(), "due " + c.dueAt(), "", c.result());
    return new ApplyResult.Applied(0);
  }

  @Override
  public void writeContentTo(DataOutput out) throws Exception {
    writeCore(out);
    writeAppended(out);
  }

  /** The snapshot's first sections: services, audit, failovers (all a snapshot ever held). */
  void writeCore(DataOutput out) throws Exception {
    out.writeLong(state.policyVersion());
    List<ServiceState> services = new ArrayList<>(state.services());
    out.writeInt(services.size());
    for (ServiceState s : services) {
      CommandCodec.writeString(out, s.name());
      CommandCodec.writeString(out, s.yaml());
      out.writeLong(s.policyVersion());
      out.writeInt(s.drains().size());
      for (Map.Entry<String, Drain> d : s.drains().entrySet()) {
        CommandCodec.writeString(out, d.getKey());
        CommandCodec.writeString(out, d.getValue().actor());
        CommandCodec.writeInstant(out, d.getValue().at());
        CommandCodec.writeString(out, d.getValue().reason());
      }
      out.writeInt(s.verdicts().size());
      for (VerdictRecord v : s.verdicts().values()) {
        CommandCodec.writeVerdict(out, v);
      }
      out.writeBoolean(s.plan().isPresent());
      if (s.plan().isPresent()) {
        CommandCodec.writePlan(out, s.plan().get());
      }
    }
    List<AuditEntry> audit = state.allAudit();
    out.writeLong(state.auditSequence());
    out.writeInt(audit.size());
    for (AuditEntry e : audit) {
      CommandCodec.writeAudit(out, e);
    }
    List<FailoverEvent> failovers = state.allFailovers();
    out.writeInt(failovers.size());
    for (FailoverEvent e : failovers) {
      CommandCodec.writeFailover(out, e);
    }
  }

  /** Sections appended since, each read only when present, so an older snapshot still loads. */
  private void writeAppended(DataOutput out) throws Exception {
    // Appended after the failovers: a snapshot written before plan changes existed ends above.
    List<PlanChange> changes = state.allPlanChanges();
    out.writeLong(state.planChangeSequence());
    out.writeInt(changes.size());
    for (PlanChange change : changes) {
      CommandCodec.writePlanChange(out, change);
    }
    Map<String, AuditEntry> pending = new java.util.TreeMap<>(state.allPendingCauses());
    out.writeInt(pending.size());
    for (Map.Entry<String, AuditEntry> e : pending.entrySet()) {
      CommandCodec.writeString(out, e.getKey());
      CommandCodec.writeAudit(out, e.getValue());
    }
    // Appended after the timeline: a snapshot written before chaos runs existed ends above.
    List<ChaosRun> runs = state.chaosRuns();
    out.writeInt(runs.size());
    for (ChaosRun r : runs) {
      CommandCodec.writeChaosRun(out, r);
    }
    // Appended after the runs: a snapshot written before heals and the catalogue existed ends above.
    List<ChaosRun> healed = runs.stream().filter(r -> r.healedAt().isPresent()).toList();
    out.writeInt(healed.size());
    for (ChaosRun r : healed) {
      CommandCodec.writeString(out, r.id());
      CommandCodec.writeInstant(out, r.healedAt().get());
    }
    List<ChaosScenarioEntry> scenarios = state.scenarios();
    out.writeInt(scenarios.size());
    for (ChaosScenarioEntry e : scenarios) {
      CommandCodec.writeScenario(out, e);
    }
    out.writeLong(state.chaosGeneration());
    // Appended after the chaos state: a snapshot written before incidents existed ends above.
    List<Incident> incidents = state.incidents();
    out.writeLong(state.incidentSequence());
    out.writeInt(incidents.size());
    for (Incident i : incidents) {
      CommandCodec.writeIncident(out, i);
    }
    List<Instant> terms = state.recentTerms();
    out.writeInt(terms.size());
    for (Instant t : terms) {
      CommandCodec.writeInstant(out, t);
    }
    // Appended after the terms: a snapshot written before Kubernetes discovery existed ends above.
    List<ReplicatedState.DiscoveredCluster> clusters = List.copyOf(state.clusters());
    out.writeInt(clusters.size());
    for (ReplicatedState.DiscoveredCluster cluster : clusters) {
      CommandCodec.writeString(out, cluster.name());
      out.writeBoolean(cluster.stale());
      CommandCodec.writeInstant(out, cluster.at());
      Map<String, List<DiscoveredBackend>> byService = new TreeMap<>(cluster.services());
      out.writeInt(byService.size());
      for (Map.Entry<String, List<DiscoveredBackend>> e : byService.entrySet()) {
        CommandCodec.writeString(out, e.getKey());
        out.writeInt(e.getValue().size());
        for (DiscoveredBackend b : e.getValue()) {
          CommandCodec.writeDiscovered(out, b);
        }
      }
    }
    List<ServiceState> merged = state.services().stream().filter(x -> !x.discovered().isEmpty()).toList();
    out.writeInt(merged.size());
    for (ServiceState x : merged) {
      CommandCodec.writeString(out, x.name());
      out.writeInt(x.discovered().size());
      for (MergedBackend m : x.discovered().values()) {
        Backend b = m.backend();
        CommandCodec.writeDiscovered(out, new DiscoveredBackend(b.name(), m.source().orElseThrow(), b.region(),
            b.jurisdiction(), b.address(), b.weight(), b.priority(), b.capacity(), m.ready(), List.of()));
        out.writeBoolean(m.pinned());
      }
    }
    out.writeLong(state.discoveryGeneration());
    // Appended after discovery: a snapshot written before leaders stamped their terms ends above.
    Map<Long, String> leaders = state.termLeaders();
    out.writeInt(leaders.size());
    for (Map.Entry<Long, String> e : leaders.entrySet()) {
      out.writeLong(e.getKey());
      CommandCodec.writeString(out, e.getValue());
    }
    List<PlanChange> decided = changes.stream().filter(x -> x.decidedBy().isPresent()).toList();
    out.writeInt(decided.size());
    for (PlanChange x : decided) {
      out.writeLong(x.sequence());
      CommandCodec.writeStamp(out, x.decidedBy().get());
    }
    List<ChaosRun> started = runs.stream().filter(r -> r.startedBy().isPresent()).toList();
    out.writeInt(started.size());
    for (ChaosRun r : started) {
      CommandCodec.writeString(out, r.id());
      CommandCodec.writeStamp(out, r.startedBy().get());
    }
  }

  @Override
  public void readContentFrom(DataInput in) throws Exception {
    state.clear();
    long policyVersion = in.readLong();
    int services = in.readInt();
    for (int i = 0; i < services; i++) {
      String name = CommandCodec.readString(in);
      String yaml = CommandCodec.readString(in);
      long version = in.readLong();
      Map<String, Drain> drains = new HashMap<>();
      int n = in.readInt();
      for (int j = 0; j < n; j++) {
        drains.put(CommandCodec.readString(in),
            new Drain(CommandCodec.readString(in), CommandCodec.readInstant(in), CommandCodec.readString(in)));
      }
      Map<String, VerdictRecord> verdicts = new HashMap<>();
      n = in.readInt();
      for (int j = 0; j < n; j++) {
        VerdictRecord v = CommandCodec.readVerdict(in);
        verdicts.put(v.backend(), v);
      }
      Optional<RoutingPlan> plan = in.readBoolean() ? Optional.of(CommandCodec.readPlan(in)) : Optional.empty();
      Service model = parseService(yaml, name)
          .orElseThrow(() -> new IllegalStateException("snapshot holds a policy for " + name + " that no longer parses"));
      state.put(new ServiceState(name, yaml, model, version, drains, verdicts, plan));
    }
    state.policyVersion(policyVersion);
    long auditSequence = in.readLong();
    int auditCount = in.readInt();
    List<AuditEntry> audit = new ArrayList<>(auditCount);
    for (int i = 0; i < auditCount; i++) {
      audit.add(CommandCodec.readAudit(in));
    }
    state.restoreAudit(auditSequence, audit);
    int failoverCount = in.readInt();
    List<FailoverEvent> failovers = new ArrayList<>(failoverCount);
    for (int i = 0; i < failoverCount; i++) {
      failovers.add(CommandCodec.readFailover(in));
    }
    state.restoreFailovers(failovers);
    long planChangeSequence;
    try {
      planChangeSequence = in.readLong();
    } catch (java.io.EOFException olderSnapshot) {
      return; // Written before plan changes were kept: the timeline starts empty.
    }
    int changeCount = in.readInt();
    List<PlanChange> changes = new ArrayList<>(changeCount);
    for (int i = 0; i < changeCount; i++) {
      changes.add(CommandCodec.readPlanChange(in));
    }
    int pendingCount = in.readInt();
    Map<String, AuditEntry> pending = new HashMap<>();
    for (int i = 0; i < pendingCount; i++) {
      pending.put(CommandCodec.readString(in), CommandCodec.readAudit(in));
    }
    state.restorePlanChanges(planChangeSequence, changes, pending);
    int runCount;
    try {
      runCount = in.readInt();
    } catch (java.io.EOFException olderSnapshot) {
      return; // Written before chaos runs were kept.
    }
    List<ChaosRun> runs = new ArrayList<>(runCount);
    for (int i = 0; i < runCount; i++) {
      runs.add(CommandCodec.readChaosRun(in));
    }
    int healedCount;
    try {
      healedCount = in.readInt();
    } catch (java.io.EOFException olderSnapshot) {
      state.restoreChaosRuns(runs);
      return; // Written before heals and the scenario catalogue were kept.
    }
    Map<String, Instant> heals = new HashMap<>();
    for (int i = 0; i < healedCount; i++) {
      heals.put(CommandCodec.readString(in), CommandCodec.readInstant(in));
    }
    state.restoreChaosRuns(runs.stream().map(r -> heals.containsKey(r.id()) ? r.withHealedAt(heals.get(r.id())) : r).toList());
    int scenarioCount = in.readInt();
    List<ChaosScenarioEntry> scenarios = new ArrayList<>(scenarioCount);
    for (int i = 0; i < scenarioCount; i++) {
      scenarios.add(CommandCodec.readScenario(in));
    }
    state.restoreScenarios(scenarios);
    state.chaosGeneration(in.readLong());
    long incidentSequence;
    try {
      incidentSequence = in.readLong();
    } catch (java.io.EOFException olderSnapshot) {
      return; // Written before incidents were kept.
    }
    int incidentCount = in.readInt();
    List<Incident> incidents = new ArrayList<>(incidentCount);
    for (int i = 0; i < incidentCount; i++) {
      incidents.add(CommandCodec.readIncident(in));
    }
    state.restoreIncidents(incidentSequence, incidents);
    int termCount;
    try {
      termCount = in.readInt();
    } catch (java.io.EOFException olderSnapshot) {
      return; // Written before leader changes were counted.
    }
    List<Instant> terms = new ArrayList<>(termCount);
    for (int i = 0; i < termCount; i++) {
      terms.add(CommandCodec.readInstant(in));
    }
    state.restoreTerms(terms);
    int clusterCount;
    try {
      clusterCount = in.readInt();
    } catch (java.io.EOFException olderSnapshot) {
      return; // Written before Kubernetes discovery existed.
    }
    for (int i = 0; i < clusterCount; i++) {
      String name = CommandCodec.readString(in);
      boolean stale = in.readBoolean();
      Instant at = CommandCodec.readInstant(in);
      int serviceCount = in.readInt();
      Map<String, List<DiscoveredBackend>> byService = new TreeMap<>();
      for (int j = 0; j < serviceCount; j++) {
        String service = CommandCodec.readString(in);
        int n = in.readInt();
        List<DiscoveredBackend> backends = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
          backends.add(CommandCodec.readDiscovered(in));
        }
        byService.put(service, backends);
      }
      state.cluster(new ReplicatedState.DiscoveredCluster(name, stale, at, byService));
    }
    int mergedCount = in.readInt();
    for (int i = 0; i < mergedCount; i++) {
      ServiceState x = state.service(CommandCodec.readString(in)).orElseThrow(
          () -> new IllegalStateException("snapshot holds discovered backends of a service it does not hold"));
      Service declared = x.model();
      int n = in.readInt();
      Map<String, MergedBackend> discovered = new TreeMap<>();
      for (int j = 0; j < n; j++) {
        DiscoveredBackend d = CommandCodec.readDiscovered(in);
        boolean pinned = in.readBoolean();
        Backend b = new Backend(d.name(), d.region(), d.jurisdiction(), d.address(), d.weight(), d.priority(),
            d.capacity(), declared.discovery().healthCheck());
        discovered.put(d.name(), new MergedBackend(b, Optional.of(d.source()), d.ready(), pinned));
      }
      List<Backend> backends = new ArrayList<>(declared.backends());
      discovered.values().forEach(m -> backends.add(m.backend()));
      state.put(new ServiceState(x.name(), x.yaml(), declared.withBackends(backends), x.policyVersion(), x.drains(),
          x.verdicts(), x.plan(), discovered));
    }
    state.discoveryGeneration(in.readLong());
    int leaderCount;
    try {
      leaderCount = in.readInt();
    } catch (java.io.EOFException olderSnapshot) {
      return; // Written before leaders stamped their terms.
    }
    Map<Long, String> leaders = new TreeMap<>();
    for (int i = 0; i < leaderCount; i++) {
      leaders.put(in.readLong(), CommandCodec.readString(in));
    }
    state.restoreTermLeaders(leaders);
    int decidedCount = in.readInt();
    Map<Long, LeaderStamp> deciders = new HashMap<>();
    for (int i = 0; i < decidedCount; i++) {
      deciders.put(in.readLong(), CommandCodec.readStamp(in));
    }
    int startedCount = in.readInt();
    Map<String, LeaderStamp> starters = new HashMap<>();
    for (int i = 0; i < startedCount; i++) {
      starters.put(CommandCodec.readString(in), CommandCodec.readStamp(in));
    }
    state.restoreStamps(deciders, starters);
  }
}
