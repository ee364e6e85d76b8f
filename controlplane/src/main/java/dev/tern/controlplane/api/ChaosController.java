package dev.tern.controlplane.api;

import dev.tern.controlplane.chaos.ChaosRunner;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.ChaosRun;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * Chaos runs (docs/chaos.md): start one by hand (or dry-run it), list them, read a report, and
 * the kill switch that reverts every active fault at once.
 */
@Controller("/api/v1/chaos")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ChaosController {

  /** One run: who started it, what it hits, and how it ended, if it has. */
  @Serdeable
  record RunView(String id, String scenario, String actor, String reason, Instant startedAt, Instant revertDueAt,
      List<String> targets, boolean active, Instant endedAt, String outcome) {
    static RunView of(ChaosRun r) {
      return new RunView(r.id(), r.scenario(), r.actor(), r.reason(), r.startedAt(), r.revertDueAt(), r.targets(), r.active(),
          r.end().map(ChaosRun.Ended::at).orElse(null), r.end().map(ChaosRun.Ended::outcome).orElse(null));
    }
  }

  /** What the kill switch did. */
  @Serdeable
  record Reverted(int runs) {}

  private final ChaosRunner runner;
  private final RaftNode node;

  ChaosController(ChaosRunner runner, RaftNode node) {
    this.runner = runner;
    this.node = node;
  }

  /**
   * Starts the one scenario in the body now. With {@code dryRun=true} nothing is injected: the
   * answer lists the backends it would hit, or the reasons it may not run.
   */
  @Post(uri = "/runs", consumes = {PolicyValidationController.APPLICATION_YAML, MediaType.TEXT_PLAIN})
  @RequiresRole(Role.OPERATOR)
  ChaosRunner.Started start(@Body String yaml, @Nullable @QueryValue String reason, @Nullable @QueryValue Boolean dryRun,
      Caller caller) {
    boolean dry = Boolean.TRUE.equals(dryRun);
    try {
      return runner.start(yaml, dry ? "dry run" : Writes.requireReason(reason), caller.name(), dry);
    } catch (ChaosRunner.RefusedException e) {
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY, e.getMessage());
    }
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
