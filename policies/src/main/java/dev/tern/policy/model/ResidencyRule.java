package dev.tern.policy.model;

import dev.tern.policy.geo.ClientZone;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Clients in {@code zone} (and every zone inside it) are only answered with backends of the
 * {@code allowed} jurisdictions, whatever fails.
 */
public record ResidencyRule(ClientZone zone, Set<Jurisdiction> allowed, WhenNoneHealthy whenNoneHealthy) {

  /** What a residency zone gets when none of its allowed backends is healthy. */
  public enum WhenNoneHealthy {
    /** Fail open within residency: answer with the allowed backends anyway, and page. */
    SERVE_UNHEALTHY("serve-unhealthy"),
    /** Answer with no address (NODATA) rather than anything else, and page. */
    ANSWER_NOTHING("answer-nothing");

    private final String key;

    WhenNoneHealthy(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }

    public static Optional<WhenNoneHealthy> fromKey(String key) {
      for (WhenNoneHealthy w : values()) {
        if (w.key.equals(key)) {
          return Optional.of(w);
        }
      }
      return Optional.empty();
    }
  }

  public ResidencyRule {
    Objects.requireNonNull(zone, "zone");
    allowed = Set.copyOf(allowed);
    Objects.requireNonNull(whenNoneHealthy, "whenNoneHealthy");
  }
}
