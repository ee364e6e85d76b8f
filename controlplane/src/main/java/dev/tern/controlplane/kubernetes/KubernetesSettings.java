package dev.tern.controlplane.kubernetes;

import static dev.tern.controlplane.config.ConfigEntries.strings;
import static dev.tern.controlplane.config.ConfigEntries.text;

import dev.tern.controlplane.config.ConfigEntries;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Jurisdiction;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import io.micronaut.core.value.PropertyResolver;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tern.kubernetes.clusters[]}: the Kubernetes clusters whose Services and Ingresses become backends, each
 * with the cloud, region and jurisdiction its backends are in. Read once at start; a wrong entry stops the node,
 * naming the key (docs/kubernetes-discovery.md lists every key).
 */
public final class KubernetesSettings {

  static final String PREFIX = "tern.kubernetes.clusters";
  static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?");
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private KubernetesSettings() {}

  /** How the kubernetes chaos injector takes a backend out: its workloads scaled to zero, or its pods cut off. */
  public enum OutageMode {
    SCALE_TO_ZERO("scale-to-zero"),
    DENY_INGRESS("deny-ingress");

    private final String key;

    OutageMode(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }

  /**
   * One cluster.
   *
   * @param name short DNS-label name; part of discovered backends' default names
   * @param kubeconfig the kubeconfig file to read; empty with {@code inCluster}
   * @param context the kubeconfig context; empty means the file's current context
   * @param inCluster use the pod's service account (the API server Tern runs in)
   * @param region where the cluster's load balancers are, so where its backends are
   * @param namespaces the namespaces to watch; empty means all (needs cluster-wide list/watch)
   * @param resync how often every watch is replaced by a full list, whatever happened
   * @param outage how the chaos injector makes an outage in this cluster
   */
  public record Cluster(String name, Optional<Path> kubeconfig, Optional<String> context, boolean inCluster,
      Region region, Jurisdiction jurisdiction, List<String> namespaces, Duration resync, OutageMode outage) {
    public Cluster {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(kubeconfig, "kubeconfig");
      Objects.requireNonNull(context, "context");
      Objects.requireNonNull(region, "region");
      Objects.requireNonNull(jurisdiction, "jurisdiction");
      namespaces = List.copyOf(namespaces);
      Objects.requireNonNull(resync, "resync");
      Objects.requireNonNull(outage, "outage");
    }

    /**
     * A client for this cluster's API server, over client-java's OkHttp transport. Calls that stream (watches) are
     * bounded by their own server-side timeout, so the read timeout is the resync period plus a margin.
     *
     * @throws IOException if the kubeconfig or the service account files cannot be read
     */
    public ApiClient open() throws IOException {
      ClientBuilder builder;
      if (inCluster) {
        builder = ClientBuilder.cluster();
      } else {
        Path file = kubeconfig.orElseThrow();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          KubeConfig config = KubeConfig.loadKubeConfig(r);
          config.setFile(file.toFile());
          if (context.isPresent() && !config.setContext(context.get())) {
            throw new IOException("kubeconfig " + file + " has no context " + context.get());
          }
          builder = ClientBuilder.kubeconfig(config);
        }
      }
      return builder.setReadTimeout(resync.plusSeconds(30)).build();
    }
  }

  /** Every configured cluster; none when the key is absent. */
  public static List<Cluster> from(PropertyResolver p) {
    List<Map<String, Object>> entries = ConfigEntries.list(p, PREFIX);
    List<Cluster> clusters = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = PREFIX + "[" + i + "]";
      Cluster c = parse(at, entries.get(i));
      if (!names.add(c.name())) {
        throw new IllegalArgumentException(at + ".name '" + c.name() + "' is used by another cluster");
      }
      clusters.add(c);
    }
    return List.copyOf(clusters);
  }

  /** Reads the entry at {@code at}. */
  public static Cluster parse(String at, Map<String, Object> e) {
    String name = text(e, "name").orElseThrow(() -> new IllegalArgumentException(at + ".name is required"));
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(at + ".name '" + name
          + "' must be 1-32 lower-case letters, digits or dashes (it is part of backend names), e.g. eks-frankfurt");
    }
    boolean inCluster = text(e, "in-cluster").map(v -> bool(at + ".in-cluster", v)).orElse(false);
    Optional<Path> kubeconfig = text(e, "kubeconfig").map(Path::of);
    Optional<String> context = text(e, "context");
    if (inCluster && (kubeconfig.isPresent() || context.isPresent())) {
      throw new IllegalArgumentException(at + ": give in-cluster: true or kubeconfig (and context), not both");
    }
    if (!inCluster && kubeconfig.isEmpty()) {
      throw new IllegalArgumentException(at + ".kubeconfig is required (a kubeconfig file path, with an optional"
          + " context), unless in-cluster: true");
    }
    String cloudKey = text(e, "cloud").orElseThrow(() -> new IllegalArgumentException(at
        + ".cloud is required: aws, azure or gcp"));
    Cloud cloud = Cloud.fromKey(cloudKey.toLowerCase(Locale.ROOT)).orElseThrow(() -> new IllegalArgumentException(
        at + ".cloud '" + cloudKey + "' is not aws, azure or gcp"));
    String regionName = text(e, "region").orElseThrow(() -> new IllegalArgumentException(at
        + ".region is required: the " + cloud.key() + " region the cluster runs in, e.g. "
        + RegionCatalog.names(cloud).getFirst()));
    Region region = RegionCatalog.find(cloud, regionName).orElseThrow(() -> new IllegalArgumentException(at
        + ".region '" + regionName + "' is not a " + cloud.key() + " region Tern knows"));
    String code = text(e, "jurisdiction").orElseThrow(() -> new IllegalArgumentException(at
        + ".jurisdiction is required: where the cluster's data stays, e.g. EU or US"));
    if (!Jurisdiction.isValid(code)) {
      throw new IllegalArgumentException(at + ".jurisdiction '" + code
          + "' must be 2-16 upper-case letters, digits or dashes, e.g. EU, US");
    }
    if (region.inEuEea() != code.equals(Jurisdiction.EU.code())) {
      throw new IllegalArgumentException(at + ".jurisdiction " + code + " does not fit region " + region.key()
          + (region.inEuEea() ? ", which is in the EU/EEA: use EU" : ", which is outside the EU/EEA: EU is refused"));
    }
    List<String> namespaces = strings(e.get("namespaces")).stream().map(String::strip).filter(s -> !s.isEmpty())
        .toList();
    Duration resync = text(e, "resync").map(v -> duration(at + ".resync", v)).orElse(DEFAULT_RESYNC);
    if (resync.compareTo(Duration.ofSeconds(10)) < 0) {
      throw new IllegalArgumentException(at + ".resync must be at least 10s, e.g. 5m");
    }
    String mode = text(e, "chaos-outage").orElse(OutageMode.SCALE_TO_ZERO.key());
    OutageMode outage = Arrays.stream(OutageMode.values()).filter(m -> m.key().equals(mode)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException(at + ".chaos-outage is scale-to-zero or deny-ingress, not '"
            + mode + "'"));
    return new Cluster(name, kubeconfig, context, inCluster, region, new Jurisdiction(code), namespaces, resync,
        outage);
  }

  private static boolean bool(String at, String v) {
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException(at + " is true or false, not '" + v + "'");
    };
  }

  /** {@code 30s}, {@code 5m}, {@code 1h}, {@code 500ms} or ISO-8601 ({@code PT5M}). */
  static Duration duration(String at, String v) {
    Matcher m = SHORT_DURATION.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
    try {
      return Duration.parse(v);
    } catch (DateTimeParseException x) {
      throw new IllegalArgumentException(at + " '" + v + "' is not a duration, e.g. 30s or 5m");
    }
  }
}
