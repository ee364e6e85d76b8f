package dev.tern.controlplane.decision;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.controlplane.state.FailoverEvent;
import dev.tern.controlplane.state.LeaderStamp;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.health.BackendHealth;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.Decision;
import dev.tern.policy.routing.HealthView;
import dev.tern.policy.routing.PlanDiff;
import dev.tern.policy.routing.PlanWarning;
import dev.tern.policy.routing.RoutingEngine;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The leader's loop: each tick it evaluates the health book, commits the verdicts that changed,
 * then decides every service on the committed verdicts and commits the plans that changed. It runs
 * on every node and acts only while the node is leader; a decision whose base plan changed
 * meanwhile is rejected by the state machine, so a deposed leader cannot overwrite a newer plan.
 *
 * <p>Each tick reads the term this node leads once; every plan it publishes is stamped with this
 * node and that term, and the tick stops as soon as the node no longer leads that same term.
 */
public final class DecisionLoop implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(DecisionLoop.class.getName());
  static final String ACTOR = "decision-loop";

  private final RaftNode node;
  private final HealthBook book;
  private final Clock clock;
  private final Duration commitTimeout;
  private final RoutingEngine engine = new RoutingEngine();
  private final Map<String, CompiledService> compiled = new ConcurrentHashMap<>();
  private final List<Consumer<PlanWarning>> warningListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  /** Services whose guardrail block this node recorded and that still have one. */
  private final Set<String> guardrailReported = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final List<Consumer<Duration>> tickListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  /**
   * When this node's health book began to hear from the probes without a break: the process start,
   * or the end of a stop (a pause, a starved JVM) that kept it from ingesting.
   */
  private volatile Instant bookSince;
  /** Ticks further apart than this mean the node was stopped meanwhile; null when ticked by hand. */
  private volatile Duration stoppedAfter;
  private Instant lastTick;
  /** The term whose start this node's book last took the cluster's verdicts at; ticks run on one thread. */
  private long adoptedTerm = -1;
  private ScheduledExecutorService executor;

  public DecisionLoop(RaftNode node, HealthBook book, Clock clock, Duration commitTimeout) {
    this.node = node;
    this.book = book;
    this.clock = clock;
    this.commitTimeout = commitTimeout;
    this.bookSince = clock.instant();
  }

  /** Ticks every {@code interval} on a thread of its own. */
  public DecisionLoop start(Duration interval) {
    Duration fourTicks = interval.multipliedBy(4);
    stoppedAfter = fourTicks.compareTo(MIN_STOP) > 0 ? fourTicks : MIN_STOP;
    executor = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().name("decision-loop").daemon().unstarted(r));
    executor.scheduleWithFixedDelay(this::safeTick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    return this;
  }

  /** Called after each tick on the leader with how long it took, commits included. */
  public void onTick(Consumer<Duration> listener) {
    tickListeners.add(listener);
  }

  /** Warnings of each committed decision (fail-open, residency fallback, blocked guardrails, ...). */
  public void onWarning(Consumer<PlanWarning> listener) {
    warningListeners.add(listener);
  }

  private void safeTick() {
    try {
      tick();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "decision tick failed; retrying next tick", e);
    }
  }

  /** One round; returns the number of plans committed (0 on a follower). */
  public int tick() {
    noticeStop();
    OptionalLong term = node.leadingTerm();
    if (term.isEmpty()) {
      return 0;
    }
    LeaderStamp stamp = new LeaderStamp(node.nodeId(), term.getAsLong());
    long started = System.nanoTime();
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    if (adoptedTerm != term.getAsLong()) {
      // The book's verdicts are from the last term this node led; the cluster's may have moved on since.
      book.adoptCommittedVerdicts(now);
      adoptedTerm = term.getAsLong();
    }
    Map<String, Map<String, BackendHealth>> evaluated = book.evaluate(now);
    commitTransitions(evaluated, now);
    int committed = 0;
    for (ServiceState s : node.state().services()) {
      if (!node.leadingTerm().equals(term)) {
        return committed;
      }
      if (decide(s, now, stamp)) {
        committed++;
      }
    }
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    if (took.compareTo(SLOW_TICK) > 0) {
      LOG.warning(() -> "decision tick of term " + stamp.term() + " took " + took.toMillis()
          + " ms (commits included)");
    }
    tickListeners.forEach(l -> l.accept(took));
    return committed;
  }

  /** A tick slower than this is logged: the commits behind it are stuck, or the node is starved. */
  static final Duration SLOW_TICK = Duration.ofSeconds(2);

  /** The shortest gap between two scheduled ticks taken for a stop of the node. */
  static final Duration MIN_STOP = Duration.ofSeconds(3);

  /**
   * A node that was stopped (SIGSTOP, a long GC pause, a starved VM) heard nothing from the probes
   * meanwhile: its book looks as if they had fallen silent. It warms up again, as after a start.
   */
  private synchronized void noticeStop() {
    Instant wall = clock.instant();
    Duration limit = stoppedAfter;
    if (limit != null && lastTick != null && Duration.between(lastTick, wall).compareTo(limit) > 0) {
      Duration gap = Duration.between(lastTick, wall);
      LOG.info(() -> "no decision tick for " + gap.toMillis() + " ms: this node was stopped; its health book warms up"
          + " again");
      bookSince = wall;
    }
    lastTick = wall;
  }

  private void commitTransitions(Map<String, Map<String, BackendHealth>> evaluated, Instant now) {
    List<VerdictRecord> changed = new ArrayList<>();
    for (var service : evaluated.entrySet()) {
      Optional<ServiceState> s = node.state().service(service.getKey());
      if (s.isEmpty()) {
        continue;
      }
      // A book younger than the service's staleAfter may not have heard from every probe yet (this node has
      // just started, and leads at once after a restart of the whole cluster, or it was stopped and leads still):
      // that it knows nothing of a backend says nothing about the probes, so it does not overwrite what the
      // cluster knew with UNKNOWN. Were the probes really silent, the verdict turns UNKNOWN once the window passed.
      boolean warmingUp = now.isBefore(bookSince.plus(s.get().model().health().staleAfter()));
      for (BackendHealth b : service.getValue().values()) {
        HealthVerdict v = b.verdict();
        VerdictRecord current = s.get().verdicts().get(b.backend());
        Health replicated = current == null ? Health.UNKNOWN : current.health();
        if (warmingUp && v.health() == Health.UNKNOWN) {
          continue;
        }
        if (v.health() != replicated) {
          changed.add(new VerdictRecord(service.getKey(), b.backend(), v.health(), v.since().truncatedTo(ChronoUnit.MILLIS),
              v.lastUnhealthy().map(t -> t.truncatedTo(ChronoUnit.MILLIS)), v.reason(), v.downVantages()));
        }
      }
    }
    if (!changed.isEmpty()) {
      node.submit(new Command.RecordVerdicts(ACTOR, now, changed), commitTimeout).join();
      LOG.info(() -> "verdicts committed: " + changed.stream()
          .map(v -> v.service() + "/" + v.backend() + " " + v.health() + " (" + v.reason() + ")").toList());
    }
  }

  private boolean decide(ServiceState s, Instant now, LeaderStamp stamp) {
    CompiledService c = compiled.compute(s.name(), (k, before) ->
        before != null && before.service() == s.model() ? before : CompiledService.of(s.model()));
    Map<String, HealthVerdict> verdicts = new HashMap<>();
    s.verdicts().forEach((name, v) -> verdicts.put(name,
        new HealthVerdict(name, v.health(), v.since(), v.lastUnhealthy(), List.of(), v.reason())));
    HealthView view = new HealthView(verdicts, book.latency(s.name(), now), s.drains().keySet());
    Optional<RoutingPlan> previous = s.plan();
    Decision d = engine.decide(c, s.policyVersion(), view, previous, now);
    reportGuardrails(s, d, now);
    if (!d.changed()) {
      return false;
    }
    Optional<FailoverEvent> failover = failover(s, previous, d.plan(), now);
    ApplyResult result = node.submit(
        new Command.PublishPlan(ACTOR, now, previous.map(RoutingPlan::version).orElse(0L), d.plan(), failover,
            Optional.of(stamp)),
        commitTimeout).join();
    if (result.applied()) {
      d.warnings().forEach(w -> warningListeners.forEach(l -> l.accept(w)));
      return true;
    }
    LOG.info(() -> "plan of " + s.name() + " not committed: " + result);
    return false;
  }

  /**
   * Records a guardrail that blocked an automatic action, once per episode per service (again
   * after a leader change, which the incident takes as an update): it opens an incident.
   */
  private void reportGuardrails(ServiceState s, Decision d, Instant now) {
    List<String> blocked = d.warnings().stream().filter(w -> w.kind() == PlanWarning.Kind.GUARDRAIL_BLOCKED)
        .map(PlanWarning::message).distinct().toList();
    if (blocked.isEmpty()) {
      guardrailReported.remove(s.name());
      return;
    }
    if (!guardrailReported.add(s.name())) {
      return;
    }
    List<String> kept = s.verdicts().values().stream().filter(v -> v.health() == Health.UNHEALTHY)
        .map(VerdictRecord::backend).sorted().toList();
    ApplyResult result = node.submit(new Command.RecordGuardrailBlock(ACTOR, now, s.name(), String.join("; ", blocked), kept),
        commitTimeout).join();
    if (!result.applied()) {
      guardrailReported.remove(s.name());
    }
  }

  /**
   * A failover event when health, not an operator, moved traffic: the plan changed under the same
   * policy, and the cause is every verdict that changed since the previous plan was decided
   * (a failure, or a recovery whose failback delay has now passed).
   */
  private static Optional<FailoverEvent> failover(ServiceState s, Optional<RoutingPlan> previous, RoutingPlan next, Instant now) {
    if (previous.isEmpty() || previous.get().policyVersion() != next.policyVersion()) {
      return Optional.empty();
    }
    Set<String> seenBy = new LinkedHashSet<>();
    List<String> changed = new ArrayList<>();
    Instant detected = now;
    for (VerdictRecord v : s.verdicts().values()) {
      boolean firstVerdict = v.health() != Health.UNHEALTHY && v.lastUnhealthy().isEmpty();
      if (v.since().isAfter(previous.get().decidedAt()) && !firstVerdict) {
        changed.add(v.backend() + " " + v.health());
        seenBy.addAll(v.downVantages());
        detected = v.since().isBefore(detected) ? v.since() : detected;
      }
    }
    if (changed.isEmpty()) {
      return Optional.empty();
    }
    PlanDiff diff = PlanDiff.between(previous, next);
    List<String> changes = new ArrayList<>();
    diff.changes().forEach(z -> z.lines().forEach(l -> changes.add(z.zone().key() + ": " + l)));
    return Optional.of(new FailoverEvent(s.name(), previous.get().version(), next.version(), changed,
        List.copyOf(seenBy), changes, detected, now));
  }

  @Override
  public void close() {
    if (executor != null) {
      executor.shutdownNow();
    }
  }
}
