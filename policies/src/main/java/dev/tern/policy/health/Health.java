package dev.tern.policy.health;

/** The tri-state health of a backend. UNKNOWN (no evidence either way) is not UNHEALTHY. */
public enum Health {
  HEALTHY,
  UNHEALTHY,
  UNKNOWN
}
