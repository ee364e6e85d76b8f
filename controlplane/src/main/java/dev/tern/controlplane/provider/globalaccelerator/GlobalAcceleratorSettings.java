package dev.tern.controlplane.provider.globalaccelerator;

import static dev.tern.controlplane.config.ConfigEntries.optionalSecret;
import static dev.tern.controlplane.config.ConfigEntries.strings;
import static dev.tern.controlplane.config.ConfigEntries.text;
import static dev.tern.controlplane.config.ConfigEntries.url;

import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.ProviderAccount;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.globalaccelerator.GlobalAcceleratorClient;

/**
 * One {@code tern.providers.global-accelerator[]} entry: an accelerator, the one listener of it
 * that serves one service, and the endpoint id of each of that service's AWS backends. See
 * docs/providers/global-accelerator.md for every key.
 */
public final class GlobalAcceleratorSettings {

  /** The provider kind and its key under {@code tern.providers}. */
  public static final String KIND = "global-accelerator";
  /** Global Accelerator's API lives in one region, whatever regions its endpoints are in. */
  public static final String API_REGION = "us-west-2";

  private static final Pattern ACCELERATOR_ARN =
      Pattern.compile("arn:aws[a-z-]*:globalaccelerator::[0-9]{12}:accelerator/[A-Za-z0-9-]+");
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(500);

  private GlobalAcceleratorSettings() {}

  /**
   * A Global Accelerator account: one listener serving one service.
   *
   * @param endpoints backend name to endpoint id (ALB/NLB/Elastic IP ARN or EC2 instance id)
   * @param endpoint an API endpoint other than AWS's (a VPC endpoint, a test double)
   * @param credentials an access key pair; empty means the SDK's default chain
   */
  public record Account(String name, String acceleratorArn, String listenerArn, List<String> services,
      Map<String, String> endpoints, String owner, GlobalAcceleratorDiff.Policy policy, String region,
      Optional<URI> endpoint, Optional<Credentials> credentials) implements ProviderAccount {
    public Account {
      services = List.copyOf(services);
      endpoints = java.util.Collections.unmodifiableMap(new TreeMap<>(endpoints));
    }

    @Override
    public String kind() {
      return KIND;
    }

    @Override
    public Provider open() {
      return provider(FIRST_BACKOFF);
    }

    /** The provider, with its SDK client, retrying after {@code firstBackoff}, doubling. */
    public GlobalAcceleratorProvider provider(Duration firstBackoff) {
      return new GlobalAcceleratorProvider(name, acceleratorArn, listenerArn, endpoints, owner, policy,
          new SdkGlobalAcceleratorApi(client()), firstBackoff);
    }

    /** The SDK client: the account's region and credentials, no retries of its own (the provider retries). */
    public GlobalAcceleratorClient client() {
      AwsCredentialsProvider chain = credentials.<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
          c.sessionToken().<software.amazon.awssdk.auth.credentials.AwsCredentials>map(
              t -> AwsSessionCredentials.create(c.accessKeyId(), c.secretAccessKey(), t))
              .orElseGet(() -> AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey()))))
          .orElseGet(() -> DefaultCredentialsProvider.builder().build());
      var builder = GlobalAcceleratorClient.builder().region(Region.of(region))
          .httpClient(UrlConnectionHttpClient.create()).credentialsProvider(chain)
          .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
      endpoint.ifPresent(builder::endpointOverride);
      return builder.build();
    }
  }

  /** An access key pair, with a session token for temporary credentials. */
  public record Credentials(String accessKeyId, String secretAccessKey, Optional<String> sessionToken) {
    @Override
    public String toString() {
      return "Credentials[" + accessKeyId + ", secret hidden]";
    }
  }

  /** Reads the entry at {@code at}. */
  public static Account parse(String at, Map<String, Object> e) {
    String name = text(e, "name").orElseThrow(() -> new IllegalArgumentException(at + ".name is required"));
    String accelerator = text(e, "accelerator-arn").orElseThrow(() -> new IllegalArgumentException(at
        + ".accelerator-arn is required: the accelerator's ARN, e.g."
        + " arn:aws:globalaccelerator::123456789012:accelerator/1234abcd-abcd-1234-abcd-1234abcdefgh"));
    if (!ACCELERATOR_ARN.matcher(accelerator).matches()) {
      throw new IllegalArgumentException(at + ".accelerator-arn is not an accelerator's ARN"
          + " (arn:aws:globalaccelerator::<account>:accelerator/<id>): " + accelerator);
    }
    String listener = text(e, "listener-arn").orElseThrow(() -> new IllegalArgumentException(at
        + ".listener-arn is required: the ARN of the accelerator's listener whose endpoint groups Tern sets,"
        + " e.g. " + accelerator + "/listener/0123abcd"));
    if (!listener.startsWith(accelerator + "/listener/") || listener.length() == (accelerator + "/listener/").length()
        || listener.substring((accelerator + "/listener/").length()).contains("/")) {
      throw new IllegalArgumentException(at + ".listener-arn is not a listener of accelerator-arn: it should read "
          + accelerator + "/listener/<id>, but is " + listener);
    }
    List<String> services = strings(e.get("services"));
    if (services.isEmpty()) {
      throw new IllegalArgumentException(at + ".services is required: the one service this listener serves");
    }
    if (services.size() > 1) {
      throw new IllegalArgumentException(at + ".services names " + services + ", but a listener serves one service"
          + " (Global Accelerator has no hostnames to tell them apart): give each service its own listener, in an"
          + " entry of its own");
    }
    Map<String, String> endpoints = endpoints(at, e);
    GlobalAcceleratorDiff.Policy policy = switch (text(e, "policy").orElse("sync").toLowerCase(Locale.ROOT)) {
      case "sync" -> GlobalAcceleratorDiff.Policy.SYNC;
      case "upsert-only" -> GlobalAcceleratorDiff.Policy.UPSERT_ONLY;
      default -> throw new IllegalArgumentException(at + ".policy is sync or upsert-only");
    };
    Optional<URI> endpoint = text(e, "endpoint").map(u -> url(at + ".endpoint", u));
    Optional<String> keyId = optionalSecret(at, e, "access-key-id");
    Optional<String> secret = optionalSecret(at, e, "secret-access-key");
    Optional<String> token = optionalSecret(at, e, "session-token");
    if (keyId.isPresent() != secret.isPresent()) {
      throw new IllegalArgumentException(at + ": give both access-key-id and secret-access-key (or their -file forms),"
          + " or neither (then the SDK's default credential chain is used)");
    }
    if (token.isPresent() && keyId.isEmpty()) {
      throw new IllegalArgumentException(at + ": session-token goes with access-key-id and secret-access-key");
    }
    Optional<Credentials> credentials = keyId.map(k -> new Credentials(k, secret.orElseThrow(), token));
    return new Account(name, accelerator, listener, services, endpoints, text(e, "owner").orElse("tern"), policy,
        text(e, "region").orElse(API_REGION), endpoint, credentials);
  }

  /**
   * {@code endpoints}: backend name to endpoint id, as a YAML map, or as {@code endpoints.<backend>}
   * keys (how a properties file gives it).
   */
  private static Map<String, String> endpoints(String at, Map<String, Object> e) {
    Map<String, String> out = new TreeMap<>();
    if (e.get("endpoints") instanceof Map<?, ?> m) {
      m.forEach((k, v) -> out.put(String.valueOf(k), v == null ? "" : String.valueOf(v).strip()));
    } else if (e.get("endpoints") != null) {
      throw new IllegalArgumentException(at + ".endpoints is a map of backend name to endpoint id"
          + " (e.g. fra: arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/shop/50dc6c49)");
    }
    e.forEach((k, v) -> {
      if (k.startsWith("endpoints.")) {
        out.put(k.substring("endpoints.".length()), v == null ? "" : String.valueOf(v).strip());
      }
    });
    if (out.isEmpty()) {
      throw new IllegalArgumentException(at + ".endpoints is required: for each AWS backend of the service, its"
          + " endpoint id (ALB/NLB/Elastic IP ARN or EC2 instance id)");
    }
    Map<String, String> byId = new TreeMap<>();
    out.forEach((backend, id) -> {
      if (id.isEmpty()) {
        throw new IllegalArgumentException(at + ".endpoints." + backend + " is empty: give the endpoint id of backend "
            + backend);
      }
      String other = byId.putIfAbsent(id, backend);
      if (other != null) {
        throw new IllegalArgumentException(at + ".endpoints." + other + " and " + at + ".endpoints." + backend
            + " name the same endpoint " + id + "; an endpoint serves one backend");
      }
    });
    return out;
  }
}
