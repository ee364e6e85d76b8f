package dev.tern.controlplane.security;

import io.micronaut.context.annotation.Context;
import io.micronaut.core.type.Argument;
import io.micronaut.core.value.PropertyResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code tern.security} configuration, checked when the server starts so that a mistake stops
 * the server with a message naming the key, rather than locking everyone out later.
 *
 * <pre>
 * tern.security:
 *   tokens: [{name: prober-eu, role: probe, sha256: 64 hex digits}]
 *   users:  [{username: alice, role: admin, bcrypt: "$2a$12$..."}]
 *   session.ttl: 8h
 * </pre>
 */
@Context
public final class SecuritySettings {

  static final String PREFIX = "tern.security";
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");
  private static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(8);

  /** One API token, known only by its SHA-256. */
  public record ApiToken(String name, Role role, String sha256Hex) {
    public ApiToken {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(role, "role");
      sha256Hex = sha256Hex.toLowerCase(Locale.ROOT);
    }
  }

  /** One console user, known only by the bcrypt hash of the password. */
  public record ConsoleUser(String username, Role role, String bcrypt) {
    public ConsoleUser {
      Objects.requireNonNull(username, "username");
      Objects.requireNonNull(role, "role");
      Objects.requireNonNull(bcrypt, "bcrypt");
    }
  }

  private final List<ApiToken> tokens;
  private final List<ConsoleUser> users;
  private final Duration sessionTtl;

  public SecuritySettings(PropertyResolver config) {
    this(entries(config, PREFIX + ".tokens"), entries(config, PREFIX + ".users"),
        config.getProperty(PREFIX + ".session.ttl", Duration.class).orElse(DEFAULT_SESSION_TTL));
  }

  SecuritySettings(List<Map<String, Object>> tokenEntries, List<Map<String, Object>> userEntries,
      Duration sessionTtl) {
    this.tokens = tokens(tokenEntries);
    this.users = users(userEntries);
    if (sessionTtl.isNegative() || sessionTtl.isZero()) {
      throw new IllegalArgumentException(PREFIX + ".session.ttl must be positive, e.g. 8h");
    }
    this.sessionTtl = sessionTtl;
  }

  public List<ApiToken> tokens() {
    return tokens;
  }

  public List<ConsoleUser> users() {
    return users;
  }

  public Duration sessionTtl() {
    return sessionTtl;
  }

  private static List<Map<String, Object>> entries(PropertyResolver config, String key) {
    return config.getProperty(key, Argument.listOf(Argument.mapOf(String.class, Object.class)))
        .orElse(List.of());
  }

  private static List<ApiToken> tokens(List<Map<String, Object>> entries) {
    List<ApiToken> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = PREFIX + ".tokens[" + i + "]";
      Map<String, Object> entry = entries.get(i);
      String name = required(entry, at, "name");
      Role role = role(entry, at);
      String sha256 = required(entry, at, "sha256");
      if (!SHA256_HEX.matcher(sha256).matches()) {
        throw new IllegalArgumentException(at + ".sha256 must be the 64 hex digits of the token's "
            + "SHA-256, never the token itself; make one with: tern security hash-token --generate");
      }
      if (!names.add(name)) {
        throw new IllegalArgumentException(at + ".name '" + name + "' is used twice; names appear in audit entries, so keep them apart");
      }
      if (!hashes.add(sha256.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(at + ".sha256 repeats another token's hash; give each client its own token");
      }
      out.add(new ApiToken(name, role, sha256));
    }
    return List.copyOf(out);
  }

  private static List<ConsoleUser> users(List<Map<String, Object>> entries) {
    List<ConsoleUser> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = PREFIX + ".users[" + i + "]";
      Map<String, Object> entry = entries.get(i);
      String username = required(entry, at, "username");
      Role role = role(entry, at);
      if (role == Role.PROBE) {
        throw new IllegalArgumentException(at + ".role: probe is for probe agents' API tokens; "
            + "a console user is a viewer, an operator or an admin");
      }
      String bcrypt = required(entry, at, "bcrypt");
      if (!BCRYPT.matcher(bcrypt).matches()) {
        throw new IllegalArgumentException(at + ".bcrypt must be a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters); "
            + "make one with: tern security hash-password");
      }
      if (!names.add(username)) {
        throw new IllegalArgumentException(at + ".username '" + username + "' is used twice");
      }
      out.add(new ConsoleUser(username, role, bcrypt));
    }
    return List.copyOf(out);
  }

  private static Role role(Map<String, Object> entry, String at) {
    try {
      return Role.parse(required(entry, at, "role"));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(at + ".role: " + e.getMessage(), e);
    }
  }

  private static String required(Map<String, Object> entry, String at, String key) {
    Object value = entry.get(key);
    if (value == null || value.toString().isBlank()) {
      throw new IllegalArgumentException(at + "." + key + " is missing");
    }
    return value.toString().strip();
  }
}
