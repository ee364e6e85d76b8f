package dev.tern.controlplane.security;

import java.util.Objects;

/**
 * Who made an authenticated request. Controllers take it as a parameter ({@code Caller caller})
 * and record it, e.g. in audit entries.
 *
 * @param name the token's or the console user's name
 * @param role what the caller may do
 * @param via how the caller proved who it is
 */
public record Caller(String name, Role role, AuthMethod via) {

  public Caller {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(via, "via");
  }

  /** How a caller authenticated. */
  public enum AuthMethod {
    /** An API token in {@code Authorization: Bearer}: automation and probes. */
    TOKEN,
    /** A console session cookie, after a password login. */
    SESSION
  }
}
