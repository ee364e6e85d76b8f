package dev.tern.policy.model;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * How probes check one backend: the kind of check, where, what counts as healthy, how often.
 *
 * @param path the HTTP(S) request path; ignored for TCP
 * @param expectedStatus HTTP status codes that count as healthy; ignored for TCP
 * @param bodyContains optional substring the HTTP(S) response body must contain
 */
public record HealthCheck(
    Kind kind,
    int port,
    String path,
    Set<Integer> expectedStatus,
    Optional<String> bodyContains,
    Duration interval,
    Duration timeout) {

  /** The protocol of a check. */
  public enum Kind {
    HTTP("http", 80),
    HTTPS("https", 443),
    TCP("tcp", 0);

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
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
  }

  /** An HTTPS GET of {@code /healthz} on 443 expecting 200, every 10 s with a 2 s timeout. */
  public static HealthCheck defaults() {
    return new HealthCheck(
        Kind.HTTPS, 443, "/healthz", Set.of(200), Optional.empty(), DEFAULT_INTERVAL, DEFAULT_TIMEOUT);
  }
}
