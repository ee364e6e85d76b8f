package dev.tern.policy.geo;

import java.util.Optional;

/** A continent, as a client zone names it in policy YAML ({@code europe}, {@code north-america}). */
public enum Continent {
  AFRICA("africa"),
  ANTARCTICA("antarctica"),
  ASIA("asia"),
  EUROPE("europe"),
  NORTH_AMERICA("north-america"),
  OCEANIA("oceania"),
  SOUTH_AMERICA("south-america");

  private final String key;

  Continent(String key) {
    this.key = key;
  }

  /** The name used in policy YAML. */
  public String key() {
    return key;
  }

  public static Optional<Continent> fromKey(String key) {
    for (Continent c : values()) {
      if (c.key.equals(key)) {
        return Optional.of(c);
      }
    }
    return Optional.empty();
  }
}
