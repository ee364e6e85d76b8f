package dev.tern.chaos.scenario;

import dev.tern.chaos.schedule.Schedule;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One chaos experiment: the hypothesis it tests, the fault, whom it hits and for how long, who
 * injects it, what must happen for it to pass, when it must stop early, and when it runs by itself
 * (no schedule: only when started by hand).
 *
 * @param killLeaderAfter the leader running the scenario is killed this long after the injection,
 *     while the fault is in (a leader kill during a failover); the next leader carries the run on
 */
public record Scenario(
    String name,
    String hypothesis,
    Targets targets,
    Fault fault,
    Duration duration,
    Injector injector,
    Expectations expect,
    StopConditions stopWhen,
    Optional<Schedule> schedule,
    Optional<Duration> killLeaderAfter) {

  public Scenario {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(hypothesis, "hypothesis");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(fault, "fault");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(injector, "injector");
    Objects.requireNonNull(expect, "expect");
    Objects.requireNonNull(stopWhen, "stopWhen");
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(killLeaderAfter, "killLeaderAfter");
  }

  /** Whether the leader is killed during the run, by the fault itself or on top of it. */
  public boolean killsLeader() {
    return fault instanceof Fault.LeaderKill || killLeaderAfter.isPresent();
  }
}
