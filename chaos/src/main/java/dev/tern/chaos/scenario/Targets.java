package dev.tern.chaos.scenario;

import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a scenario hits: named backends ({@code service/backend}), whole regions, whole clouds, or
 * the backends a selector picks, never more than the blast radius allows. The lists add up; the
 * runner resolves them against the policy when the run starts (and in a dry run).
 */
public record Targets(List<String> backends, List<Region> regions, List<Cloud> clouds, Optional<Selector> selector,
    BlastRadius blastRadius) {

  public Targets {
    backends = List.copyOf(backends);
    regions = List.copyOf(regions);
    clouds = List.copyOf(clouds);
  }

  public boolean isEmpty() {
    return backends.isEmpty() && regions.isEmpty() && clouds.isEmpty() && selector.isEmpty();
  }

  /**
   * Backends of a service, narrowed by jurisdiction and cloud when given, and to the backends the
   * service's current plan answers a client zone with ({@code answering}): the one serving EU
   * clients now, whichever that is when the run starts.
   */
  public record Selector(String service, Optional<String> jurisdiction, Optional<Cloud> cloud, Optional<String> answering) {

    public Selector(String service, Optional<String> jurisdiction, Optional<Cloud> cloud) {
      this(service, jurisdiction, cloud, Optional.empty());
    }
  }

  /**
   * The most a run may take down: a count of backends, and a share of a service's capacity in
   * percent. A run whose resolved targets exceed either is refused before anything is injected.
   */
  public record BlastRadius(OptionalInt maxBackends, OptionalDouble maxCapacityPercent) {
    public static final BlastRadius UNLIMITED = new BlastRadius(OptionalInt.empty(), OptionalDouble.empty());
  }
}
