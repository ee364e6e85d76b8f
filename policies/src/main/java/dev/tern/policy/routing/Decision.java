package dev.tern.policy.routing;

import java.util.List;
import java.util.Objects;

/**
 * The outcome of deciding one service: the plan to serve, whether it differs from the previous
 * one, and what a human must be told.
 */
public record Decision(RoutingPlan plan, boolean changed, List<PlanWarning> warnings) {

  public Decision {
    Objects.requireNonNull(plan, "plan");
    warnings = List.copyOf(warnings);
  }
}
