package dev.tern.policy.model;

/**
 * Limits on what automation may do to a service on its own.
 *
 * @param minHealthyBackends automation never takes so many backends out that fewer than this many
 *     remain in service
 * @param maxAutoDrainShare the largest share of the service's capacity (0..1) that health may take
 *     out of service at once
 * @param maxPlanChangesPerMinute plan changes allowed per service in any 60 s window
 */
public record Guardrails(int minHealthyBackends, double maxAutoDrainShare, int maxPlanChangesPerMinute) {

  public static final Guardrails DEFAULTS = new Guardrails(0, 1.0, 6);
}
