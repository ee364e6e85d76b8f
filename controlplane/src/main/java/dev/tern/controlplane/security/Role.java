package dev.tern.controlplane.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a caller may do. VIEWER, OPERATOR and ADMIN form a chain, each including the ones before
 * it; PROBE stands apart from the chain.
 *
 * <table>
 *   <caption>Roles</caption>
 *   <tr><th>Role</th><th>May</th></tr>
 *   <tr><td>PROBE</td><td>report probe observations and read probe assignments, nothing else</td></tr>
 *   <tr><td>VIEWER</td><td>read plans, health, policies; validate a policy</td></tr>
 *   <tr><td>OPERATOR</td><td>also drain backends, run chaos scenarios, and what PROBE may</td></tr>
 *   <tr><td>ADMIN</td><td>also change policies, settings and access</td></tr>
 * </table>
 *
 * <p>A probe agent's token is the one credential that lives on many hosts in many clouds, so its
 * role allows only what the agent does: a stolen probe token can feed false observations, but
 * cannot read the deployment, drain, run chaos or change anything.
 */
public enum Role {
  PROBE,
  VIEWER,
  OPERATOR,
  ADMIN;

  /** True when a caller with this role may do what {@code required} allows. */
  public boolean covers(Role required) {
    if (this == PROBE) {
      return required == PROBE;
    }
    if (required == PROBE) {
      return covers(OPERATOR);
    }
    return compareTo(required) >= 0;
  }

  /** The lower-case name used in configuration, responses and the OpenAPI spec. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads a role written in any case, e.g. {@code operator}. */
  public static Role parse(String text) {
    for (Role role : values()) {
      if (role.name().equalsIgnoreCase(text.strip())) {
        return role;
      }
    }
    throw new IllegalArgumentException("unknown role '" + text + "'; use one of "
        + Arrays.stream(values()).map(Role::wireName).collect(Collectors.joining(", ")));
  }
}
