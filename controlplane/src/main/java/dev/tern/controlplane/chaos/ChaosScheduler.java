package dev.tern.controlplane.chaos;

import dev.tern.chaos.scenario.ParsedScenarios;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.chaos.schedule.Schedule;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.ChaosRun;
import dev.tern.controlplane.state.ChaosScenarioEntry;
import dev.tern.controlplane.state.Command;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Value;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Starts the catalogue's scenarios when their schedules come due, on the leader only.
 *
 * <p>Each due start time is committed ({@link Command.ScheduleFired}) with what became of it
 * before anything else happens, so that a start time fires once whoever leads: a new leader looks
 * for the next start after the last one committed. A start time noticed more than the starting
 * deadline late (no leader then) is recorded as missed, not run hours after its time. With
 * {@code concurrency: forbid} a start time that comes while the scenario's previous run is still
 * active is recorded as skipped.
 */
@Context
public final class ChaosScheduler implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ChaosScheduler.class.getName());
  static final String ACTOR = "chaos-scheduler";
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

  private final RaftNode node;
  private final ChaosRunner runner;
  private final Clock clock;
  private final Duration tick;
  private final Duration startingDeadline;
  private final ScenarioParser parser = new ScenarioParser();
  private volatile boolean closed;

  ChaosScheduler(RaftNode node, ChaosRunner runner, Clock clock,
      @Value("${tern.chaos.schedule-tick:10s}") Duration tick,
      @Value("${tern.chaos.starting-deadline:2m}") Duration startingDeadline) {
    this.node = node;
    this.runner = runner;
    this.clock = clock;
    this.tick = tick;
    this.startingDeadline = startingDeadline;
    Thread.ofVirtual().name("chaos-scheduler").start(this::loop);
  }

  private void loop() {
    while (!closed) {
      if (node.isLeader()) {
        try {
          tick(clock.instant());
        } catch (RuntimeException e) {
          LOG.warning(() -> "the chaos schedule tick failed: " + e);
        }
      }
      try {
        Thread.sleep(tick);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** One look at every schedule as of {@code now}; returns what it committed, in words, per scenario. */
  synchronized List<String> tick(Instant now) {
    List<String> done = new ArrayList<>();
    for (ChaosScenarioEntry entry : node.state().scenarios()) {
      Optional<Scenario> scenario = parse(entry.yaml());
      if (scenario.isEmpty() || scenario.get().schedule().isEmpty() || entry.paused()) {
        continue;
      }
      Schedule schedule = scenario.get().schedule().get();
      Instant since = entry.lastDue().orElse(entry.updatedAt());
      Optional<Schedule.Due> due = schedule.due(since, now, startingDeadline);
      if (due.isEmpty()) {
        continue;
      }
      String reason = "scheduled: due at " + due.get().at();
      Optional<ChaosRun> active = node.state().chaosRuns().stream()
          .filter(r -> r.active() && r.scenario().equals(entry.name())).findFirst();
      String result;
      Instant firedFor = due.get().at();
      if (due.get().late()) {
        // Every start time up to now is accounted for by this one record.
        result = "missed: due at " + due.get().at() + ", noticed at " + now.truncatedTo(ChronoUnit.SECONDS)
            + " (no leader then); not run late";
        firedFor = now;
      } else if (active.isPresent() && !schedule.mayStart(true)) {
        result = "skipped: run " + active.get().id() + " is still active (concurrency: forbid)";
      } else if (node.state().chaosRuns().stream().anyMatch(r -> r.scenario().equals(entry.name())
          && r.reason().equals(reason))) {
        result = "started (by an earlier leader)";
      } else {
        try {
          ChaosRunner.Started started = runner.start(entry.yaml(), reason, ACTOR, false);
          result = "started run " + started.runId();
        } catch (ChaosRunner.RefusedException e) {
          result = "refused: " + e.getMessage();
        }
      }
      ApplyResult committed = node.submit(new Command.ScheduleFired(ACTOR, clock.instant().truncatedTo(ChronoUnit.MILLIS),
          entry.name(), firedFor, result), COMMIT_TIMEOUT).join();
      String line = entry.name() + " " + firedFor + ": " + result;
      if (committed instanceof ApplyResult.Rejected r) {
        LOG.warning(() -> "the schedule of " + entry.name() + " was not recorded: " + r.reason());
      } else {
        LOG.info(() -> "chaos schedule: " + line);
      }
      done.add(line);
    }
    return done;
  }

  private Optional<Scenario> parse(String yaml) {
    ParsedScenarios parsed = parser.parse(yaml);
    return parsed.isValid() && parsed.scenarios().size() == 1 ? Optional.of(parsed.scenarios().getFirst()) : Optional.empty();
  }

  /** When {@code entry}'s schedule fires next, if it does: for the API and the console. */
  public Optional<Instant> nextRun(ChaosScenarioEntry entry) {
    if (entry.paused()) {
      return Optional.empty();
    }
    return parse(entry.yaml()).flatMap(Scenario::schedule)
        .flatMap(s -> s.nextRun(entry.lastDue().orElse(entry.updatedAt())));
  }

  @PreDestroy
  @Override
  public void close() {
    closed = true;
  }
}
