package dev.tern.controlplane.provider.azure;

import static dev.tern.controlplane.config.ConfigEntries.optionalSecret;
import static dev.tern.controlplane.config.ConfigEntries.strings;
import static dev.tern.controlplane.config.ConfigEntries.text;
import static dev.tern.controlplane.config.ConfigEntries.url;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.http.policy.HttpPipelineSyncPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.resourcemanager.trafficmanager.TrafficManager;
import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.ProviderAccount;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import reactor.core.publisher.Mono;

/**
 * One {@code tern.providers.azure-traffic-manager[]} entry: a subscription's resource group and
 * the services whose Traffic Manager profiles Tern keeps in it. See
 * docs/providers/azure-traffic-manager.md for every key.
 */
public final class AzureSettings {

  /** The kind key under {@code tern.providers}. */
  public static final String KIND = "azure-traffic-manager";
  /** Azure Resource Manager in the public cloud. */
  static final URI DEFAULT_ENDPOINT = URI.create("https://management.azure.com");
  /** The token audience of Azure Resource Manager, whatever endpoint it is reached at. */
  static final String SCOPE = "https://management.azure.com/.default";
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w._()]{1,90}");

  private AzureSettings() {}

  /**
   * A Traffic Manager account.
   *
   * @param endpoint Azure Resource Manager's base URL (a sovereign cloud, a private endpoint, a test double)
   * @param dnsPrefix relative DNS names are {@code <dnsPrefix>-<service>} unless {@code relativeNames} says
   * @param relativeNames service to the parent profile's relative DNS name
   * @param azureEndpoints backend to the Azure resource id (a public IP) it is served as
   */
  public record Account(String name, String subscriptionId, String resourceGroup, List<String> services, String owner,
      AzureDiff.Policy policy, URI endpoint, Credentials credentials, String dnsPrefix,
      Map<String, String> relativeNames,
      Map<String, String> azureEndpoints, double requestsPerSecond) implements ProviderAccount {
    public Account {
      services = List.copyOf(services);
      relativeNames = Map.copyOf(relativeNames);
      azureEndpoints = Map.copyOf(azureEndpoints);
    }

    @Override
    public String kind() {
      return KIND;
    }

    /** The parent profile's relative DNS name for {@code service}. */
    public String relativeName(String service) {
      return relativeNames.getOrDefault(service, dnsPrefix + "-" + service);
    }

    /** The scope {@link AzureTranslation} writes {@code service}'s profiles for. */
    public AzureTranslation.Scope scope(String service) {
      return new AzureTranslation.Scope(subscriptionId, resourceGroup, owner, relativeName(service), azureEndpoints);
    }

    @Override
    public Provider open() {
      return new AzureProvider(this, api(), Duration.ofMillis(500));
    }

    /** The SDK client for this account: Tern's pipeline (no SDK retries) on the JDK's HTTP client. */
    AzureApi api() {
      TokenCredential credential = credentials.credential();
      HttpPipelinePolicy auth = "https".equals(endpoint.getScheme())
          ? new BearerTokenAuthenticationPolicy(credential, SCOPE) : new LoopbackBearerPolicy(credential, SCOPE);
      HttpPipeline pipeline = new HttpPipelineBuilder()
          .httpClient(new JdkHttpClientBuilder().connectionTimeout(Duration.ofSeconds(10))
              .responseTimeout(Duration.ofSeconds(30)).build())
          .policies(auth).build();
      String base = endpoint.toString().replaceAll("/+$", "");
      AzureEnvironment environment = new AzureEnvironment(Map.of("resourceManagerEndpointUrl", base,
          "managementEndpointUrl", base));
      TrafficManager manager = TrafficManager.authenticate(pipeline,
          new AzureProfile(credentials.tenantId().orElse(null), subscriptionId, environment));
      return new SdkAzureApi(manager.serviceClient().getProfiles(), manager.serviceClient().getEndpoints(),
          resourceGroup);
    }
  }

  /** How the account signs in; {@link #toString()} never shows a secret. */
  public sealed interface Credentials {
    /** The directory (tenant) the account signs in to, when given. */
    Optional<String> tenantId();

    TokenCredential credential();

    /**
     * Azure's default chain (environment, workload identity, managed identity, Azure CLI, ...).
     *
     * @param managedIdentityClientId a user-assigned managed identity to use
     */
    record DefaultChain(Optional<String> tenantId, Optional<String> managedIdentityClientId) implements Credentials {
      @Override
      public TokenCredential credential() {
        DefaultAzureCredentialBuilder b = new DefaultAzureCredentialBuilder();
        tenantId.ifPresent(b::tenantId);
        managedIdentityClientId.ifPresent(b::managedIdentityClientId);
        return b.build();
      }
    }

    /** A service principal with a client secret. */
    record ClientSecret(Optional<String> tenantId, String clientId, String secret) implements Credentials {
      @Override
      public TokenCredential credential() {
        return new ClientSecretCredentialBuilder().tenantId(tenantId.orElseThrow()).clientId(clientId)
            .clientSecret(secret).build();
      }

      @Override
      public String toString() {
        return "ClientSecret[" + tenantId.orElse("") + ", " + clientId + ", secret hidden]";
      }
    }

    /** A bearer token obtained elsewhere (a test double, a short run): it is not renewed. */
    record FixedToken(Optional<String> tenantId, String token) implements Credentials {
      @Override
      public TokenCredential credential() {
        AccessToken t = new AccessToken(token, OffsetDateTime.now().plusYears(1));
        return request -> Mono.just(t);
      }

      @Override
      public String toString() {
        return "FixedToken[token hidden]";
      }
    }
  }

  /** Reads the entry at {@code at}. */
  public static Account parse(String at, Map<String, Object> e) {
    String name = text(e, "name").orElseThrow(() -> new IllegalArgumentException(at + ".name is required"));
    String subscription = text(e, "subscription-id").orElseThrow(() -> new IllegalArgumentException(at
        + ".subscription-id is required: the subscription that holds the profiles, e.g."
        + " 00000000-0000-0000-0000-000000000000"));
    if (subscription.contains("/")) {
      throw new IllegalArgumentException(at + ".subscription-id is the subscription's id, not a resource path");
    }
    String group = text(e, "resource-group").orElseThrow(() -> new IllegalArgumentException(at
        + ".resource-group is required: the resource group Tern creates its profiles in"));
    if (!RESOURCE_GROUP.matcher(group).matches()) {
      throw new IllegalArgumentException(at + ".resource-group '" + group + "' is not a resource group name");
    }
    List<String> services = strings(e.get("services"));
    if (services.isEmpty()) {
      throw new IllegalArgumentException(at + ".services is required: the services whose traffic this account serves");
    }
    AzureDiff.Policy policy = switch (text(e, "policy").orElse("sync").toLowerCase(Locale.ROOT)) {
      case "sync" -> AzureDiff.Policy.SYNC;
      case "upsert-only" -> AzureDiff.Policy.UPSERT_ONLY;
      default -> throw new IllegalArgumentException(at + ".policy is sync or upsert-only");
    };
    URI endpoint = text(e, "endpoint").map(u -> url(at + ".endpoint", u)).orElse(DEFAULT_ENDPOINT);
    if (!"https".equals(endpoint.getScheme()) && !loopback(endpoint)) {
      throw new IllegalArgumentException(at + ".endpoint must be https: a token is sent with every request"
          + " (plain http only to a loopback address, for a test double)");
    }
    String prefix = text(e, "dns-prefix").orElse("tern");
    if (!LABEL.matcher(prefix).matches()) {
      throw new IllegalArgumentException(at + ".dns-prefix '" + prefix + "' is not a DNS label (a-z, 0-9, -)");
    }
    Map<String, String> relativeNames = map(at + ".relative-names", e.get("relative-names"));
    relativeNames.forEach((service, label) -> {
      if (!LABEL.matcher(label).matches()) {
        throw new IllegalArgumentException(at + ".relative-names." + service + " '" + label
            + "' is not a DNS label (a-z, 0-9, -)");
      }
    });
    Map<String, String> azureEndpoints = map(at + ".azure-endpoints", e.get("azure-endpoints"));
    azureEndpoints.forEach((backend, id) -> {
      if (!id.toLowerCase(Locale.ROOT).startsWith("/subscriptions/") || !id.toLowerCase(Locale.ROOT)
          .contains("/providers/")) {
        throw new IllegalArgumentException(at + ".azure-endpoints." + backend + " is an Azure resource id, e.g."
            + " /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.Network/publicIPAddresses/<name>");
      }
    });
    double rate = text(e, "requests-per-second").map(r -> number(at + ".requests-per-second", r)).orElse(10.0);
    return new Account(name, subscription, group, services, text(e, "owner").orElse("tern"), policy, endpoint,
        credentials(at, e), prefix, relativeNames, azureEndpoints, rate);
  }

  private static Credentials credentials(String at, Map<String, Object> e) {
    Optional<String> tenant = text(e, "tenant-id");
    Optional<String> client = text(e, "client-id");
    Optional<String> secret = optionalSecret(at, e, "client-secret");
    Optional<String> token = optionalSecret(at, e, "access-token");
    if (token.isPresent()) {
      if (secret.isPresent() || client.isPresent()) {
        throw new IllegalArgumentException(at + ": give access-token or client-id/client-secret, not both");
      }
      return new Credentials.FixedToken(tenant, token.get());
    }
    if (secret.isPresent()) {
      if (tenant.isEmpty() || client.isEmpty()) {
        throw new IllegalArgumentException(at + ": client-secret needs tenant-id and client-id (a service principal)");
      }
      return new Credentials.ClientSecret(tenant, client.get(), secret.get());
    }
    return new Credentials.DefaultChain(tenant, client);
  }

  private static Map<String, String> map(String at, Object v) {
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      throw new IllegalArgumentException(at + " is a map, e.g. {name: value}");
    }
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, value) -> {
      if (value == null || String.valueOf(value).isBlank()) {
        throw new IllegalArgumentException(at + "." + k + " is empty");
      }
      out.put(String.valueOf(k), String.valueOf(value).strip());
    });
    return out;
  }

  private static double number(String at, String value) {
    try {
      double d = Double.parseDouble(value);
      if (d > 0) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(at + " must be a positive number, e.g. 10");
  }

  private static boolean loopback(URI u) {
    try {
      return u.getHost() != null && InetAddress.getByName(u.getHost()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Adds the account's bearer token to requests sent over plain http to a loopback address (a
   * test double). Azure's own policy refuses plain http outright; {@link #parse} allows it only to
   * loopback, so no token ever crosses a network in clear.
   */
  static final class LoopbackBearerPolicy extends HttpPipelineSyncPolicy {
    private final TokenCredential credential;
    private final TokenRequestContext request;
    private AccessToken token;

    LoopbackBearerPolicy(TokenCredential credential, String scope) {
      this.credential = credential;
      this.request = new TokenRequestContext().addScopes(scope);
    }

    @Override
    protected void beforeSendingRequest(HttpPipelineCallContext context) {
      AccessToken t;
      synchronized (this) {
        if (token == null || token.getExpiresAt().isBefore(OffsetDateTime.now().plusMinutes(5))) {
          token = credential.getTokenSync(request);
        }
        t = token;
      }
      context.getHttpRequest().setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + t.getToken());
    }
  }
}
