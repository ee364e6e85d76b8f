package dev.tern.controlplane.api;

import dev.tern.chaos.scenario.ParsedScenarios;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.chaos.schedule.Schedule;
import dev.tern.controlplane.chaos.ChaosRunner;
import dev.tern.controlplane.chaos.ChaosScheduler;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.ChaosRun;
import dev.tern.controlplane.state.ChaosScenarioEntry;
import dev.tern.controlplane.state.Command;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;

/**
 * Chaos (docs/chaos.md): the scenario catalogue and its schedules, runs started by hand (or dry
 * runs), their reports, aborting one run, and the kill switch that reverts every active fault at
 * once.
 */
@Controller("/api/v1/chaos")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ChaosController {

  /** One run: who started it, what it hits, and how it ended, if it has. */
  @Serdeable
  record RunView(String id, String scenario, String actor, String reason, Instant startedAt, Instant revertDueAt,
      List<String> targets, boolean active, @Nullable Instant healedAt, @Nullable Instant endedAt,
      @Nullable String outcome, @Nullable Views.Leader startedBy) {
    static RunView of(ChaosRun r) {
      return new RunView(r.id(), r.scenario(), r.actor(), r.reason(), r.startedAt(), r.revertDueAt(), r.targets(), r.active(),
          r.healedAt().orElse(null), r.end().map(ChaosRun.Ended::at).orElse(null),
          r.end().map(ChaosRun.Ended::outcome).orElse(null), r.startedBy().map(Views.Leader::of).orElse(null));
    }
  }

  /** One scenario of the catalogue, with its schedule's state. */
  @Serdeable
  record ScenarioView(String name, String hypothesis, String injector, String fault, String duration,
      @Nullable String cron, @Nullable String timeZone, @Nullable String concurrency, boolean paused,
      @Nullable Instant nextRunAt, @Nullable Instant lastDueAt, String lastResult, @Nullable String activeRun,
      String updatedBy, Instant updatedAt, String yaml) {}

  /** What the kill switch did. */
  @Serdeable
  record Reverted(int runs) {}

  private final ChaosRunner runner;
  private final ChaosScheduler scheduler;
  private final RaftNode node;
  private final Writes writes;
  private final ScenarioParser parser = new ScenarioParser();

  ChaosController(ChaosRunner runner, ChaosScheduler scheduler, RaftNode node, Writes writes) {
    this.runner = runner;
    this.scheduler = scheduler;
    this.node = node;
    this.writes = writes;
  }

  /** The catalogue: every scenario, its schedule, when it runs next and what became of its last start time. */
  @Get("/scenarios")
  @RequiresRole(Role.VIEWER)
  List<ScenarioView> scenarios() {
    return node.state().scenarios().stream().map(this::view).toList();
  }

  @Get("/scenarios/{name}")
  @RequiresRole(Role.VIEWER)
  ScenarioView scenario(String name) {
    return view(entry(name));
  }

  /**
   * Adds the one scenario in the body to the catalogue, or replaces it; its name must be the
   * path's. A scheduled scenario starts running by itself when its schedule comes due.
   */
  @Put(uri = "/scenarios/{name}", consumes = {PolicyValidationController.APPLICATION_YAML, MediaType.TEXT_PLAIN})
  @RequiresRole(Role.ADMIN)
  ScenarioView putScenario(String name, @Body String yaml, @Nullable @QueryValue String reason, Caller caller) {
    String why = Writes.requireReason(reason);
    ParsedScenarios parsed = parser.parse(yaml);
    if (!parsed.isValid()) {
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY, "the scenario is invalid: " + String.join("; ",
          parsed.violations().stream().limit(5).map(v -> v.format("scenario")).toList()));
    }
    if (parsed.scenarios().size() != 1) {
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY,
          "send one scenario; the body holds " + parsed.scenarios().size());
    }
    if (!parsed.scenarios().getFirst().name().equals(name)) {
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY, "the scenario is named '"
          + parsed.scenarios().getFirst().name() + "' but was sent to /scenarios/" + name);
    }
    Instant at = writes.now();
    writes.commit(new Command.PutScenario(caller.name(), at, why, name, yaml));
    return view(applied(name, e -> e.updatedAt().equals(at)));
  }

  @Delete("/scenarios/{name}")
  @RequiresRole(Role.ADMIN)
  HttpResponse<Void> deleteScenario(String name, @Nullable @QueryValue String reason, Caller caller) {
    String why = Writes.requireReason(reason);
    entry(name);
    writes.commit(new Command.DeleteScenario(caller.name(), writes.now(), why, name));
    return HttpResponse.noContent();
  }

  /** Pauses the scenario's schedule: no start time fires until it is resumed. Runs by hand still may. */
  @Post("/scenarios/{name}/pause")
  @RequiresRole(Role.OPERATOR)
  ScenarioView pause(String name, @Nullable @QueryValue String reason, Caller caller) {
    return setPaused(name, true, reason, caller);
  }

  @Post("/scenarios/{name}/resume")
  @RequiresRole(Role.OPERATOR)
  ScenarioView resume(String name, @Nullable @QueryValue String reason, Caller caller) {
    return setPaused(name, false, reason, caller);
  }

  private ScenarioView setPaused(String name, boolean paused, @Nullable String reason, Caller caller) {
    String why = Writes.requireReason(reason);
    entry(name);
    writes.commit(new Command.PauseScenario(caller.name(), writes.now(), why, name, paused));
    return view(applied(name, e -> e.paused() == paused));
  }

  /** Runs a catalogue scenario now (or dry-runs it), whatever its schedule says. */
  @Post("/scenarios/{name}/runs")
  @RequiresRole(Role.OPERATOR)
  ChaosRunner.Started runScenario(String name, @Nullable @QueryValue String reason, @Nullable @QueryValue Boolean dryRun,
      Caller caller) {
    return startRun(entry(name).yaml(), reason, dryRun, caller);
  }

  /** One run as listed. */
  @Get("/runs/{id}")
  @RequiresRole(Role.VIEWER)
  RunView run(String id) {
    return RunView.of(node.state().chaosRun(id)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no chaos run " + id)));
  }

  /** Aborts one active run on the leader: its fault is reverted now, and the run ends ABORTED. */
  @Post("/runs/{id}/abort")
  @RequiresRole(Role.OPERATOR)
  RunView abort(String id, @Nullable @QueryValue String reason, Caller caller) {
    String why = Writes.requireReason(reason);
    try {
      runner.abort(id, caller.name(), why);
    } catch (ChaosRunner.RefusedException e) {
      throw new HttpStatusException(node.state().chaosRun(id).isEmpty() ? HttpStatus.NOT_FOUND : HttpStatus.CONFLICT,
          e.getMessage());
    } catch (CompletionException e) {
      throw notCommitted(e, "the abort");
    }
    return RunView.of(node.state().chaosRun(id).orElseThrow());
  }

  /**
   * The entry once this node has applied a write the leader acknowledged: a follower applies it
   * a moment later. Waits at most two seconds, then answers with what it has.
   */
  private ChaosScenarioEntry applied(String name, java.util.function.Predicate<ChaosScenarioEntry> done) {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < deadline) {
      java.util.Optional<ChaosScenarioEntry> e = node.state().scenario(name);
      if (e.isPresent() && done.test(e.get())) {
        return e.get();
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return entry(name);
  }

  private ChaosScenarioEntry entry(String name) {
    return node.state().scenario(name)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no scenario " + name + " in the catalogue"));
  }

  private ScenarioView view(ChaosScenarioEntry e) {
    ParsedScenarios parsed = parser.parse(e.yaml());
    Scenario s = parsed.scenarios().isEmpty() ? null : parsed.scenarios().getFirst();
    Schedule schedule = s == null ? null : s.schedule().orElse(null);
    String activeRun = node.state().chaosRuns().stream().filter(r -> r.active() && r.scenario().equals(e.name()))
        .map(ChaosRun::id).findFirst().orElse(null);
    return new ScenarioView(e.name(), s == null ? "" : s.hypothesis(), s == null ? "" : s.injector().key(),
        s == null ? "" : s.fault().kind(), s == null ? "" : s.duration().toString(),
        schedule == null ? null : schedule.cron().expression(), schedule == null ? null : schedule.cron().zone().getId(),
        schedule == null ? null : schedule.concurrency().name().toLowerCase(java.util.Locale.ROOT),
        e.paused() || (schedule != null && schedule.paused()), scheduler.nextRun(e).orElse(null),
        e.lastDue().orElse(null), e.lastResult(), activeRun, e.actor(), e.updatedAt(), e.yaml());
  }
  /**
   * Starts the one scenario in the body now. With {@code dryRun=true} nothing is injected: the
   * answer lists the backends it would hit, or the reasons it may not run.
   */
  @Post(uri = "/runs", consumes = {PolicyValidationController.APPLICATION_YAML, MediaType.TEXT_PLAIN})
  @RequiresRole(Role.OPERATOR)
  ChaosRunner.Started start(@Body String yaml, @Nullable @QueryValue String reason, @Nullable @QueryValue Boolean dryRun,
      Caller caller) {
    return startRun(yaml, reason, dryRun, caller);
  }

  private ChaosRunner.Started startRun(String yaml, @Nullable String reason, @Nullable Boolean dryRun, Caller caller) {
    boolean dry = Boolean.TRUE.equals(dryRun);
    try {
      return runner.start(yaml, dry ? "dry run" : Writes.requireReason(reason), caller.name(), dry);
    } catch (ChaosRunner.RefusedException e) {
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage());
    } catch (CompletionException e) {
      throw notCommitted(e, "the run's start");
    }
  }

  /**
   * A write the cluster did not commit in time (no leader, no majority) is 503, not 500: the
   * cluster is unavailable, not broken. It may still commit, so the answer says to look first.
   */
  private static RuntimeException notCommitted(CompletionException e, String what) {
    if (e.getCause() instanceof RaftNode.NotCommittedException) {
      return new HttpStatusException(HttpStatus.SERVICE_UNAVAILABLE, what + " was not committed in time (no leader or"
          + " no majority); it may still take effect: check GET /api/v1/chaos/runs before you retry");
    }
    return e;
  }

  /** Every run kept, newest first. */
  @Get("/runs")
  @RequiresRole(Role.VIEWER)
  List<RunView> runs() {
    return node.state().chaosRuns().reversed().stream().map(RunView::of).toList();
  }

  /** The report of an ended run, as JSON: timeline, each expectation with its evidence, the outcome. */
  @Get(uri = "/runs/{id}/report", produces = MediaType.APPLICATION_JSON)
  @RequiresRole(Role.VIEWER)
  HttpResponse<String> report(String id) {
    ChaosRun run = node.state().chaosRun(id)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no chaos run " + id));
    return run.end().map(e -> HttpResponse.ok(e.report()).contentType(MediaType.APPLICATION_JSON_TYPE))
        .orElseThrow(() -> new HttpStatusException(HttpStatus.CONFLICT, "run " + id + " is still active; its fault is"
            + " reverted by " + run.revertDueAt()));
  }

  /** Reverts every active fault now, this node's runs and any an earlier leader left. */
  @Post("/kill-switch")
  @RequiresRole(Role.OPERATOR)
  Reverted killSwitch(@Nullable @QueryValue String reason, Caller caller) {
    return new Reverted(runner.revertAll(caller.name(), Writes.requireReason(reason)));
  }
}
