package dev.tern.controlplane.kubernetes;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * What one cluster's discovery knows, as of one moment: per Tern service, the backends found for it.
 *
 * <p>{@code stale} means the API server could not be reached (or a watch could not be re-established) since the
 * last full list: the backends are the last ones seen, kept as they were, never dropped because the API is down.
 *
 * @param services Tern service name to its backends, sorted by backend name
 */
public record DiscoveredBackends(String cluster, Map<String, List<DiscoveredBackend>> services, boolean stale,
    Instant asOf) {

  public DiscoveredBackends {
    Objects.requireNonNull(cluster, "cluster");
    Map<String, List<DiscoveredBackend>> copy = new LinkedHashMap<>();
    services.forEach((k, v) -> copy.put(k, List.copyOf(v)));
    services = Collections.unmodifiableMap(copy);
    Objects.requireNonNull(asOf, "asOf");
  }

  /** Nothing known yet: the state before the first list, stale until it succeeds. */
  public static DiscoveredBackends initial(String cluster, Instant now) {
    return new DiscoveredBackends(cluster, Map.of(), true, now);
  }

  /** The backends of {@code service}; empty when none. */
  public List<DiscoveredBackend> of(String service) {
    return services.getOrDefault(service, List.of());
  }

  /** The backend named {@code backend} of {@code service}, if discovered. */
  public Optional<DiscoveredBackend> find(String service, String backend) {
    return of(service).stream().filter(b -> b.name().equals(backend)).findFirst();
  }

  /** Same content, ignoring when: used to publish only real changes. */
  boolean sameAs(DiscoveredBackends other) {
    return other != null && cluster.equals(other.cluster) && stale == other.stale && services.equals(other.services);
  }
}
