package dev.tern.policy.model;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How probes check one backend: the kind of check, where, what counts as healthy, how often.
 *
 * @param path the HTTP(S) request path; ignored for TCP and DNS
 * @param expectedStatus HTTP status codes that count as healthy; ignored for TCP and DNS
 * @param bodyContains optional substring the HTTP(S) response body must contain
 * @param http the HTTP(S) connection settings; {@link HttpOptions#defaults()} for other kinds
 * @param dns the DNS question; present exactly when {@code kind} is {@link Kind#DNS}
 */
public record HealthCheck(
    Kind kind,
    int port,
    String path,
    Set<Integer> expectedStatus,
    Optional<String> bodyContains,
    HttpOptions http,
    Optional<DnsQuery> dns,
    Duration interval,
    Duration timeout) {

  /**
   * How an HTTP(S) check talks to the backend.
   *
   * @param host the Host header and, for HTTPS, the TLS server name (SNI and certificate name);
   *     empty means the backend's address
   * @param caCertificate PEM of the CA certificate(s) to trust instead of the usual trust store
   * @param keepAlive reuse one connection between checks instead of a new one per check
   * @param maxBodyBytes how much of the body is read to look for {@code bodyContains}
   */
  public record HttpOptions(Optional<String> host, Optional<String> caCertificate, boolean keepAlive,
      int maxBodyBytes) {

    public static final int DEFAULT_MAX_BODY_BYTES = 64 * 1024;

    public HttpOptions {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(caCertificate, "caCertificate");
    }

    /** The backend's address as host, the usual trust store, a new connection, 64 KiB of body. */
    public static HttpOptions defaults() {
      return new HttpOptions(Optional.empty(), Optional.empty(), false, DEFAULT_MAX_BODY_BYTES);
    }
  }

  /** A DNS check's question: {@code name} of {@code type}, asked of the backend as a DNS server. */
  public record DnsQuery(String name, String type) {
    public DnsQuery {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(type, "type");
    }
  }

  /** The protocol of a check. */
  public enum Kind {
    HTTP("http", 80),
    HTTPS("https", 443),
    TCP("tcp", 0),
    DNS("dns", 53);

    private final String key;
    private final int defaultPort;

    Kind(String key, int defaultPort) {
      this.key = key;
      this.defaultPort = defaultPort;
    }

    public String key() {
      return key;
    }

    public int defaultPort() {
      return defaultPort;
    }

    public static Optional<Kind> fromKey(String key) {
      for (Kind k : values()) {
        if (k.key.equals(key)) {
          return Optional.of(k);
        }
      }
      return Optional.empty();
    }
  }

  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  public HealthCheck {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(path, "path");
    expectedStatus = Set.copyOf(expectedStatus);
    Objects.requireNonNull(bodyContains, "bodyContains");
    Objects.requireNonNull(http, "http");
    Objects.requireNonNull(dns, "dns");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** An HTTPS GET of {@code /healthz} on 443 expecting 200, every 10 s with a 2 s timeout. */
  public static HealthCheck defaults() {
    return new HealthCheck(
        Kind.HTTPS, 443, "/healthz", Set.of(200), Optional.empty(), HttpOptions.defaults(), Optional.empty(),
        DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
  }
}
