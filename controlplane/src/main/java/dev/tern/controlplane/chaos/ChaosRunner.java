package dev.tern.controlplane.chaos;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.run.TargetResolver;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.ParsedScenarios;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.chaos.verdict.Report;
import dev.tern.chaos.verdict.RunRecord;
import dev.tern.chaos.verdict.Verdicts;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.ChaosRun;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.health.Health;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.json.JsonMapper;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * Runs chaos scenarios on the leader: resolves the targets, commits the run (with the time its
 * fault must be reverted by) before injecting, records every plan committed while it lasts,
 * aborts on a stop condition or the kill switch, reverts, watches the recovery, and commits the
 * verdict. A node that becomes leader reverts every run still active that it is not running
 * itself, on time, so a fault outlives no leader.
 *
 * <p>It is created with the node (not on first use), so that it watches for leadership from the
 * start. Threading: each run has its own virtual thread; plans arrive on the state machine's applying
 * thread and are handed to the runs that watch their service.
 */
@Context
public final class ChaosRunner implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ChaosRunner.class.getName());
  private static final String ACTOR = "chaos-runner";
  /** How long after the heal the recovery is watched when the scenario names no failback time. */
  static final Duration DEFAULT_RECOVERY_WATCH = Duration.ofSeconds(10);
  /** How often stop conditions are checked while a fault is in. */
  static final Duration STOP_CHECK = Duration.ofMillis(500);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

  /** What starting a run (or its dry run) resolved. */
  @Serdeable
  public record Started(String runId, String scenario, boolean dryRun, List<String> targets, Instant revertDueAt) {}

  /** A run that may not start, with the reasons in words. */
  public static final class RefusedException extends RuntimeException {
    RefusedException(String message) {
      super(message);
    }
  }

  /** One step of a run, for its report. */
  @Serdeable
  record Step(Instant at, String event) {}

  /** One expectation's result, for the report. */
  @Serdeable
  record ResultView(String expectation, String outcome, String evidence) {}

  /** The report of a run as it is kept in the replicated state and served. */
  @Serdeable
  record ReportView(String runId, String scenario, String hypothesis, String outcome, String injector, List<String> targets,
      List<Step> timeline, List<ResultView> results, String note) {}

  private final RaftNode node;
  private final Clock clock;
  private final JsonMapper json;
  private final Map<String, FaultInjector> injectors = new HashMap<>();
  private final Map<String, LocalRun> running = new ConcurrentHashMap<>();
  private final ScenarioParser parser = new ScenarioParser();
  private volatile boolean closed;

  private final MeterRegistry metrics;

  ChaosRunner(RaftNode node, Clock clock, JsonMapper json, List<FaultInjector> injectors, MeterRegistry metrics) {
    this.node = node;
    this.clock = clock;
    this.json = json;
    this.metrics = metrics;
    Gauge.builder("tern.chaos.active", node, n -> n.state().chaosRuns().stream().filter(ChaosRun::active).count())
        .description("Chaos runs whose fault is in (or not yet reverted)").register(metrics);
    injectors.forEach(i -> this.injectors.put(i.kind().key(), i));
    node.onApplied(this::applied);
    node.onLeadershipChange(leader -> {
      if (leader) {
        Thread.ofVirtual().name("chaos-adopt").start(this::revertOrphans);
      }
    });
  }

  /**
   * Starts {@code yaml}'s one scenario now (or, with {@code dryRun}, only resolves its targets and
   * checks what would stop it). Only the leader runs scenarios.
   */
  public Started start(String yaml, String reason, String actor, boolean dryRun) {
    ParsedScenarios parsed = parser.parse(yaml);
    if (!parsed.isValid()) {
      throw new RefusedException("the scenario is invalid: " + String.join("; ",
          parsed.violations().stream().limit(5).map(v -> v.format("scenario")).toList()));
    }
    if (parsed.scenarios().size() != 1) {
      throw new RefusedException("send one scenario per run; the file holds " + parsed.scenarios().size());
    }
    Scenario scenario = parsed.scenarios().getFirst();
    FaultInjector injector = injectors.get(scenario.injector().key());
    if (injector == null) {
      throw new RefusedException("this node has no " + scenario.injector().key() + " injector"
          + (scenario.injector().key().equals("demo") ? " (it exists only in tern demo)" : ""));
    }
    if (injector instanceof DemoInjector && !DemoInjector.injects(scenario.fault())) {
      throw new RefusedException("the demo injector injects outages and probe partitions; " + scenario.fault().kind()
          + " is not built yet");
    }
    List<TargetBackend> targets = switch (TargetResolver.resolve(scenario.targets(), node.state().policy())) {
      case TargetResolver.Resolved r -> r.backends();
      case TargetResolver.Refused r -> throw new RefusedException(String.join("; ", r.reasons()));
    };
    if (targets.isEmpty()) {
      throw new RefusedException("the targets resolve to no backend in the current policy");
    }
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant due = now.plus(scenario.duration());
    List<String> keys = targets.stream().map(TargetBackend::key).toList();
    if (dryRun) {
      return new Started(null, scenario.name(), true, keys, due);
    }
    if (!node.isLeader()) {
      throw new RefusedException("only the leader runs scenarios; this node is not it (leader: "
          + node.leaderId().orElse("none elected") + ")");
    }
    String runId = scenario.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
    ApplyResult committed = node.submit(new Command.StartChaosRun(actor, now, reason, runId, scenario.name(), yaml, keys, due),
        COMMIT_TIMEOUT).join();
    if (committed instanceof ApplyResult.Rejected r) {
      throw new RefusedException(r.reason());
    }
    LocalRun run = new LocalRun(runId, scenario, injector, targets, now, due);
    running.put(runId, run);
    Thread.ofVirtual().name("chaos-" + runId).start(() -> execute(run));
    return new Started(runId, scenario.name(), false, keys, due);
  }

  /** Reverts every active run at once: this node's and any left by an earlier leader. Returns how many. */
  public int revertAll(String actor, String reason) {
    int count = 0;
    for (LocalRun run : running.values()) {
      run.abort("the kill switch, by " + actor + ": " + reason);
      count++;
    }
    for (ChaosRun orphan : node.state().chaosRuns()) {
      if (orphan.active() && !running.containsKey(orphan.id())) {
        revertOrphan(orphan, "the kill switch, by " + actor + ": " + reason);
        count++;
      }
    }
    return count;
  }

  private void execute(LocalRun run) {
    try {
      Map<String, Health> healthBefore = health();
      run.plansBefore.addAll(planViews(run.services()));
      run.step("fault injected: " + run.scenario.fault().kind() + " on " + String.join(", ", run.keys()));
      try {
        run.injector.inject(run.scenario.fault(), run.targets);
      } catch (FaultInjector.InjectionException e) {
        run.abort("the injection failed: " + e.getMessage());
      }
      while (!run.aborted() && clock.instant().isBefore(run.due) && !closed) {
        stopCondition(run, healthBefore).ifPresent(run::abort);
        sleep(STOP_CHECK);
      }
      revert(run.injector, run.scenario.fault(), run.targets, run);
      run.healedAt = clock.instant();
      run.step(run.aborted() ? "fault reverted early: " + run.abortReason : "fault reverted (healed)");
      Instant watchUntil = run.healedAt.plus(run.scenario.expect().failbackWithin().orElse(DEFAULT_RECOVERY_WATCH))
          .plusSeconds(2);
      while (!closed && clock.instant().isBefore(watchUntil) && !run.aborted()) {
        sleep(STOP_CHECK);
      }
      finish(run);
    } catch (RuntimeException e) {
      LOG.warning(() -> "chaos run " + run.id + " failed: " + e);
      revert(run.injector, run.scenario.fault(), run.targets, run);
    } finally {
      running.remove(run.id);
    }
  }

  private void finish(LocalRun run) {
    Instant ended = clock.instant();
    RunRecord record = new RunRecord(run.injectedAt, Optional.ofNullable(run.healedAt), ended, Set.copyOf(run.keys()),
        run.plansBefore, List.copyOf(run.plans), List.of(), jurisdictions());
    Report report = Verdicts.judge(run.scenario, record);
    String outcome = run.aborted() ? "ABORTED" : report.overall().name();
    String note = (run.aborted() ? "aborted: " + run.abortReason + ". " : "")
        + "Pages are not recorded yet: an expected page is judged as missing.";
    run.step("verdict: " + outcome);
    ReportView view = new ReportView(run.id, run.scenario.name(), run.scenario.hypothesis(), outcome,
        run.scenario.injector().key(), run.keys(), List.copyOf(run.timeline),
        report.results().stream().map(r -> new ResultView(r.expectation(), r.outcome().name(), r.evidence())).toList(), note);
    end(run.id, outcome, view);
  }

  private void end(String runId, String outcome, ReportView view) {
    try {
      node.submit(new Command.EndChaosRun(ACTOR, clock.instant().truncatedTo(ChronoUnit.MILLIS), runId, outcome,
          json.writeValueAsString(view)), COMMIT_TIMEOUT).join();
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "the end of chaos run " + runId + " was not committed: " + e.getMessage());
    }
  }

  /** A backend the run does not target that turned UNHEALTHY since the injection, if any. */
  private Optional<String> stopCondition(LocalRun run, Map<String, Health> before) {
    if (!run.scenario.stopWhen().otherServiceUnhealthy() && !run.scenario.stopWhen().nonTargetRegionDegraded()) {
      return Optional.empty();
    }
    Set<String> targets = Set.copyOf(run.keys());
    for (Map.Entry<String, Health> now : health().entrySet()) {
      if (!targets.contains(now.getKey()) && now.getValue() == Health.UNHEALTHY
          && before.getOrDefault(now.getKey(), Health.UNKNOWN) != Health.UNHEALTHY) {
        return Optional.of("stop condition: " + now.getKey() + ", which the scenario does not target, turned UNHEALTHY");
      }
    }
    return Optional.empty();
  }

  private void revert(FaultInjector injector, Fault fault, List<TargetBackend> targets, LocalRun run) {
    for (int attempt = 1; attempt <= 30 && !closed; attempt++) {
      try {
        injector.revert(fault, targets);
        return;
      } catch (FaultInjector.InjectionException e) {
        int tried = attempt;
        LOG.warning(() -> "revert attempt " + tried + " failed: " + e.getMessage());
        if (run != null) {
          run.step("revert failed, retrying: " + e.getMessage());
        }
        sleep(Duration.ofSeconds(1));
      }
    }
  }

  /**
   * While this node leads: every active run not running here is reverted when due, and ended. It
   * keeps looking, because the entries of the previous term (a run started just before the old
   * leader died) are applied here only once this term's first entry commits.
   */
  private void revertOrphans() {
    Set<String> adopted = ConcurrentHashMap.newKeySet();
    while (!closed && node.isLeader()) {
      Instant now = clock.instant();
      for (ChaosRun orphan : node.state().chaosRuns()) {
        if (orphan.active() && !running.containsKey(orphan.id()) && !now.isBefore(orphan.revertDueAt())
            && adopted.add(orphan.id())) {
          revertOrphan(orphan, "the leader that started it changed during the run");
        }
      }
      sleep(STOP_CHECK);
    }
  }

  private void revertOrphan(ChaosRun orphan, String why) {
    ParsedScenarios parsed = parser.parse(orphan.yaml());
    Scenario scenario = parsed.scenarios().isEmpty() ? null : parsed.scenarios().getFirst();
    FaultInjector injector = scenario == null ? null : injectors.get(scenario.injector().key());
    List<TargetBackend> targets = resolveKeys(orphan.targets());
    List<Step> timeline = new ArrayList<>();
    if (injector != null) {
      revert(injector, scenario.fault(), targets, null);
      timeline.add(new Step(clock.instant(), "fault reverted by " + node.nodeId() + ": " + why));
    } else {
      timeline.add(new Step(clock.instant(), "no injector here can revert it; revert by hand: " + orphan.targets()));
    }
    end(orphan.id(), "INCONCLUSIVE", new ReportView(orphan.id(), orphan.scenario(),
        scenario == null ? "" : scenario.hypothesis(), "INCONCLUSIVE", scenario == null ? "" : scenario.injector().key(),
        orphan.targets(), timeline, List.of(), "The run was not judged: " + why + "."));
  }

  private List<TargetBackend> resolveKeys(List<String> keys) {
    List<TargetBackend> out = new ArrayList<>();
    for (String key : keys) {
      String service = key.substring(0, key.indexOf('/'));
      String backend = key.substring(key.indexOf('/') + 1);
      node.state().service(service).flatMap(s -> s.model().backend(backend))
          .ifPresent(b -> out.add(new TargetBackend(service, backend, b.region())));
    }
    return out;
  }

  private void applied(Command command) {
    if (command instanceof Command.EndChaosRun end) {
      // Every node counts every run's end, so any node's /metrics tells the same story.
      String scenario = node.state().chaosRun(end.runId()).map(ChaosRun::scenario).orElse("unknown");
      Counter.builder("tern.chaos.runs").description("Chaos runs ended, by scenario and outcome")
          .tag("scenario", scenario).tag("outcome", end.outcome()).register(metrics).increment();
    }
    if (command instanceof Command.PublishPlan p && !running.isEmpty()) {
      RunRecord.PlanSeen seen = view(p.plan(), clock.instant());
      running.values().stream().filter(r -> r.services().contains(p.plan().service())).forEach(r -> {
        r.plans.add(seen);
        r.step("plan v" + p.plan().version() + " of " + p.plan().service() + " committed");
      });
    }
  }

  private List<RunRecord.PlanSeen> planViews(Set<String> services) {
    return services.stream().flatMap(s -> node.state().service(s).flatMap(ServiceState::plan).stream())
        .map(p -> view(p, p.decidedAt())).toList();
  }

  private static RunRecord.PlanSeen view(RoutingPlan plan, Instant at) {
    Map<String, List<String>> answers = new HashMap<>();
    plan.zones().forEach(z -> answers.put(z.zone().key(), z.answers().stream().map(WeightedAnswer::backend).toList()));
    return new RunRecord.PlanSeen(at, plan.service(), plan.version(), answers);
  }

  private Map<String, Health> health() {
    Map<String, Health> out = new HashMap<>();
    for (ServiceState s : node.state().services()) {
      s.verdicts().forEach((backend, v) -> out.put(s.name() + "/" + backend, v.health()));
    }
    return out;
  }

  private Map<String, String> jurisdictions() {
    Map<String, String> out = new HashMap<>();
    for (ServiceState s : node.state().services()) {
      s.model().backends().forEach(b -> out.put(s.name() + "/" + b.name(), b.jurisdiction().code()));
    }
    return out;
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  @PreDestroy
  public void close() {
    closed = true;
  }

  /** A run this node started and is running. */
  private final class LocalRun {
    final String id;
    final Scenario scenario;
    final FaultInjector injector;
    final List<TargetBackend> targets;
    final Instant injectedAt;
    final Instant due;
    final List<RunRecord.PlanSeen> plansBefore = new ArrayList<>();
    final List<RunRecord.PlanSeen> plans = new CopyOnWriteArrayList<>();
    final List<Step> timeline = new CopyOnWriteArrayList<>();
    volatile Instant healedAt;
    volatile String abortReason;

    LocalRun(String id, Scenario scenario, FaultInjector injector, List<TargetBackend> targets, Instant injectedAt, Instant due) {
      this.id = id;
      this.scenario = scenario;
      this.injector = injector;
      this.targets = List.copyOf(targets);
      this.injectedAt = injectedAt;
      this.due = due;
    }

    Set<String> services() {
      return targets.stream().map(TargetBackend::service).collect(Collectors.toUnmodifiableSet());
    }

    List<String> keys() {
      return targets.stream().map(TargetBackend::key).toList();
    }

    void step(String event) {
      timeline.add(new Step(clock.instant(), event));
    }

    void abort(String reason) {
      if (abortReason == null) {
        abortReason = reason;
      }
    }

    boolean aborted() {
      return abortReason != null;
    }
  }
}
