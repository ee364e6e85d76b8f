package dev.tern.chaos.scenario;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What the cluster must do for the scenario to pass. Times run from the injection, except
 * {@code failbackWithin}, which runs from the heal. Residency is always checked: no run passes if
 * one EU client was answered with a non-EU backend.
 *
 * @param failoverWithin a new plan without the targets, committed this soon
 * @param noFailover the opposite: no plan may drop a target (a partitioned vantage alone must not move traffic)
 * @param noTrafficToTargetsAfter from then on no answer may name a target
 * @param pageWithin an incident opened (and paged) this soon
 * @param pageResolvedAfterHeal the incident resolves once the targets are back
 * @param failbackWithin the targets are back in the plan this soon after the heal
 * @param recoveredWithin the targets are HEALTHY again this soon after the heal (whether traffic
 *     returns is the routing method's call: latency routing keeps an incumbent within tolerance)
 * @param maxPlanChanges at most this many plan versions during the run
 * @param maxPages at most this many incidents paged for the affected services during the run (one
 *     episode, one page)
 * @param syncedWithin every provider matches the plan again this soon after the heal
 */
public record Expectations(
    Optional<Duration> failoverWithin,
    boolean noFailover,
    Optional<Duration> noTrafficToTargetsAfter,
    Optional<Duration> pageWithin,
    boolean pageResolvedAfterHeal,
    Optional<Duration> failbackWithin,
    Optional<Duration> recoveredWithin,
    OptionalInt maxPlanChanges,
    OptionalInt maxPages,
    Optional<Duration> syncedWithin) {}
