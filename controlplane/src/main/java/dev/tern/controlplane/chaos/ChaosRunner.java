package dev.tern.controlplane.chaos;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.run.TargetResolver;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import dev.tern.chaos.scenario.ParsedScenarios;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.chaos.verdict.Report;
import dev.tern.chaos.verdict.RunRecord;
import dev.tern.chaos.verdict.Verdicts;
import dev.tern.controlplane.alerting.AlertingSettings;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.kubernetes.KubernetesInjector;
import dev.tern.controlplane.provider.ProviderReconciler;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.dns.EmbeddedDns;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.ChaosRun;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.Incident;
import dev.tern.controlplane.state.LeaderStamp;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.VantageView;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
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
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Runs chaos scenarios on the leader: resolves the targets, commits the run (with the time its
 * fault must be reverted by) before injecting, watches it, aborts on a stop condition, the kill
 * switch or an operator's abort, reverts and commits the heal, watches the recovery, and commits
 * the verdict with its report.
 *
 * <p><b>Every node records every run.</b> Each node keeps, per active run, what the replicated
 * state says happened: the plans in force at the start, every plan committed since, every verdict
 * change of a target, the heal. So a node that becomes leader during a run carries it on from
 * there (reverting on time, judging from the same record), instead of only cleaning up after it.
 *
 * <p>It is created with the node (not on first use), so that it watches for leadership from the
 * start. Threading: each run the leader carries has its own virtual thread; commands arrive on the
 * state machine's applying thread.
 */
@Context
public final class ChaosRunner implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ChaosRunner.class.getName());
  private static final String ACTOR = "chaos-runner";
  /** How long after the heal the recovery is watched when the scenario names no failback or recovery time. */
  static final Duration DEFAULT_RECOVERY_WATCH = Duration.ofSeconds(10);
  /** How long after the heal an expected page resolve is waited for, at most. */
  static final Duration MAX_PAGE_RESOLVE_WATCH = Duration.ofSeconds(60);
  /** How often stop conditions are checked while a fault is in. */
  static final Duration STOP_CHECK = Duration.ofMillis(500);
  /** A leader-kill scenario kills the leader this long after the injection unless it says when. */
  static final Duration DEFAULT_KILL_AFTER = Duration.ofSeconds(2);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);
  /** The membership action recorded when a run kills the leader. */
  static final String LEADER_KILLED = "leader-killed";

  /** What starting a run (or its dry run) resolved. */
  @Serdeable
  public record Started(String runId, String scenario, boolean dryRun, List<String> targets, Instant revertDueAt) {}

  /** A run that may not start (or be aborted), with the reasons in words. */
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
  private final HealthBook book;
  private final EmbeddedDns dns;
  private final AlertingSettings alerting;
  private final Map<String, FaultInjector> injectors = new HashMap<>();
  private final Map<String, RunWatch> watches = new ConcurrentHashMap<>();
  private final Map<String, LocalRun> running = new ConcurrentHashMap<>();
  private final ScenarioParser parser = new ScenarioParser();
  private final MeterRegistry metrics;
  private final ProviderReconciler providers;
  private volatile boolean closed;

  ChaosRunner(RaftNode node, Clock clock, JsonMapper json, HealthBook book, EmbeddedDns dns, AlertingSettings alerting,
      List<FaultInjector> injectors, MeterRegistry metrics, ProviderReconciler providers) {
    this.providers = providers;
    this.node = node;
    this.alerting = alerting;
    this.clock = clock;
    this.json = json;
    this.book = book;
    this.dns = dns;
    this.metrics = metrics;
    Gauge.builder("tern.chaos.active", node, n -> n.state().chaosRuns().stream().filter(ChaosRun::active).count())
        .description("Chaos runs whose fault is in (or not yet reverted)").register(metrics);
    injectors.forEach(i -> this.injectors.put(i.kind().key(), i));
    node.onApplied(this::applied);
    node.onLeadershipChange(leader -> {
      if (leader) {
        Thread.ofVirtual().name("chaos-adopt").start(this::adoptRuns);
      }
    });
  }

  /**
   * Starts {@code yaml}'s one scenario now (or, with {@code dryRun}, only resolves its targets and
   * checks what would stop it). Only the leader runs scenarios.
   */
  public Started start(String yaml, String reason, String actor, boolean dryRun) {
    Scenario scenario = parseOne(yaml);
    FaultInjector injector = injectorFor(scenario);
    List<TargetBackend> targets = resolve(scenario);
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Instant due = now.plus(scenario.duration());
    List<String> keys = targets.stream().map(TargetBackend::key).toList();
    if (dryRun) {
      return new Started(null, scenario.name(), true, keys, due);
    }
    LeaderStamp leader = requireLeader();
    String runId = scenario.name() + "-" + UUID.randomUUID().toString().substring(0, 8);
    LocalRun run = new LocalRun(runId, scenario, injector, targets, now, due, false);
    // Registered before the commit, so that the adoption loop never takes it for an orphan.
    running.put(runId, run);
    try {
      commitOrRefuse(new Command.StartChaosRun(actor, now, reason, runId, scenario.name(), yaml, keys, due,
          Optional.of(leader)));
    } catch (RuntimeException e) {
      running.remove(runId);
      throw e;
    }
    Thread.ofVirtual().name("chaos-" + runId).start(() -> execute(run));
    return new Started(runId, scenario.name(), false, keys, due);
  }

  /** Aborts one active run: its fault is reverted now and the run judged as ABORTED. */
  public void abort(String runId, String actor, String reason) {
    ChaosRun run = node.state().chaosRun(runId).filter(ChaosRun::active)
        .orElseThrow(() -> new RefusedException("no active chaos run " + runId));
    requireLeader();
    String why = "aborted by " + actor + ": " + reason;
    LocalRun local = running.get(run.id());
    if (local != null) {
      local.abort(why);
    } else {
      adopt(run, why);
    }
  }

  /** Reverts every active run at once: this node's and any left by an earlier leader. Returns how many. */
  public int revertAll(String actor, String reason) {
    String why = "the kill switch, by " + actor + ": " + reason;
    int count = 0;
    for (ChaosRun run : node.state().chaosRuns()) {
      if (!run.active()) {
        continue;
      }
      LocalRun local = running.get(run.id());
      if (local != null) {
        local.abort(why);
      } else if (node.isLeader()) {
        adopt(run, why);
      } else {
        // Not the leader: revert here at once (the injectors act on the same world), and let the
        // leader's own run see the heal.
        revertNow(run, why);
      }
      count++;
    }
    sweepKubernetes(why);
    return count;
  }

  /** Removes every labelled Kubernetes fault, including ones no run remembers (a leader that died mid-inject). */
  private void sweepKubernetes(String why) {
    if (injectors.get(Injector.KUBERNETES.key()) instanceof KubernetesInjector k && k.configured()) {
      try {
        List<String> swept = k.sweep();
        if (!swept.isEmpty()) {
          LOG.warning(() -> why + ": swept Kubernetes chaos changes " + swept);
        }
      } catch (FaultInjector.InjectionException e) {
        LOG.log(Level.WARNING, why + ": Kubernetes sweep failed: " + e.getMessage(), e);
      }
    }
  }

  private Scenario parseOne(String yaml) {
    ParsedScenarios parsed = parser.parse(yaml);
    if (!parsed.isValid()) {
      throw new RefusedException("the scenario is invalid: " + String.join("; ",
          parsed.violations().stream().limit(5).map(v -> v.format("scenario")).toList()));
    }
    if (parsed.scenarios().size() != 1) {
      throw new RefusedException("send one scenario per run; the file holds " + parsed.scenarios().size());
    }
    return parsed.scenarios().getFirst();
  }

  private FaultInjector injectorFor(Scenario scenario) {
    FaultInjector injector = injectors.get(scenario.injector().key());
    if (injector == null) {
      throw new RefusedException("this node has no " + scenario.injector().key() + " injector"
          + switch (scenario.injector()) {
            case DEMO -> " (it exists only in tern demo)";
            case KUBERNETES -> " (it comes with Kubernetes discovery; see docs/kubernetes-discovery.md)";
            case PROVIDER_FAULT -> " (it comes with the cloud providers' reconcilers; see docs/chaos.md)";
            case PROBE_FAULT -> "";
          });
    }
    if (injector instanceof KubernetesInjector k && !k.configured()) {
      throw new RefusedException("this node has no Kubernetes cluster to inject in: tern.kubernetes.clusters is empty"
          + " (see docs/kubernetes-discovery.md)");
    }
    if (injector instanceof ProviderFaultInjector p) {
      p.refusal(scenario.fault()).ifPresent(why -> {
        throw new RefusedException(why);
      });
    }
    if (injector instanceof DemoInjector) {
      if (!DemoInjector.injects(scenario.fault())) {
        throw new RefusedException("the demo injector cannot inject " + scenario.fault().kind() + " yet");
      }
      if (scenario.killLeaderAfter().isPresent() && !DemoInjector.injects(new Fault.LeaderKill())) {
        throw new RefusedException("the demo injector cannot kill the leader yet");
      }
    }
    return injector;
  }

  private List<TargetBackend> resolve(Scenario scenario) {
    Map<String, Map<String, List<String>>> answers = new HashMap<>();
    for (ServiceState s : node.state().services()) {
      s.plan().ifPresent(p -> answers.put(s.name(), view(p, p.decidedAt()).answers()));
    }
    List<TargetBackend> targets = switch (TargetResolver.resolve(scenario.targets(), node.state().policy(), answers)) {
      case TargetResolver.Resolved r -> r.backends();
      case TargetResolver.Refused r -> throw new RefusedException(String.join("; ", r.reasons()));
    };
    if (targets.isEmpty() && !(scenario.fault() instanceof Fault.LeaderKill)
        && !(scenario.fault() instanceof Fault.ProviderApiFailure)) {
      throw new RefusedException("the targets resolve to no backend in the current policy");
    }
    return targets;
  }

  /** This node and the term it leads, which a run it starts is stamped with; refused on a follower. */
  private LeaderStamp requireLeader() {
    java.util.OptionalLong term = node.leadingTerm();
    if (term.isEmpty()) {
      throw new RefusedException("only the leader runs scenarios; this node is not it (leader: "
          + node.leaderId().orElse("none elected") + ")");
    }
    return new LeaderStamp(node.nodeId(), term.getAsLong());
  }

  private void commitOrRefuse(Command command) {
    ApplyResult committed = node.submit(command, COMMIT_TIMEOUT).join();
    if (committed instanceof ApplyResult.Rejected r) {
      throw new RefusedException(r.reason());
    }
  }

  /** The run's life on the leader, from the injection (or the adoption) to the committed verdict. */
  private void execute(LocalRun run) {
    try {
      // A node that did not see the run start (restarted from a snapshot since) records from now.
      RunWatch watch = watches.computeIfAbsent(run.id, id -> new RunWatch(run.targetKeys(), run.targets.isEmpty(), true));
      if (run.adopted) {
        run.timeline.add(new Step(run.injectedAt, "fault injected: " + run.scenario.fault().kind()
            + (run.targets.isEmpty() ? "" : " on " + String.join(", ", run.targetKeys())) + " (by an earlier leader)"));
        run.step("carried on by " + node.nodeId() + ", the new leader");
      } else {
        run.step("fault injected: " + run.scenario.fault().kind() + (run.targets.isEmpty() ? "" : " on "
            + String.join(", ", run.targetKeys())));
        inject(run, run.scenario.fault());
      }
      Observer observer = new Observer(run, watch);
      while (!run.aborted() && clock.instant().isBefore(run.due) && !closed && node.isLeader() && !healedElsewhere(run)) {
        stopCondition(run, watch, observer).ifPresent(run::abort);
        observer.look();
        killLeaderWhenDue(run);
        sleep(STOP_CHECK);
      }
      if (closed || !node.isLeader()) {
        return; // The next leader carries the run on, and reverts it on time.
      }
      Instant healed = healedAt(run).orElseGet(() -> {
        revert(run.injector, run.scenario, run.targets, run);
        Instant at = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        submitQuietly(new Command.HealChaosRun(ACTOR, at, run.id));
        return at;
      });
      run.healedAt = healed;
      if (!run.aborted()) {
        var expect = run.scenario.expect();
        Duration recovery = Stream.of(expect.failbackWithin(), expect.recoveredWithin(), expect.syncedWithin())
            .flatMap(Optional::stream).max(Comparator.naturalOrder()).orElse(DEFAULT_RECOVERY_WATCH);
        Instant watchUntil = healed.plus(recovery).plusSeconds(2);
        // An expected resolve may come later than the recovery: wait for it, up to a minute after the heal.
        Instant pageUntil = healed.plus(MAX_PAGE_RESOLVE_WATCH);
        while (!closed && node.isLeader() && !run.aborted() && (clock.instant().isBefore(watchUntil)
            || (expect.pageResolvedAfterHeal() && clock.instant().isBefore(pageUntil)
                && pages(run).stream().anyMatch(p -> p.resolvedAt().isEmpty())))) {
          observer.look();
          sleep(STOP_CHECK);
        }
      }
      if (!closed && node.isLeader()) {
        finish(run, watch);
      }
    } catch (RuntimeException e) {
      LOG.warning(() -> "chaos run " + run.id + " failed: " + e);
      revert(run.injector, run.scenario, run.targets, run);
    } finally {
      running.remove(run.id);
    }
  }

  private void inject(LocalRun run, Fault fault) {
    if (fault instanceof Fault.LeaderKill) {
      return; // Killed when due, by killLeaderWhenDue.
    }
    try {
      run.injector.inject(fault, run.targets);
    } catch (FaultInjector.InjectionException e) {
      run.abort("the injection failed: " + e.getMessage());
    }
  }

  private void killLeaderWhenDue(LocalRun run) {
    if (run.adopted || run.leaderKilled || !run.scenario.killsLeader()) {
      return;
    }
    Duration after = run.scenario.killLeaderAfter().orElse(DEFAULT_KILL_AFTER);
    if (clock.instant().isBefore(run.injectedAt.plus(after))) {
      return;
    }
    run.leaderKilled = true;
    // In the audit log, and in every node's record of the run: the leader that dies cannot tell.
    submitQuietly(new Command.RecordMembership(ACTOR, clock.instant(), "chaos run " + run.id + " kills the leader",
        LEADER_KILLED, node.nodeId()));
    try {
      run.injector.inject(new Fault.LeaderKill(), List.of());
    } catch (FaultInjector.InjectionException e) {
      run.abort("killing the leader failed: " + e.getMessage());
    }
  }

  private boolean healedElsewhere(LocalRun run) {
    return node.state().chaosRun(run.id).map(r -> !r.faultIn()).orElse(true);
  }

  private Optional<Instant> healedAt(LocalRun run) {
    return node.state().chaosRun(run.id).flatMap(ChaosRun::healedAt);
  }

  private void finish(LocalRun run, RunWatch watch) {
    Instant ended = clock.instant();
    Optional<String> faultedKind = run.scenario.fault() instanceof Fault.ProviderApiFailure f
        ? Optional.of(f.provider()) : Optional.empty();
    Set<String> accounts = Set.copyOf(providers.accounts(faultedKind, run.services()));
    List<RunRecord.SyncSeen> syncs = providers.history(run.injectedAt).stream()
        .filter(s -> accounts.contains(s.provider()) && !s.at().isAfter(ended))
        .map(s -> new RunRecord.SyncSeen(s.at(), s.provider(), s.service(), s.planVersion(), s.error())).toList();
    syncSteps(run, syncs);
    RunRecord record = new RunRecord(run.injectedAt, Optional.ofNullable(run.healedAt), ended, Set.copyOf(run.targetKeys()),
        watch.before(), List.copyOf(watch.plans), pages(run), jurisdictions(), List.copyOf(watch.verdicts), accounts, syncs);
    Report report = Verdicts.judge(run.scenario, record);
    String outcome = run.aborted() ? "ABORTED" : report.overall().name();
    List<String> notes = new ArrayList<>();
    if (run.aborted()) {
      notes.add("aborted: " + run.abortReason + ".");
    }
    if (watch.incomplete) {
      notes.add("This node did not see the run start; its record starts at " + watch.since + ".");
    }
    if (run.scenario.injector() == Injector.PROBE_FAULT) {
      notes.add("Injected by the probes (probe-fault): the backends themselves were not touched.");
    }
    if (run.scenario.injector() == Injector.PROVIDER_FAULT) {
      notes.add("Injected at the reconciler's API boundary (provider-fault): no request reached the cloud while the"
          + " fault was in.");
    }
    if (run.services().stream().anyMatch(s -> alerting.routes().stream().noneMatch(r -> r.takes("failover", s, true)))) {
      notes.add("No alerting route takes " + String.join(", ", run.services()) + "'s incidents from chaos runs: an"
          + " incident's opening and resolving are counted as its page.");
    }
    run.step("verdict: " + outcome);
    List<Step> timeline = Stream.concat(watch.steps.stream(), run.timeline.stream())
        .sorted(Comparator.comparing(Step::at)).toList();
    ReportView view = new ReportView(run.id, run.scenario.name(), run.scenario.hypothesis(), outcome,
        run.scenario.injector().key(), run.targetKeys(), timeline,
        report.results().stream().map(r -> new ResultView(r.expectation(), r.outcome().name(), r.evidence())).toList(),
        String.join(" ", notes));
    end(run.id, outcome, view);
  }

  /** The first failed sync of each provider, and its first sync after the heal, as steps of the timeline. */
  private static void syncSteps(LocalRun run, List<RunRecord.SyncSeen> syncs) {
    Set<String> failed = new java.util.HashSet<>();
    Set<String> synced = new java.util.HashSet<>();
    for (RunRecord.SyncSeen s : syncs) {
      if (s.error().isPresent() && failed.add(s.provider())) {
        run.timeline.add(new Step(s.at(), "provider " + s.provider() + " failed to sync " + s.service() + ": "
            + s.error().get()));
      } else if (s.error().isEmpty() && run.healedAt != null && !s.at().isBefore(run.healedAt) && failed.contains(s.provider())
          && synced.add(s.provider())) {
        run.timeline.add(new Step(s.at(), "provider " + s.provider() + " synced " + s.service() + " v" + s.planVersion()));
      }
    }
  }

  /**
   * The incidents of the run's services opened since the injection, as pages: paged when a route
   * that takes the incident first delivered its trigger, resolved when one first delivered its
   * resolve. With no route taking it, its opening and resolving stand for the page.
   */
  private List<RunRecord.PageSeen> pages(LocalRun run) {
    List<RunRecord.PageSeen> pages = new ArrayList<>();
    for (Incident i : node.state().incidents()) {
      if (!run.services().contains(i.service()) || i.openedAt().isBefore(run.injectedAt.minusSeconds(1))) {
        continue;
      }
      boolean routed = alerting.routes().stream().anyMatch(r -> r.takes(i.kind(), i.service(), i.chaosRun().isPresent()));
      Optional<Instant> paged = routed ? firstDelivered(i, "trigger") : Optional.of(i.openedAt());
      Optional<Instant> resolved = routed ? firstDelivered(i, "resolve") : i.resolvedAt();
      paged.ifPresent(at -> pages.add(new RunRecord.PageSeen(i.service(), at, resolved, i.chaosRun().isPresent())));
    }
    return pages;
  }

  private static Optional<Instant> firstDelivered(Incident i, String event) {
    return i.deliveries().stream().filter(d -> d.event().equals(event) && d.delivered()).map(Incident.Delivery::at)
        .min(Comparator.naturalOrder());
  }

  private void end(String runId, String outcome, ReportView view) {
    try {
      node.submit(new Command.EndChaosRun(ACTOR, clock.instant().truncatedTo(ChronoUnit.MILLIS), runId, outcome,
          json.writeValueAsString(view)), COMMIT_TIMEOUT).join();
    } catch (IOException | RuntimeException e) {
      LOG.warning(() -> "the end of chaos run " + runId + " was not committed: " + e.getMessage());
    }
  }

  private void submitQuietly(Command command) {
    try {
      node.submit(command, COMMIT_TIMEOUT).join();
    } catch (RuntimeException e) {
      LOG.warning(() -> command.getClass().getSimpleName() + " was not committed: " + e.getMessage());
    }
  }

  /** What aborts the run now, if anything: see {@link dev.tern.chaos.scenario.StopConditions}. */
  private Optional<String> stopCondition(LocalRun run, RunWatch watch, Observer observer) {
    var stop = run.scenario.stopWhen();
    Set<String> targets = Set.copyOf(run.targetKeys());
    Set<String> services = run.services();
    Set<String> regions = run.targets.stream().map(t -> t.region().key()).collect(Collectors.toSet());
    for (ServiceState s : node.state().services()) {
      for (var b : s.model().backends()) {
        String key = s.name() + "/" + b.name();
        Health now = Optional.ofNullable(s.verdicts().get(b.name())).map(v -> v.health()).orElse(Health.UNKNOWN);
        if (targets.contains(key) || now != Health.UNHEALTHY || watch.unhealthyAtStart.contains(key)) {
          continue;
        }
        if (stop.otherServiceUnhealthy() && !services.contains(s.name())) {
          return Optional.of("stop condition otherServiceUnhealthy: " + key + " turned UNHEALTHY");
        }
        if (stop.nonTargetRegionDegraded() && !regions.contains(b.region().key())) {
          return Optional.of("stop condition nonTargetRegionDegraded: " + key + " in " + b.region().key()
              + ", a region the scenario does not target, turned UNHEALTHY");
        }
      }
    }
    if (stop.maxBurnRate().isPresent()) {
      double burn = observer.burnRate(stop.slo(), stop.burnWindow());
      if (burn > stop.maxBurnRate().getAsDouble()) {
        return Optional.of(String.format(java.util.Locale.ROOT,
            "stop condition maxBurnRate: the error budget burns at %.1f, above %.1f", burn,
            stop.maxBurnRate().getAsDouble()));
      }
    }
    return Optional.empty();
  }

  private void revert(FaultInjector injector, Scenario scenario, List<TargetBackend> targets, LocalRun run) {
    List<Fault> faults = new ArrayList<>();
    if (!(scenario.fault() instanceof Fault.LeaderKill)) {
      faults.add(scenario.fault());
    }
    if (scenario.killsLeader()) {
      faults.add(new Fault.LeaderKill());
    }
    for (Fault fault : faults) {
      for (int attempt = 1; attempt <= 30 && !closed; attempt++) {
        try {
          injector.revert(fault, fault instanceof Fault.LeaderKill ? List.of() : targets);
          break;
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
  }

  /**
   * While this node leads: every active run not running here is carried on here. It keeps
   * looking, because the entries of the previous term (a run started just before the old leader
   * died) are applied here only once this term's first entry commits.
   */
  private void adoptRuns() {
    while (!closed && node.isLeader()) {
      for (ChaosRun run : node.state().chaosRuns()) {
        if (run.active() && !running.containsKey(run.id())) {
          adopt(run, null);
        }
      }
      sleep(STOP_CHECK);
    }
  }

  private synchronized void adopt(ChaosRun run, String abortReason) {
    if (running.containsKey(run.id())) {
      if (abortReason != null) {
        running.get(run.id()).abort(abortReason);
      }
      return;
    }
    Optional<Scenario> scenario = parseStored(run.yaml());
    FaultInjector injector = scenario.map(s -> injectors.get(s.injector().key())).orElse(null);
    if (scenario.isEmpty() || injector == null) {
      List<Step> timeline = List.of(new Step(clock.instant(), "no injector on " + node.nodeId()
          + " can revert it; revert by hand: " + run.targets()));
      end(run.id(), "INCONCLUSIVE", new ReportView(run.id(), run.scenario(), scenario.map(Scenario::hypothesis).orElse(""),
          "INCONCLUSIVE", scenario.map(s -> s.injector().key()).orElse(""), run.targets(), timeline, List.of(),
          "The run was not judged: the leader changed and " + node.nodeId() + " cannot carry it on."));
      return;
    }
    LocalRun local = new LocalRun(run.id(), scenario.get(), injector, resolveKeys(run.targets()), run.startedAt(),
        run.revertDueAt(), true);
    if (abortReason != null) {
      local.abort(abortReason);
    }
    running.put(run.id(), local);
    Thread.ofVirtual().name("chaos-" + run.id()).start(() -> execute(local));
  }

  /** The kill switch on a node that does not lead: reverts here, commits the heal; the leader judges. */
  private void revertNow(ChaosRun run, String why) {
    parseStored(run.yaml()).ifPresent(s -> {
      FaultInjector injector = injectors.get(s.injector().key());
      if (injector != null && run.faultIn()) {
        revert(injector, s, resolveKeys(run.targets()), null);
      }
    });
    if (run.faultIn()) {
      submitQuietly(new Command.HealChaosRun(ACTOR + " (" + why + ")", clock.instant().truncatedTo(ChronoUnit.MILLIS),
          run.id()));
    }
  }

  private Optional<Scenario> parseStored(String yaml) {
    ParsedScenarios parsed = parser.parse(yaml);
    return parsed.isValid() && parsed.scenarios().size() == 1 ? Optional.of(parsed.scenarios().getFirst()) : Optional.empty();
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

  /** Every node: what the replicated state says about each active run. */
  private void applied(Command command) {
    switch (command) {
      case Command.StartChaosRun c -> {
        Optional<Scenario> s = parseStored(c.yaml());
        watches.put(c.runId(), new RunWatch(c.targets(), s.map(x -> x.targets().isEmpty()).orElse(false)));
      }
      case Command.RecordVerdicts c -> watches.values().forEach(w -> w.verdicts(c));
      case Command.RecordMembership m when m.action().equals(LEADER_KILLED) ->
          watches.values().forEach(w -> w.steps.add(new Step(m.at(), "leader " + m.member() + " killed (" + m.reason() + ")")));
      case Command.PublishPlan p -> watches.values().forEach(w -> w.plan(p));
      case Command.RecordDelivery d -> node.state().incident(d.incident()).ifPresent(i -> watches.values().stream()
          .filter(w -> w.watches(i.service())).forEach(w -> w.steps.add(new Step(d.at(), (d.outcome().equals("delivered")
              ? "page " + (d.event().equals("trigger") ? "sent" : "resolved") : "page " + d.event() + " " + d.outcome())
              + ": incident " + i.id() + " to route " + d.route()))));
      case Command.ResolveIncident r -> node.state().incident(r.incident()).ifPresent(i -> watches.values().stream()
          .filter(w -> w.watches(i.service())).forEach(w -> w.steps.add(new Step(r.at(), "incident " + i.id() + " resolved: "
              + r.why()))));
      case Command.HealChaosRun h -> Optional.ofNullable(watches.get(h.runId()))
          .ifPresent(w -> w.steps.add(new Step(h.at(), "fault reverted (healed)" + (h.actor().equals(ACTOR) ? ""
              : " by " + h.actor()))));
      case Command.EndChaosRun end -> {
        watches.remove(end.runId());
        // Every node counts every run's end, so any node's /metrics tells the same story.
        String scenario = node.state().chaosRun(end.runId()).map(ChaosRun::scenario).orElse("unknown");
        Counter.builder("tern.chaos.runs").description("Chaos runs ended, by scenario and outcome")
            .tag("scenario", scenario).tag("outcome", end.outcome()).register(metrics).increment();
      }
      default -> { }
    }
  }

  private static RunRecord.PlanSeen view(RoutingPlan plan, Instant at) {
    Map<String, List<String>> answers = new HashMap<>();
    plan.zones().forEach(z -> answers.put(z.zone().key(), z.answers().stream().map(WeightedAnswer::backend).toList()));
    return new RunRecord.PlanSeen(at, plan.service(), plan.version(), answers);
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

  /**
   * One active run as the replicated state tells it, kept on every node: the plans in force when
   * it started, every plan committed since for the services it watches, and the targets' verdict
   * changes.
   */
  private final class RunWatch {
    final Set<String> targets;
    final Set<String> services;
    final boolean everyService;
    final Instant since = clock.instant();
    final boolean incomplete;
    final List<RunRecord.PlanSeen> before;
    final List<RunRecord.PlanSeen> plans = new CopyOnWriteArrayList<>();
    final List<Step> steps = new CopyOnWriteArrayList<>();
    final List<RunRecord.VerdictSeen> verdicts = new CopyOnWriteArrayList<>();
    final Set<String> unhealthyAtStart = new HashSet<>();
    final Set<Long> incidentsSeen = ConcurrentHashMap.newKeySet();
    final Map<String, Health> health = new ConcurrentHashMap<>();

    /** @param everyService true when the run targets no backend (a leader kill): every service is watched */
    RunWatch(List<String> targets, boolean everyService) {
      this(targets, everyService, false);
    }

    RunWatch(List<String> targets, boolean everyService, boolean incomplete) {
      this.targets = Set.copyOf(targets);
      this.everyService = everyService;
      this.incomplete = incomplete;
      this.services = targets.stream().map(t -> t.substring(0, t.indexOf('/'))).collect(Collectors.toUnmodifiableSet());
      List<RunRecord.PlanSeen> plansNow = new ArrayList<>();
      for (ServiceState s : node.state().services()) {
        s.verdicts().forEach((b, v) -> {
          if (v.health() == Health.UNHEALTHY) {
            unhealthyAtStart.add(s.name() + "/" + b);
          }
          health.put(s.name() + "/" + b, v.health());
        });
        if (watches(s.name())) {
          s.plan().ifPresent(p -> plansNow.add(view(p, p.decidedAt())));
        }
      }
      this.before = List.copyOf(plansNow);
      for (String service : services) {
        node.state().openIncident(service).ifPresent(i -> incidentsSeen.add(i.id()));
      }
    }

    boolean watches(String service) {
      return everyService || services.contains(service);
    }

    List<RunRecord.PlanSeen> before() {
      return before;
    }

    void plan(Command.PublishPlan p) {
      if (!watches(p.plan().service())) {
        return;
      }
      plans.add(view(p.plan(), p.at()));
      String cause = p.failover().map(f -> " (health: " + String.join(", ", f.failed()) + ")").orElse("");
      steps.add(new Step(p.at(), "decision: plan v" + p.plan().version() + " of " + p.plan().service() + " committed"
          + cause));
      incidentOpened(p.plan().service(), p.at());
    }

    /** Notes the service's incident the first time it is seen open. */
    void incidentOpened(String service, Instant at) {
      node.state().openIncident(service).filter(i -> incidentsSeen.add(i.id()))
          .ifPresent(i -> steps.add(new Step(at, "incident " + i.id() + " opened: " + i.summary())));
    }

    void verdicts(Command.RecordVerdicts c) {
      c.verdicts().stream().map(Command.VerdictRecord::service).distinct().filter(this::watches)
          .forEach(s -> incidentOpened(s, c.at()));
      for (Command.VerdictRecord v : c.verdicts()) {
        String key = v.service() + "/" + v.backend();
        Health was = health.put(key, v.health());
        if (targets.contains(key) && was != v.health()) {
          verdicts.add(new RunRecord.VerdictSeen(c.at(), key, v.health().name()));
          steps.add(new Step(c.at(), "verdict: " + key + " " + v.health()
              + (v.health() != Health.UNHEALTHY || v.downVantages().isEmpty() ? ""
                  : " (down from " + String.join(", ", v.downVantages()) + ")")));
        }
      }
    }
  }

  /** What the leader looks at on its own while a run lasts: probes failing, DNS answers, the error budget. */
  private final class Observer {
    private final LocalRun run;
    private final RunWatch watch;
    private final Set<String> failingSeen = new HashSet<>();
    private final Map<String, Long> dnsServed = new HashMap<>();
    private double budgetSeconds;
    private Instant lastLook;

    Observer(LocalRun run, RunWatch watch) {
      this.run = run;
      this.watch = watch;
      for (String service : run.services()) {
        dnsServed.put(service, dns.servedPlanVersion(service));
      }
      this.lastLook = clock.instant();
    }

    void look() {
      Instant now = clock.instant();
      for (TargetBackend t : run.targets) {
        if (failingSeen.contains(t.key())) {
          continue;
        }
        book.backend(t.service(), t.backend()).ifPresent(h -> h.views().values().stream()
            .filter(v -> v.consecutiveFailed() > 0 && v.lastSeen().isAfter(run.injectedAt))
            .min(Comparator.comparing(VantageView::lastSeen))
            .ifPresent(v -> {
              failingSeen.add(t.key());
              run.timeline.add(new Step(v.lastSeen(), "first failed probe: " + t.key() + " from " + v.vantage().key()
                  + v.lastError().map(e -> " (" + e + ")").orElse("")));
            }));
      }
      for (String service : run.services()) {
        long served = dns.servedPlanVersion(service);
        Long before = dnsServed.put(service, served);
        if (before != null && served != before && served >= 0) {
          run.timeline.add(new Step(now, "DNS changed: " + node.nodeId() + " answers " + service + " from plan v"
              + served));
        }
      }
      budgetSeconds += errorRatio() * Math.max(0, Duration.between(lastLook, now).toMillis() / 1000.0);
      lastLook = now;
    }

    /** Budget spent since the injection over what the window allows, as a rate. */
    double burnRate(double slo, Duration window) {
      return budgetSeconds / (window.toMillis() / 1000.0 * (1 - slo));
    }

    /** The worst client zone's estimated error ratio over the run's services, from the plans in force. */
    private double errorRatio() {
      double worst = 0;
      for (String service : run.services()) {
        Optional<RoutingPlan> plan = node.state().service(service).flatMap(ServiceState::plan);
        if (plan.isEmpty()) {
          continue;
        }
        for (ZoneAnswer zone : plan.get().zones()) {
          double weights = 0;
          double failing = 0;
          for (WeightedAnswer a : zone.answers()) {
            weights += a.weight();
            failing += a.weight() * failingShare(service, a.backend());
          }
          worst = Math.max(worst, weights == 0 ? 0 : failing / weights);
        }
      }
      return worst;
    }

    private double failingShare(String service, String backend) {
      return book.backend(service, backend).map(h -> {
        long failed = h.views().values().stream().filter(v -> v.consecutiveFailed() > 0).count();
        return h.views().isEmpty() ? 0.0 : (double) failed / h.views().size();
      }).orElse(0.0);
    }
  }

  /** A run this node is carrying: started here, or adopted from an earlier leader. */
  private final class LocalRun {
    final String id;
    final Scenario scenario;
    final FaultInjector injector;
    final List<TargetBackend> targets;
    final Instant injectedAt;
    final Instant due;
    final boolean adopted;
    final List<Step> timeline = new CopyOnWriteArrayList<>();
    volatile Instant healedAt;
    volatile String abortReason;
    volatile boolean leaderKilled;

    LocalRun(String id, Scenario scenario, FaultInjector injector, List<TargetBackend> targets, Instant injectedAt,
        Instant due, boolean adopted) {
      this.id = id;
      this.scenario = scenario;
      this.injector = injector;
      this.targets = List.copyOf(targets);
      this.injectedAt = injectedAt;
      this.due = due;
      this.adopted = adopted;
    }

    Set<String> services() {
      return targets.stream().map(TargetBackend::service).collect(Collectors.toUnmodifiableSet());
    }

    List<String> targetKeys() {
      return targets.stream().map(TargetBackend::key).toList();
    }

    void step(String event) {
      timeline.add(new Step(clock.instant(), event));
    }

    void abort(String reason) {
      if (abortReason == null) {
        abortReason = reason;
        step("abort: " + reason);
      }
    }

    boolean aborted() {
      return abortReason != null;
    }
  }
}
