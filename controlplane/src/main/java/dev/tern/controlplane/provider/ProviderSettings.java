package dev.tern.controlplane.provider;

import dev.tern.controlplane.config.ConfigEntries;
import dev.tern.controlplane.provider.azure.AzureSettings;
import dev.tern.controlplane.provider.clouddns.CloudDnsSettings;
import dev.tern.controlplane.provider.globalaccelerator.GlobalAcceleratorSettings;
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
 * @param maxBackoff the longest wait before a failed reconcile is tried again (the wait doubles from 1 s)
 * @param syncAlertAfter how long a provider may fail to serve a service's plan before an incident opens
 */
public record ProviderSettings(List<ProviderAccount> accounts, Duration resync, Duration maxBackoff,
    Duration syncAlertAfter) {

  static final String PREFIX = "tern.providers";
  static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);
  static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);
  static final Duration DEFAULT_SYNC_ALERT_AFTER = Duration.ofSeconds(60);

  /** Each kind's key under {@code tern.providers} and how it reads one entry ({@code at} is the entry's key). */
  static final Map<String, BiFunction<String, Map<String, Object>, ProviderAccount>> KINDS = kinds();

  private static Map<String, BiFunction<String, Map<String, Object>, ProviderAccount>> kinds() {
    Map<String, BiFunction<String, Map<String, Object>, ProviderAccount>> k = new LinkedHashMap<>();
    k.put("route53", Route53Settings::parse);
    k.put("global-accelerator", GlobalAcceleratorSettings::parse);
    k.put("azure-traffic-manager", AzureSettings::parse);
    k.put("cloud-dns", CloudDnsSettings::parse);
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
    return new ProviderSettings(accounts, positive(p, "resync", DEFAULT_RESYNC), positive(p, "max-backoff",
        DEFAULT_MAX_BACKOFF), positive(p, "sync-alert-after", DEFAULT_SYNC_ALERT_AFTER));
  }

  private static Duration positive(PropertyResolver p, String key, Duration otherwise) {
    Duration d = p.getProperty(PREFIX + "." + key, Duration.class).orElse(otherwise);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(PREFIX + "." + key + " must be positive, e.g. " + otherwise.toSeconds() + "s");
    }
    return d;
  }

  /** The accounts that serve {@code service}. */
  public List<ProviderAccount> serving(String service) {
    return accounts.stream().filter(a -> a.services().contains(service)).toList();
  }
}
