package dev.tern.controlplane.provider;

import static dev.tern.controlplane.config.ConfigEntries.strings;
import static dev.tern.controlplane.config.ConfigEntries.text;

import dev.tern.controlplane.config.ConfigEntries;
import dev.tern.controlplane.provider.route53.Route53Diff;
import io.micronaut.core.value.PropertyResolver;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tern.providers}: one entry per provider account, with the services it serves, read once
 * at start. A wrong entry stops the node at start, naming the key; secrets are never in messages.
 *
 * @param resync how often every bound service is reconciled even without a new plan (drift)
 */
public record ProviderSettings(List<Route53Account> route53, Duration resync) {

  static final String PREFIX = "tern.providers";
  static final Duration DEFAULT_RESYNC = Duration.ofSeconds(60);

  /**
   * One Route 53 account: a hosted zone and the services whose hostnames are in it.
   *
   * @param endpoint an API endpoint other than AWS's (a test double, a VPC endpoint)
   * @param credentials an access key pair from files; empty means the SDK's default chain
   */
  public record Route53Account(String name, String hostedZoneId, List<String> services, String owner,
      Route53Diff.Policy policy, String region, Optional<URI> endpoint, Optional<Credentials> credentials) {
    public Route53Account {
      services = List.copyOf(services);
    }
  }

  /** An access key pair read from files. */
  public record Credentials(String accessKeyId, String secretAccessKey) {
    @Override
    public String toString() {
      return "Credentials[" + accessKeyId + ", secret hidden]";
    }
  }

  public ProviderSettings {
    route53 = List.copyOf(route53);
  }

  public static ProviderSettings from(PropertyResolver p) {
    List<Map<String, Object>> entries = ConfigEntries.list(p, PREFIX + ".route53");
    List<Route53Account> accounts = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      Route53Account a = route53(PREFIX + ".route53[" + i + "]", entries.get(i));
      if (!names.add(a.name())) {
        throw new IllegalArgumentException(PREFIX + ".route53[" + i + "].name '" + a.name() + "' is used twice");
      }
      accounts.add(a);
    }
    Duration resync = p.getProperty(PREFIX + ".resync", Duration.class).orElse(DEFAULT_RESYNC);
    if (resync.isNegative() || resync.isZero()) {
      throw new IllegalArgumentException(PREFIX + ".resync must be positive, e.g. 60s");
    }
    return new ProviderSettings(accounts, resync);
  }

  static Route53Account route53(String at, Map<String, Object> e) {
    String name = text(e, "name").orElseThrow(() -> new IllegalArgumentException(at + ".name is required"));
    String zone = text(e, "hosted-zone-id").orElseThrow(() -> new IllegalArgumentException(at
        + ".hosted-zone-id is required: the hosted zone's id, e.g. Z0123456789ABCDEFGHIJ"));
    List<String> services = strings(e.get("services"));
    if (services.isEmpty()) {
      throw new IllegalArgumentException(at + ".services is required: the services whose hostnames this zone serves");
    }
    Route53Diff.Policy policy = switch (text(e, "policy").orElse("sync").toLowerCase(Locale.ROOT)) {
      case "sync" -> Route53Diff.Policy.SYNC;
      case "upsert-only" -> Route53Diff.Policy.UPSERT_ONLY;
      default -> throw new IllegalArgumentException(at + ".policy is sync or upsert-only");
    };
    Optional<URI> endpoint = text(e, "endpoint").map(u -> {
      try {
        return URI.create(u);
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(at + ".endpoint is not a URL");
      }
    });
    Optional<String> keyFile = text(e, "access-key-id-file");
    Optional<String> secretFile = text(e, "secret-access-key-file");
    if (keyFile.isPresent() != secretFile.isPresent()) {
      throw new IllegalArgumentException(at + ": give both access-key-id-file and secret-access-key-file, or neither"
          + " (then the SDK's default credential chain is used)");
    }
    Optional<Credentials> credentials = keyFile.map(k -> new Credentials(read(at + ".access-key-id-file", k),
        read(at + ".secret-access-key-file", secretFile.orElseThrow())));
    return new Route53Account(name, zone, services, text(e, "owner").orElse("tern"), policy,
        text(e, "region").orElse("us-east-1"), endpoint, credentials);
  }

  private static String read(String at, String file) {
    try {
      String v = Files.readString(Path.of(file), StandardCharsets.UTF_8).strip();
      if (v.isEmpty()) {
        throw new IllegalArgumentException(at + " " + file + " is empty");
      }
      return v;
    } catch (IOException x) {
      throw new IllegalArgumentException(at + " " + file + " cannot be read: " + x.getClass().getSimpleName());
    }
  }

}
