package dev.tern.policy.routing;

import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What the decision engine knows about one service's backends right now.
 *
 * @param verdicts by backend name; a backend missing here counts as UNKNOWN
 * @param drained backends an operator took out of service
 */
public record HealthView(Map<String, HealthVerdict> verdicts, LatencyMatrix latency, Set<String> drained) {

  public static final HealthView NOTHING_KNOWN = new HealthView(Map.of(), LatencyMatrix.EMPTY, Set.of());

  public HealthView {
    verdicts = Map.copyOf(verdicts);
    Objects.requireNonNull(latency, "latency");
    drained = Set.copyOf(drained);
  }
}
