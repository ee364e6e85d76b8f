package dev.tern.controlplane.security;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a caller may do, each role including the ones before it.
 *
 * <table>
 *   <caption>Roles</caption>
 *   <tr><th>Role</th><th>May</th></tr>
 *   <tr><td>VIEWER</td><td>read plans, health, policies; validate a policy</td></tr>
 *   <tr><td>OPERATOR</td><td>also drain backends, run chaos scenarios</td></tr>
 *   <tr><td>ADMIN</td><td>also change policies, settings and access</td></tr>
 * </table>
 */
public enum Role {
  VIEWER,
  OPERATOR,
  ADMIN;

  /** True when a caller with this role may do what {@code required} allows. */
  public boolean covers(Role required) {
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
