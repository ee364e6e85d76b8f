package dev.tern.policy.health;

import dev.tern.policy.geo.Region;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/** Everything Tern knows about one backend's health: each vantage's view, and the current verdict. */
public record BackendHealth(String backend, Map<Region, VantageView> views, HealthVerdict verdict) {

  public BackendHealth {
    Objects.requireNonNull(backend, "backend");
    views = Collections.unmodifiableMap(new LinkedHashMap<>(views));
    Objects.requireNonNull(verdict, "verdict");
  }

  /** A backend nobody has reported on yet, as of {@code now}. */
  public static BackendHealth initial(String backend, Instant now) {
    return new BackendHealth(backend, Map.of(), HealthVerdict.unknown(backend, now));
  }
}
