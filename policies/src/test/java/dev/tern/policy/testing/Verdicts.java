package dev.tern.policy.testing;

import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.routing.HealthView;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Builds {@link HealthView}s in tests: {@code Verdicts.at(t).down("fra").up("ams").view()}. */
public final class Verdicts {

  private final Instant since;
  private final Map<String, HealthVerdict> verdicts = new HashMap<>();
  private final Set<String> drained = new HashSet<>();
  private LatencyMatrix latency = LatencyMatrix.EMPTY;

  private Verdicts(Instant since) {
    this.since = since;
  }

  public static Verdicts since(Instant since) {
    return new Verdicts(since);
  }

  public Verdicts up(String... backends) {
    return put(Health.HEALTHY, since, Optional.empty(), backends);
  }

  public Verdicts down(String... backends) {
    return put(Health.UNHEALTHY, since, Optional.empty(), backends);
  }

  public Verdicts downSince(Instant at, String... backends) {
    return put(Health.UNHEALTHY, at, Optional.empty(), backends);
  }

  /** Healthy since {@code at}, after having been UNHEALTHY until then. */
  public Verdicts recoveredAt(Instant at, String... backends) {
    return put(Health.HEALTHY, at, Optional.of(at), backends);
  }

  public Verdicts drained(String... backends) {
    drained.addAll(List.of(backends));
    return this;
  }

  public Verdicts latency(LatencyMatrix matrix) {
    this.latency = matrix;
    return this;
  }

  private Verdicts put(Health health, Instant at, Optional<Instant> lastUnhealthy, String... backends) {
    for (String b : backends) {
      verdicts.put(b, new HealthVerdict(b, health, at, lastUnhealthy, List.of(), "test: " + health));
    }
    return this;
  }

  public HealthView view() {
    return new HealthView(verdicts, latency, drained);
  }
}
