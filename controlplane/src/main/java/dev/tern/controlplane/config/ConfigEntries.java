package dev.tern.controlplane.config;

import io.micronaut.core.type.Argument;
import io.micronaut.core.value.PropertyResolver;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reading lists of entries from configuration ({@code tern.alerting.routes},
 * {@code tern.providers.route53}), as YAML and properties give them.
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
}
