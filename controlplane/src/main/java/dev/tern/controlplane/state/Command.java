package dev.tern.controlplane.state;

import dev.tern.policy.health.Health;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.controlplane.kubernetes.DiscoveredBackend;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A change to the replicated state, as it travels through the Raft log. The API and the decision
 * loop validate and generate commands; {@link TernStateMachine} only replays them.
 *
 * <p>Every command has a stable numeric {@link #id()} and a {@link #version()} of its encoding
 * (see {@link CommandCodec}); neither ever changes meaning, so an old log always replays. A new
 * field means a new version, decoded side by side with the old one.
 *
 * <p>Time is part of the command ({@code at}), set by whoever generated it, so that replay never
 * reads a clock.
 */
public sealed interface Command {

  /** Stable ids in the log, one per command type; an id is never reused. */
  final class Ids {
    public static final short PUT_SERVICE = 1;
    public static final short DELETE_SERVICE = 2;
    public static final short SET_DRAIN = 3;
    public static final short RECORD_VERDICTS = 4;
    public static final short PUBLISH_PLAN = 5;
    public static final short RECORD_MEMBERSHIP = 6;
    public static final short OPEN_TERM = 7;
    public static final short START_CHAOS_RUN = 8;
    public static final short END_CHAOS_RUN = 9;
    public static final short PUT_SCENARIO = 10;
    public static final short DELETE_SCENARIO = 11;
    public static final short PAUSE_SCENARIO = 12;
    public static final short HEAL_CHAOS_RUN = 13;
    public static final short SCHEDULE_FIRED = 14;
    public static final short RECORD_DELIVERY = 15;
    public static final short RESOLVE_INCIDENT = 16;
    public static final short RECORD_GUARDRAIL_BLOCK = 17;
    public static final short RECORD_PROVIDER_SYNC_FAILING = 18;
    public static final short RECORD_PROVIDER_DRIFT = 19;
    public static final short RECORD_DISCOVERY = 20;
    /** The highest id this node knows. */
    static final short NEWEST = RECORD_DISCOVERY;

    private Ids() {}
  }

  /** This command's stable id in the log. */
  default short id() {
    return switch (this) {
      case PutService c -> Ids.PUT_SERVICE;
      case DeleteService c -> Ids.DELETE_SERVICE;
      case SetDrain c -> Ids.SET_DRAIN;
      case RecordVerdicts c -> Ids.RECORD_VERDICTS;
      case PublishPlan c -> Ids.PUBLISH_PLAN;
      case RecordMembership c -> Ids.RECORD_MEMBERSHIP;
      case OpenTerm c -> Ids.OPEN_TERM;
      case StartChaosRun c -> Ids.START_CHAOS_RUN;
      case EndChaosRun c -> Ids.END_CHAOS_RUN;
      case PutScenario c -> Ids.PUT_SCENARIO;
      case DeleteScenario c -> Ids.DELETE_SCENARIO;
      case PauseScenario c -> Ids.PAUSE_SCENARIO;
      case HealChaosRun c -> Ids.HEAL_CHAOS_RUN;
      case ScheduleFired c -> Ids.SCHEDULE_FIRED;
      case RecordDelivery c -> Ids.RECORD_DELIVERY;
      case ResolveIncident c -> Ids.RESOLVE_INCIDENT;
      case RecordGuardrailBlock c -> Ids.RECORD_GUARDRAIL_BLOCK;
      case RecordProviderSyncFailing c -> Ids.RECORD_PROVIDER_SYNC_FAILING;
      case RecordProviderDrift c -> Ids.RECORD_PROVIDER_DRIFT;
      case RecordDiscovery c -> Ids.RECORD_DISCOVERY;
    };
  }

  /** Version of this command's encoding: the first, unless the command says otherwise. */
  default byte version() {
    return 1;
  }

  /** When the command was generated. */
  Instant at();

  /** Who asked: an API principal's name, or {@code decision-loop}. */
  String actor();

  /**
   * Creates or replaces one service's policy, written as one YAML {@code kind: Service} document.
   *
   * @param ifVersion apply only if the service is at this policy version (0: it must not exist
   *     yet), so an edit made on a stale copy is refused instead of silently undoing someone
   *     else's; {@link #ANY_VERSION} applies whatever the version. Version 2 of the encoding; a
   *     version 1 entry replays as {@code ANY_VERSION}.
   */
  record PutService(String actor, Instant at, String reason, String name, String yaml, long ifVersion) implements Command {
    public static final long ANY_VERSION = -1;

    public PutService {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(yaml, "yaml");
      Objects.requireNonNull(reason, "reason");
    }

    /** A put that applies whatever the service's current version. */
    public PutService(String actor, Instant at, String reason, String name, String yaml) {
      this(actor, at, reason, name, yaml, ANY_VERSION);
    }

    @Override
    public byte version() {
      return 2;
    }
  }

  /** Deletes one service, its plan and its health records. */
  record DeleteService(String actor, Instant at, String reason, String name) implements Command {}

  /** Takes a backend out of service by hand, or puts it back. */
  record SetDrain(String actor, Instant at, String reason, String service, String backend, boolean drained)
      implements Command {}

  /** Health verdicts that changed, as the leader's health book saw them at {@code at}. */
  record RecordVerdicts(String actor, Instant at, List<VerdictRecord> verdicts) implements Command {
    public RecordVerdicts {
      verdicts = List.copyOf(verdicts);
    }
  }

  /**
   * A new plan for a service, decided on the leader. Rejected unless the service's current plan
   * is still {@code basedOnVersion} (0 for none): a decision taken on a stale view never lands.
   */
  record PublishPlan(
      String actor, Instant at, long basedOnVersion, RoutingPlan plan, Optional<FailoverEvent> failover,
      Optional<LeaderStamp> decidedBy)
      implements Command {
    public PublishPlan {
      Objects.requireNonNull(plan, "plan");
      Objects.requireNonNull(failover, "failover");
      Objects.requireNonNull(decidedBy, "decidedBy");
    }

    /** A plan with no leader's stamp, as version 1 of the encoding carried it. */
    public PublishPlan(String actor, Instant at, long basedOnVersion, RoutingPlan plan, Optional<FailoverEvent> failover) {
      this(actor, at, basedOnVersion, plan, failover, Optional.empty());
    }

    /** Version 2 carries {@code decidedBy}; a version 1 entry replays without it. */
    @Override
    public byte version() {
      return 2;
    }
  }

  /** An audit record of a membership change made through the API (Raft applies the change itself). */
  record RecordMembership(String actor, Instant at, String reason, String action, String member)
      implements Command {}

  /**
   * One backend's verdict as replicated.
   *
   * @param downVantages the vantage points that saw it down, for the console and the pager
   */
  record VerdictRecord(
      String service,
      String backend,
      Health health,
      Instant since,
      Optional<Instant> lastUnhealthy,
      String reason,
      List<String> downVantages) {
    public VerdictRecord {
      downVantages = List.copyOf(downVantages);
    }
  }

  /**
   * A new leader's first entry. Raft lets a leader count replicas only for entries of its own term,
   * so an entry acknowledged under the previous leader is committed (and applied on every node,
   * the new leader included) only once the new leader commits something of its own. Committing
   * this at once means no acknowledged write waits for the next real one.
   *
   * <p>It also records {@code leader} as the leader of {@code term}, so that whatever a node did
   * as leader (a plan, a chaos run, a page) can be checked against the one node that led its term.
   * Version 2 of the encoding carries the term; a version 1 entry replays with {@link #NO_TERM}
   * and records nothing.
   */
  record OpenTerm(String actor, Instant at, String leader, long term) implements Command {
    /** The term of an entry written before terms were carried. */
    public static final long NO_TERM = 0;

    public OpenTerm {
      Objects.requireNonNull(leader, "leader");
      if (term < NO_TERM) {
        throw new IllegalArgumentException("term " + term + " is negative");
      }
    }

    @Override
    public byte version() {
      return 2;
    }
  }

  /**
   * A chaos run begins: committed before its fault is injected, with the time it must be reverted
   * by, and the leader that starts it ({@code startedBy}: version 2 of the encoding; a version 1
   * entry replays without it).
   */
  record StartChaosRun(String actor, Instant at, String reason, String runId, String scenario, String yaml,
      List<String> targets, Instant revertDueAt, Optional<LeaderStamp> startedBy) implements Command {
    public StartChaosRun {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(scenario, "scenario");
      Objects.requireNonNull(yaml, "yaml");
      targets = List.copyOf(targets);
      Objects.requireNonNull(revertDueAt, "revertDueAt");
      Objects.requireNonNull(startedBy, "startedBy");
    }

    /** A start with no leader's stamp, as version 1 of the encoding carried it. */
    public StartChaosRun(String actor, Instant at, String reason, String runId, String scenario, String yaml,
        List<String> targets, Instant revertDueAt) {
      this(actor, at, reason, runId, scenario, yaml, targets, revertDueAt, Optional.empty());
    }

    @Override
    public byte version() {
      return 2;
    }
  }

  /** A chaos run ends, its fault reverted: its outcome and report. */
  record EndChaosRun(String actor, Instant at, String runId, String outcome, String report) implements Command {
    public EndChaosRun {
      Objects.requireNonNull(runId, "runId");
      Objects.requireNonNull(outcome, "outcome");
      Objects.requireNonNull(report, "report");
    }
  }

  /** A chaos run's fault was reverted (the run stays active while the recovery is watched). */
  record HealChaosRun(String actor, Instant at, String runId) implements Command {
    public HealChaosRun {
      Objects.requireNonNull(runId, "runId");
    }
  }

  /** Adds a scenario to the catalogue or replaces it (its schedule's history is kept). */
  record PutScenario(String actor, Instant at, String reason, String name, String yaml) implements Command {
    public PutScenario {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(yaml, "yaml");
    }
  }

  /** Removes a scenario from the catalogue; its past runs stay. */
  record DeleteScenario(String actor, Instant at, String reason, String name) implements Command {
    public DeleteScenario {
      Objects.requireNonNull(name, "name");
    }
  }

  /** Pauses a scenario's schedule, or resumes it. */
  record PauseScenario(String actor, Instant at, String reason, String name, boolean paused) implements Command {
    public PauseScenario {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * A scenario's schedule came due at {@code dueAt}: what became of it (a run started, or skipped
   * and why). Committed by the leader before the run starts, so that no start time fires twice.
   */
  record ScheduleFired(String actor, Instant at, String name, Instant dueAt, String result) implements Command {
    public ScheduleFired {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(dueAt, "dueAt");
      Objects.requireNonNull(result, "result");
    }
  }

  /**
   * The leader told (or failed to tell) one alerting route of an incident's trigger or resolve:
   * recorded, so that the next leader sends only what was not delivered.
   */
  record RecordDelivery(String actor, Instant at, long incident, String route, String event, String outcome)
      implements Command {
    public RecordDelivery {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(outcome, "outcome");
    }
  }

  /**
   * An incident's condition cleared (the leader saw its backends healthy long enough): it
   * resolves, once; a second resolve of the same incident is refused.
   */
  record ResolveIncident(String actor, Instant at, long incident, String why) implements Command {
    public ResolveIncident {
      Objects.requireNonNull(why, "why");
    }
  }

  /**
   * A guardrail kept automation from acting for a service (unhealthy backends kept in service):
   * the leader's decision records it once per episode, and it opens (or updates) an incident.
   */
  record RecordGuardrailBlock(String actor, Instant at, String service, String message, List<String> keptInService)
      implements Command {
    public RecordGuardrailBlock {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(message, "message");
      keptInService = List.copyOf(keptInService);
    }
  }

  /**
   * A provider has failed to serve a service's plan for longer than the alert threshold: the
   * leader's reconciler records it once per episode, and it opens (or updates) an incident.
   */
  record RecordProviderSyncFailing(String actor, Instant at, String service, String provider, Instant failingSince,
      String error) implements Command {
    public RecordProviderSyncFailing {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(failingSince, "failingSince");
      Objects.requireNonNull(error, "error");
    }
  }

  /**
   * A provider found a hand edit in the cloud (changes for a plan version it had already applied)
   * and corrected it, or left it under upsert-only: recorded in the audit log, once per reconcile.
   */
  record RecordProviderDrift(String actor, Instant at, String service, String provider, List<String> changes)
      implements Command {
    public RecordProviderDrift {
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(provider, "provider");
      changes = List.copyOf(changes);
    }
  }

  /**
   * What one Kubernetes cluster's discovery sees, committed by the leader whenever it changed: per
   * Tern service, the backends labelled for it. {@code stale} says the cluster's API server could
   * not be listed; the backends are then the last ones seen, never dropped for that.
   */
  record RecordDiscovery(String actor, Instant at, String cluster, boolean stale,
      Map<String, List<DiscoveredBackend>> services) implements Command {
    public RecordDiscovery {
      Objects.requireNonNull(cluster, "cluster");
      Map<String, List<DiscoveredBackend>> copy = new TreeMap<>();
      services.forEach((service, backends) -> copy.put(service, List.copyOf(backends)));
      services = Collections.unmodifiableMap(copy);
    }
  }
}
