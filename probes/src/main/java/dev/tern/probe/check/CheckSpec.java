package dev.tern.probe.check;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * One check a probe agent runs against one backend, as assigned by the control plane. The target
 * is always an address the control plane derived from a declared backend; a check never follows a
 * redirect to another host.
 */
public sealed interface CheckSpec {

  /** The backend's address: an IP literal or a hostname, resolved by the agent. */
  String address();

  int port();

  /** Everything, connect to last byte, must finish within this. */
  Duration timeout();

  /**
   * HTTP(S) GET of {@code path} on a new connection (or a kept-alive one when {@code keepAlive}).
   *
   * @param hostHeader the Host header and, for HTTPS, the SNI name; empty means {@code address}
   * @param expectedStatus the status codes that count as healthy
   * @param bodyContains a substring the first {@code maxBodyBytes} of the body must contain
   * @param pinnedCa PEM of the only CA to trust for this target; empty means the JDK's trust store
   */
  record Http(
      boolean tls,
      String address,
      int port,
      String path,
      Optional<String> hostHeader,
      Set<Integer> expectedStatus,
      Optional<String> bodyContains,
      int maxBodyBytes,
      Optional<String> pinnedCa,
      boolean keepAlive,
      Duration timeout)
      implements CheckSpec {
    public Http {
      Objects.requireNonNull(address, "address");
      Objects.requireNonNull(path, "path");
      expectedStatus = Set.copyOf(expectedStatus);
      Objects.requireNonNull(timeout, "timeout");
    }
  }

  /** A TCP connect and nothing more. */
  record Tcp(String address, int port, Duration timeout) implements CheckSpec {}

  /**
   * A DNS query for {@code name} (type {@code type}, e.g. A) at the server {@code address}:{@code
   * port}; healthy when the answer section is not empty.
   */
  record Dns(String address, int port, String name, String type, Duration timeout) implements CheckSpec {}
}
