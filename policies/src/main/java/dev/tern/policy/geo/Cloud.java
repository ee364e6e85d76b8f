package dev.tern.policy.geo;

import java.util.Optional;

/** A cloud a backend or a probe vantage runs in. */
public enum Cloud {
  AWS("aws"),
  AZURE("azure"),
  GCP("gcp");

  private final String key;

  Cloud(String key) {
    this.key = key;
  }

  /** The name used in policy YAML and region keys. */
  public String key() {
    return key;
  }

  public static Optional<Cloud> fromKey(String key) {
    for (Cloud c : values()) {
      if (c.key.equals(key)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
