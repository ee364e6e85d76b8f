package dev.tern.controlplane.provider.route53;

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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

/**
 * One {@code tern.providers.route53[]} entry: a hosted zone and the services whose hostnames are
 * in it. See docs/providers/route53.md for every key.
 */
public final class Route53Settings {

  private Route53Settings() {}

  /**
   * A Route 53 account.
   *
   * @param endpoint an API endpoint other than AWS's (a VPC endpoint, a test double)
   * @param credentials an access key pair; empty means the SDK's default chain
   */
  public record Account(String name, String hostedZoneId, List<String> services, String owner,
      Route53Diff.Policy policy, String region, Optional<URI> endpoint, Optional<Credentials> credentials)
      implements ProviderAccount {
    public Account {
      services = List.copyOf(services);
    }

    @Override
    public String kind() {
      return "route53";
    }

    @Override
    public Provider open() {
      AwsCredentialsProvider chain = credentials
          .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
              AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
          .orElseGet(() -> DefaultCredentialsProvider.builder().build());
      var builder = Route53Client.builder().region(Region.of(region)).httpClient(UrlConnectionHttpClient.create())
          .credentialsProvider(chain);
      endpoint.ifPresent(builder::endpointOverride);
      return new Route53Provider(name, hostedZoneId, owner, policy, new SdkRoute53Api(builder.build()),
          Duration.ofMillis(500));
    }
  }

  /** An access key pair. */
  public record Credentials(String accessKeyId, String secretAccessKey) {
    @Override
    public String toString() {
      return "Credentials[" + accessKeyId + ", secret hidden]";
    }
  }

  /** Reads the entry at {@code at}. */
  public static Account parse(String at, Map<String, Object> e) {
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
    Optional<URI> endpoint = text(e, "endpoint").map(u -> url(at + ".endpoint", u));
    Optional<String> keyId = optionalSecret(at, e, "access-key-id");
    Optional<String> secret = optionalSecret(at, e, "secret-access-key");
    if (keyId.isPresent() != secret.isPresent()) {
      throw new IllegalArgumentException(at + ": give both access-key-id and secret-access-key (or their -file forms),"
          + " or neither (then the SDK's default credential chain is used)");
    }
    Optional<Credentials> credentials = keyId.map(k -> new Credentials(k, secret.orElseThrow()));
    return new Account(name, zone, services, text(e, "owner").orElse("tern"), policy,
        text(e, "region").orElse("us-east-1"), endpoint, credentials);
  }
}
