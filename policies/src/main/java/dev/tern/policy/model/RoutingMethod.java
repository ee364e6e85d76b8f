package dev.tern.policy.model;

import dev.tern.policy.geo.ClientZone;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How a service chooses among the backends a client zone may use. Every method works on the
 * backends that residency allows and health makes eligible.
 *
 * <table>
 *   <caption>Routing methods</caption>
 *   <tr><th>method</th><th>answer</th><th>when the choice fails</th></tr>
 *   <tr><td>weighted</td><td>every eligible backend, by configured weight</td>
 *       <td>the rest share its traffic</td></tr>
 *   <tr><td>latency</td><td>the fastest backend measured from the vantages nearest the zone,
 *       kept while within the tolerance band</td><td>next fastest</td></tr>
 *   <tr><td>geo</td><td>the first eligible backend of the zone's ordered list</td>
 *       <td>next entry of the list</td></tr>
 *   <tr><td>failover</td><td>the eligible backends of the lowest priority tier</td>
 *       <td>next tier</td></tr>
 * </table>
 */
public sealed interface RoutingMethod {

  /** The name used in policy YAML. */
  String key();

  /** Configured weights over the eligible backends. */
  record Weighted() implements RoutingMethod {
    @Override
    public String key() {
      return "weighted";
    }
  }

  /**
   * The backend with the lowest latency, as measured from the vantage points nearest the client
   * zone. The current choice is kept while its latency stays within {@code tolerance} of the best.
   */
  record Latency(Duration tolerance) implements RoutingMethod {
    public static final Duration DEFAULT_TOLERANCE = Duration.ofMillis(20);

    public Latency {
      Objects.requireNonNull(tolerance, "tolerance");
    }

    @Override
    public String key() {
      return "latency";
    }
  }

  /**
   * Per client zone an ordered list of backend names, first eligible one answers. A zone without
   * its own list uses the list of the nearest zone above it, down to {@code default}.
   */
  record Geo(Map<ClientZone, List<String>> map) implements RoutingMethod {
    public Geo {
      Map<ClientZone, List<String>> copy = new LinkedHashMap<>();
      map.forEach((zone, names) -> copy.put(zone, List.copyOf(names)));
      map = java.util.Collections.unmodifiableMap(copy);
    }

    @Override
    public String key() {
      return "geo";
    }
  }

  /** The eligible backends of the lowest priority tier, by configured weight. */
  record Failover() implements RoutingMethod {
    @Override
    public String key() {
      return "failover";
    }
  }
}
