package dev.tern.chaos.scenario;

import java.time.Duration;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * When a run is aborted and its fault reverted at once (checked continuously, acting within 3 s):
 * a service the scenario does not target gets an unhealthy backend, a backend in a region it does
 * not target turns unhealthy, or the error budget burns faster than {@code maxBurnRate}.
 *
 * <p><b>Burn rate.</b> Clients' estimated error ratio is, per client zone of each targeted
 * service, the answers' weights times the share of vantage points whose last check of that
 * backend failed (the worst zone counts). Integrated from the injection, it is the budget the run
 * has spent; divided by what an {@code slo} allows over {@code burnWindow}, it is the burn rate. A
 * 3 s failover at 100 % errors against 99.9 % over 5 minutes burns at 10.
 *
 * @param slo the availability objective, e.g. 0.999
 * @param burnWindow the window whose budget the run may spend
 */
public record StopConditions(boolean otherServiceUnhealthy, boolean nonTargetRegionDegraded, OptionalDouble maxBurnRate,
    double slo, Duration burnWindow) {

  public static final double DEFAULT_SLO = 0.999;
  public static final Duration DEFAULT_BURN_WINDOW = Duration.ofMinutes(5);

  /** Both health checks on, no budget check: what a scenario gets unless it says otherwise. */
  public static final StopConditions DEFAULTS =
      new StopConditions(true, true, OptionalDouble.empty(), DEFAULT_SLO, DEFAULT_BURN_WINDOW);

  public StopConditions {
    Objects.requireNonNull(maxBurnRate, "maxBurnRate");
    Objects.requireNonNull(burnWindow, "burnWindow");
    if (!(slo > 0 && slo < 1)) {
      throw new IllegalArgumentException("the slo is a share between 0 and 1, got " + slo);
    }
  }
}
