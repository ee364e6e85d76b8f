package dev.tern.controlplane.provider;

import dev.tern.controlplane.config.ConfigEntries;
import dev.tern.controlplane.provider.route53.Route53Settings;
import io.micronaut.core.value.PropertyResolver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * {@code tern.providers}: one entry per provider account under its kind's key, with the services it
 * serves, read once at start. A wrong entry stops the node at start, naming the key; secrets are
 * never in messages. Names are unique across kinds.
 *
 * @param resync how often every bound service is reconciled even without a new plan (drift)
 */
public record ProviderSettings(List<ProviderAccount> accounts, Duration resync) {

  static final String PREFIX = "tern.providers";
  static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);

  /** Each kind's key under {@code tern.providers} and how it reads one entry ({@code at} is the entry's key). */
  static final Map<String, BiFunction<String, Map<String, Object>, ProviderAccount>> KINDS = kinds();

  private static Map<String, BiFunction<String, Map<String, Object>, ProviderAccount>> kinds() {
    Map<String, BiFunction<String, Map<String, Object>, ProviderAccount>> k = new LinkedHashMap<>();
    k.put("route53", Route53Settings::parse);
    return k;
  }

  public ProviderSettings {
    accounts = List.copyOf(accounts);
  }

  public static ProviderSettings from(PropertyResolver p) {
    List<ProviderAccount> accounts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    KINDS.forEach((kind, parse) -> {
      List<Map<String, Object>> entries = ConfigEntries.list(p, PREFIX + "." + kind);
      for (int i = 0; i < entries.size(); i++) {
        String at = PREFIX + "." + kind + "[" + i + "]";
        ProviderAccount a = parse.apply(at, entries.get(i));
        if (!names.add(a.name())) {
          throw new IllegalArgumentException(at + ".name '" + a.name() + "' is used by another provider account");
        }
        accounts.add(a);
      }
    });
    Duration resync = p.getProperty(PREFIX + ".resync", Duration.class).orElse(DEFAULT_RESYNC);
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException(PREFIX + ".resync must be positive, e.g. 60s");
    }
    return new ProviderSettings(accounts, resync);
  }

  /** The accounts that serve {@code service}. */
  public List<ProviderAccount> serving(String service) {
    return accounts.stream().filter(a -> a.services().contains(service)).toList();
  }
}
