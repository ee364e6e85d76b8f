package dev.tern.controlplane.config;

import dev.tern.policy.geo.Cidr;
import io.micronaut.core.type.Argument;
import io.micronaut.core.value.PropertyResolver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reading lists of entries from configuration ({@code tern.alerting.routes},
 * {@code tern.providers.route53}), as YAML and properties give them, and the secrets and URLs in them.
 */
public final class ConfigEntries {

  private ConfigEntries() {}

  /** The list of maps at {@code key}; empty when absent. */
  public static List<Map<String, Object>> list(PropertyResolver p, String key) {
    return p.getProperty(key, Argument.listOf(Argument.mapOf(String.class, Object.class))).orElse(List.of());
  }

  /** A non-blank value, stripped. */
  public static Optional<String> text(Map<String, Object> entry, String key) {
    Object v = entry.get(key);
    return v == null || String.valueOf(v).isBlank() ? Optional.empty() : Optional.of(String.valueOf(v).strip());
  }

  /** A list of strings given as a YAML list, an index-keyed map (how Micronaut reads a nested list), or "a, b". */
  public static List<String> strings(Object v) {
    if (v instanceof List<?> l) {
      return l.stream().map(String::valueOf).toList();
    }
    if (v instanceof Map<?, ?> m) {
      return m.values().stream().map(String::valueOf).toList();
    }
    return v == null ? List.of() : List.of(String.valueOf(v).split("\\s*,\\s*"));
  }

  /** {@code key} inline, or read from {@code key-file}; exactly one of the two. Never in a message. */
  public static String secret(String at, Map<String, Object> e, String key) {
    return optionalSecret(at, e, key).orElseThrow(() -> new IllegalArgumentException(at + ": give " + key + " or "
        + key + "-file (a file readable only by Tern is better)"));
  }

  /** {@code key} inline, or read from {@code key-file}, or neither; never both. Never in a message. */
  public static Optional<String> optionalSecret(String at, Map<String, Object> e, String key) {
    Optional<String> inline = text(e, key);
    Optional<String> file = text(e, key + "-file");
    if (inline.isPresent() && file.isPresent()) {
      throw new IllegalArgumentException(at + ": give one of " + key + " and " + key + "-file, not both");
    }
    if (file.isEmpty()) {
      return inline;
    }
    try {
      String value = Files.readString(Path.of(file.get()), StandardCharsets.UTF_8).strip();
      if (value.isEmpty()) {
        throw new IllegalArgumentException(at + "." + key + "-file " + file.get() + " is empty");
      }
      return Optional.of(value);
    } catch (IOException x) {
      throw new IllegalArgumentException(at + "." + key + "-file " + file.get() + " cannot be read: "
          + x.getClass().getSimpleName());
    }
  }

  /**
   * An https URL that a credential is sent to (in the URL itself, a header or the body); plain
   * http only to a loopback address, for a test double or a local relay. Never in the message.
   */
  public static URI credentialUrl(String at, String value) {
    URI u = url(at, value);
    if (!"https".equals(u.getScheme()) && !isLoopback(u)) {
      throw new IllegalArgumentException(at + " must be an https URL: a credential is sent to it"
          + " (plain http only to a loopback address)");
    }
    return u;
  }

  /** {@code localhost} or a loopback IP literal; decided from the text, without a DNS lookup. */
  private static boolean isLoopback(URI u) {
    String host = u.getHost();
    if (host == null) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    return Cidr.parseAddress(literal).map(bytes -> {
      try {
        return InetAddress.getByAddress(bytes).isLoopbackAddress();
      } catch (UnknownHostException e) {
        return false;
      }
    }).orElse(false);
  }

  /** An http(s) URL; the value may be a secret (a Slack webhook URL), so it is never in the message. */
  public static URI url(String at, String value) {
    try {
      URI u = URI.create(value);
      if (!"https".equals(u.getScheme()) && !"http".equals(u.getScheme())) {
        throw new IllegalArgumentException(at + " must be an http(s) URL");
      }
      return u;
    } catch (IllegalArgumentException x) {
      throw new IllegalArgumentException(at + " is not an http(s) URL");
    }
  }
}
