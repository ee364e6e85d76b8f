package dev.tern.controlplane.provider.clouddns;

import static dev.tern.controlplane.config.ConfigEntries.credentialUrl;
import static dev.tern.controlplane.config.ConfigEntries.optionalSecret;
import static dev.tern.controlplane.config.ConfigEntries.strings;
import static dev.tern.controlplane.config.ConfigEntries.text;

import com.google.api.client.http.javanet.NetHttpTransport;
import com.google.api.client.json.gson.GsonFactory;
import com.google.api.services.dns.Dns;
import com.google.auth.http.HttpCredentialsAdapter;
import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.ProviderAccount;
import dev.tern.controlplane.provider.ProviderException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One {@code tern.providers.cloud-dns[]} entry: a Cloud DNS managed zone of one Google Cloud
 * project, and the services whose hostnames are in it. See docs/providers/cloud-dns.md for every
 * key. Credentials are Google's Application Default Credentials unless the entry gives a
 * service-account key or an access token; neither is ever in a message or a {@code toString}.
 */
public final class CloudDnsSettings {

  /** The OAuth scope that reads and changes Cloud DNS record sets. */
  static final String SCOPE = "https://www.googleapis.com/auth/ndev.clouddns.readwrite";
  static final URI DEFAULT_ENDPOINT = URI.create("https://dns.googleapis.com/");
  private static final Pattern PROJECT = Pattern.compile("[a-z][a-z0-9.:-]*[a-z0-9]");
  private static final Pattern ZONE = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?|[0-9]+");

  private CloudDnsSettings() {}

  /**
   * A Cloud DNS account.
   *
   * @param managedZone the managed zone's name (or numeric id), not its DNS name
   * @param endpoint the API's root URL ({@code https://dns.googleapis.com/}, a private endpoint, a test double)
   * @param credentials a service-account key or an access token; empty means Application Default Credentials
   */
  public record Account(String name, String project, String managedZone, List<String> services, String owner,
      CloudDnsDiff.Policy policy, URI endpoint, double requestsPerSecond, Optional<Credentials> credentials)
      implements ProviderAccount {
    public Account {
      services = List.copyOf(services);
    }

    @Override
    public String kind() {
      return "cloud-dns";
    }

    @Override
    public Provider open() {
      GoogleCredentials google = credentials.map(Credentials::google).orElseGet(Account::applicationDefault);
      return new CloudDnsProvider(name, project, managedZone, owner, policy, new SdkCloudDnsApi(dns(endpoint, google)),
          Duration.ofMillis(500), requestsPerSecond);
    }

    private static GoogleCredentials applicationDefault() {
      try {
        return GoogleCredentials.getApplicationDefault().createScoped(SCOPE);
      } catch (IOException e) {
        throw new ProviderException("no Google Application Default Credentials (" + e.getMessage() + "): set"
            + " GOOGLE_APPLICATION_CREDENTIALS, run on Google Cloud with a service account, or give the entry"
            + " credentials-file", false, e);
      }
    }
  }

  /** The generated client, sending to {@code endpoint} with {@code credentials}, over the JDK's HTTP client. */
  static Dns dns(URI endpoint, GoogleCredentials credentials) {
    return new Dns.Builder(new NetHttpTransport(), GsonFactory.getDefaultInstance(),
        new HttpCredentialsAdapter(credentials)).setRootUrl(endpoint.toString()).setApplicationName("tern").build();
  }

  /** A service-account key (JSON) or an OAuth access token, exactly one; never printed. */
  public record Credentials(Optional<String> serviceAccountKey, Optional<String> accessToken) {
    public Credentials {
      if (serviceAccountKey.isPresent() == accessToken.isPresent()) {
        throw new IllegalArgumentException("credentials are a service-account key or an access token");
      }
    }

    GoogleCredentials google() {
      if (accessToken.isPresent()) {
        return GoogleCredentials.create(new AccessToken(accessToken.get(), null));
      }
      try {
        return GoogleCredentials.fromStream(new ByteArrayInputStream(serviceAccountKey.orElseThrow()
            .getBytes(StandardCharsets.UTF_8))).createScoped(SCOPE);
      } catch (IOException e) {
        throw new IllegalArgumentException("the service-account key cannot be read: " + e.getClass().getSimpleName());
      }
    }

    @Override
    public String toString() {
      return "Credentials[" + (accessToken.isPresent() ? "access token" : "service-account key") + ", hidden]";
    }
  }

  /** Reads the entry at {@code at}. */
  public static Account parse(String at, Map<String, Object> e) {
    String name = text(e, "name").orElseThrow(() -> new IllegalArgumentException(at + ".name is required"));
    String project = text(e, "project").orElseThrow(() -> new IllegalArgumentException(at
        + ".project is required: the Google Cloud project id that holds the managed zone, e.g. shop-prod"));
    if (!PROJECT.matcher(project).matches()) {
      throw new IllegalArgumentException(at + ".project '" + project + "' is not a Google Cloud project id");
    }
    String zone = text(e, "managed-zone").orElseThrow(() -> new IllegalArgumentException(at
        + ".managed-zone is required: the managed zone's name (not its DNS name), e.g. gslb-example-com"));
    if (!ZONE.matcher(zone).matches()) {
      throw new IllegalArgumentException(at + ".managed-zone '" + zone + "' is not a managed zone name: lowercase"
          + " letters, digits and dashes, starting with a letter (the zone's name, not its DNS name)");
    }
    List<String> services = strings(e.get("services"));
    if (services.isEmpty()) {
      throw new IllegalArgumentException(at + ".services is required: the services whose hostnames this zone serves");
    }
    CloudDnsDiff.Policy policy = switch (text(e, "policy").orElse("sync").toLowerCase(Locale.ROOT)) {
      case "sync" -> CloudDnsDiff.Policy.SYNC;
      case "upsert-only" -> CloudDnsDiff.Policy.UPSERT_ONLY;
      default -> throw new IllegalArgumentException(at + ".policy is sync or upsert-only");
    };
    URI endpoint = text(e, "endpoint").map(u -> credentialUrl(at + ".endpoint", u)).map(CloudDnsSettings::withSlash)
        .orElse(DEFAULT_ENDPOINT);
    double perSecond = text(e, "requests-per-second").map(v -> {
      try {
        return Double.parseDouble(v);
      } catch (NumberFormatException x) {
        return -1.0;
      }
    }).orElse(CloudDnsProvider.REQUESTS_PER_SECOND);
    if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
      throw new IllegalArgumentException(at + ".requests-per-second must be a positive number, e.g. 5");
    }
    Optional<String> key = optionalSecret(at, e, "credentials");
    Optional<String> token = optionalSecret(at, e, "access-token");
    if (key.isPresent() && token.isPresent()) {
      throw new IllegalArgumentException(at + ": give credentials (a service-account key) or access-token, not both"
          + " (or neither: then Application Default Credentials are used)");
    }
    Optional<Credentials> credentials = key.isPresent() || token.isPresent()
        ? Optional.of(new Credentials(key, token)) : Optional.empty();
    if (key.isPresent()) {
      try {
        credentials.get().google();
      } catch (IllegalArgumentException x) {
        throw new IllegalArgumentException(at + ".credentials: " + x.getMessage()
            + "; give a service-account key file (JSON) as credentials-file");
      }
    }
    return new Account(name, project, zone, services, text(e, "owner").orElse("tern"), policy, endpoint, perSecond,
        credentials);
  }

  private static URI withSlash(URI u) {
    return u.toString().endsWith("/") ? u : URI.create(u + "/");
  }
}
