package dev.tern.chaos.scenario;

import java.util.OptionalDouble;

/**
 * When a run is aborted and its fault reverted at once (checked continuously, acting within 3 s):
 * a service the scenario does not target becomes unhealthy, a region it does not target degrades,
 * or the error budget burns faster than the given rate.
 */
public record StopConditions(boolean otherServiceUnhealthy, boolean nonTargetRegionDegraded, OptionalDouble maxBurnRate) {

  /** Both health checks on, no budget check: what a scenario gets unless it says otherwise. */
  public static final StopConditions DEFAULTS = new StopConditions(true, true, OptionalDouble.empty());
}
