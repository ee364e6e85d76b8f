package dev.tern.policy.model;

import dev.tern.policy.geo.Region;
import java.util.Objects;

/**
 * One deployment of a service in one cloud region.
 *
 * @param address an IPv4 or IPv6 address, or a hostname (answered as CNAME)
 * @param weight share of traffic relative to the other backends it is answered with; 0 means
 *     "only when no backend with a positive weight can serve"
 * @param priority failover tier, 1 first
 * @param capacity how much load (in the unit of the service's {@code demand}) it can take
 */
public record Backend(
    String name,
    Region region,
    Jurisdiction jurisdiction,
    String address,
    int weight,
    int priority,
    int capacity,
    HealthCheck healthCheck) {

  public Backend {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(healthCheck, "healthCheck");
  }
}
