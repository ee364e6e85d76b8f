package dev.tern.controlplane.provider.azure;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.TreeSet;

/**
 * One Traffic Manager endpoint as Tern writes and compares it, independent of the SDK. Only the
 * fields Tern sets are here, so what Azure adds (monitor status, location) is never a difference.
 *
 * @param name the endpoint's name in its profile: the backend, or {@code zone-<zone>} in the parent
 * @param target an external endpoint's address or hostname, or the resource id an Azure or nested
 *     endpoint points at (lowercase: Azure resource ids are case-insensitive)
 * @param weight 1 to 1000 (Weighted profiles; 1 elsewhere)
 * @param geoMapping the geographic codes mapped to it (Geographic profiles), sorted
 * @param enabled {@code endpointStatus}: a disabled endpoint is never answered
 * @param alwaysServe probes never take it out of rotation: Tern's health decides, not Azure's
 */
public record AzureTmEndpoint(String name, Kind kind, String target, long weight, List<String> geoMapping,
    boolean enabled, boolean alwaysServe) {

  /** The endpoint types, as the resource path names them. */
  public enum Kind {
    EXTERNAL("externalEndpoints"),
    AZURE("azureEndpoints"),
    NESTED("nestedEndpoints");

    private final String path;

    Kind(String path) {
      this.path = path;
    }

    /** {@code externalEndpoints}, {@code azureEndpoints} or {@code nestedEndpoints}. */
    public String path() {
      return path;
    }

    /** {@code Microsoft.Network/trafficManagerProfiles/externalEndpoints}. */
    public String type() {
      return "Microsoft.Network/trafficManagerProfiles/" + path;
    }

    /** The kind of a resource type or path segment, in any case. */
    public static Kind of(String typeOrPath) {
      String last = typeOrPath.substring(typeOrPath.lastIndexOf('/') + 1);
      for (Kind k : values()) {
        if (k.path.equalsIgnoreCase(last)) {
          return k;
        }
      }
      throw new IllegalArgumentException("not a Traffic Manager endpoint type: " + typeOrPath);
    }
  }

  public AzureTmEndpoint {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    if (kind != Kind.EXTERNAL) {
      target = target.toLowerCase(Locale.ROOT);
    }
    geoMapping = List.copyOf(new TreeSet<>(geoMapping));
  }

  /** How a change names it: {@code tern-shop-eu/fra}. */
  String at(String profile) {
    return profile + "/" + name;
  }

  @Override
  public String toString() {
    return kind.path() + " " + name + " -> " + target + (geoMapping.isEmpty() ? " weight " + weight
        : " geo " + String.join(",", geoMapping)) + (enabled ? "" : " disabled") + (alwaysServe ? "" : " probed");
  }
}
