package dev.tern.policy.geo;

import java.util.Objects;
import java.util.Optional;

/**
 * One region of one cloud, with the country its data centres are in. Written {@code
 * aws:eu-central-1} where a region stands alone (a probe vantage, for instance).
 */
public record Region(Cloud cloud, String name, String country) {

  public Region {
    Objects.requireNonNull(cloud, "cloud");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(country, "country");
  }

  /** {@code aws:eu-central-1}. */
  public String key() {
    return cloud.key() + ":" + name;
  }

  /** The most specific client zone this region lies in: its country. */
  public ClientZone zone() {
    return new ClientZone.Country(country);
  }

  public boolean inEuEea() {
    return Countries.isEuEea(country);
  }

  /** Looks up {@code aws:eu-central-1} in the catalog. */
  public static Optional<Region> parse(String key) {
    int colon = key.indexOf(':');
    if (colon < 0) {
      return Optional.empty();
    }
    return Cloud.fromKey(key.substring(0, colon))
        .flatMap(cloud -> RegionCatalog.find(cloud, key.substring(colon + 1)));
  }

  @Override
  public String toString() {
    return key();
  }
}
