package dev.tern.controlplane.provider.azure;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One Traffic Manager profile as Tern writes and compares it, with its endpoints.
 *
 * @param routingMethod {@code Geographic} (a service's parent) or {@code Weighted} (a zone's child)
 * @param relativeName the DNS label under {@code trafficmanager.net}
 * @param ttl seconds resolvers may cache Traffic Manager's answer: the plan's TTL
 * @param enabled {@code profileStatus}; a disabled child makes its zone answer nothing (NODATA)
 * @param tags the profile's tags; only Tern's ({@code tern-owner}, {@code tern-service}, {@code tern-zone}) are
 *     compared, and the others are kept on update
 * @param fqdn the name Azure gives it ({@code <relativeName>.trafficmanager.net}), when read
 */
public record AzureTmProfile(String name, String routingMethod, String relativeName, long ttl, boolean enabled,
    Map<String, String> tags, List<AzureTmEndpoint> endpoints, Optional<String> fqdn) {

  /** The profile's own settings, without its endpoints: what a profile update changes. */
  public record Settings(String routingMethod, String relativeName, long ttl, boolean enabled,
      Map<String, String> tags) {}

  /** Tern's tags start with this. */
  public static final String TAG_PREFIX = "tern-";

  public AzureTmProfile {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(routingMethod, "routingMethod");
    Objects.requireNonNull(relativeName, "relativeName");
    tags = Map.copyOf(tags);
    endpoints = List.copyOf(endpoints);
    Objects.requireNonNull(fqdn, "fqdn");
  }

  /** The settings, with only Tern's own tags ({@code tern-*}): tags others add are never a difference. */
  public Settings settings() {
    return new Settings(routingMethod, relativeName, ttl, enabled, ternTags());
  }

  public Map<String, String> ternTags() {
    return tags.entrySet().stream().filter(e -> e.getKey().startsWith(TAG_PREFIX))
        .collect(java.util.stream.Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
  }

  public Optional<AzureTmEndpoint> endpoint(String endpointName) {
    return endpoints.stream().filter(e -> e.name().equals(endpointName)).findFirst();
  }

  @Override
  public String toString() {
    return name + " (" + routingMethod + ", " + relativeName + ", ttl " + ttl + (enabled ? "" : ", disabled") + ", "
        + endpoints.size() + " endpoints)";
  }
}
