package dev.tern.probe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.validation.ReservedAddresses;
import dev.tern.probe.check.CheckResult.Failure;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * No check reaches a link-local or cloud metadata address, whether an assignment names it or a
 * backend redirects to it. Nothing here sends a packet beyond loopback: each refusal is checked to
 * be in place before a checker is handed the address, and the checker refuses before connecting.
 */
class ReservedTargetsTest {

  private static final Duration TIMEOUT = Duration.ofMillis(500);
  private static final String METADATA = "169.254.169.254";

  private final Checkers checkers = new Checkers(Optional.empty());
  private LocalServer server;

  @AfterEach
  void stop() throws IOException {
    checkers.close();
    if (server != null) {
      server.close();
    }
  }

  private static List<CheckSpec> everyKindAt(String address) {
    return List.of(
        new CheckSpec.Http(false, address, 80, "/latest/meta-data/", Optional.empty(), Set.of(200), Optional.of("iam"),
            1024, Optional.empty(), false, TIMEOUT),
        new CheckSpec.Http(true, address, 443, "/", Optional.empty(), Set.of(200), Optional.empty(), 1024,
            Optional.empty(), true, TIMEOUT),
        new CheckSpec.Tcp(address, 80, TIMEOUT),
        new CheckSpec.Dns(address, 53, "example.com", "A", TIMEOUT));
  }

  @ParameterizedTest
  @ValueSource(strings = {METADATA, "169.254.170.2", "fe80::1", "fd00:ec2::254", "100.100.100.200"})
  void every_kind_of_check_refuses_a_reserved_address_without_connecting(String address) {
    assertTrue(ReservedAddresses.refusal(address).isPresent(), "reserved: " + address);
    for (CheckSpec spec : everyKindAt(address)) {
      CheckResult result = Timing.within(TIMEOUT, () -> checkers.run(spec));
      assertFalse(result.ok(), spec.toString());
      assertEquals(Optional.of(Failure.RESERVED_ADDRESS), result.failure(), result.toString());
      assertTrue(result.connect().isEmpty(), "no connection was opened: " + result);
      assertTrue(result.detail().startsWith("not checked: " + address + ", which is "), result.detail());
    }
  }

  @Test
  void a_redirect_to_the_metadata_address_is_a_status_and_is_never_followed() throws IOException {
    server = LocalServer.plain(LocalServer.respond("HTTP/1.1 302 Found\r\nLocation: http://" + METADATA
        + "/latest/meta-data/iam/security-credentials/\r\nContent-Length: 0\r\n\r\n"));

    CheckResult unexpected = Timing.within(TIMEOUT, () -> checkers.run(new CheckSpec.Http(false, "127.0.0.1",
        server.port(), "/health", Optional.empty(), Set.of(200), Optional.of("AccessKeyId"), 1024, Optional.empty(),
        false, TIMEOUT)));
    CheckResult expected = Timing.within(TIMEOUT, () -> checkers.run(new CheckSpec.Http(false, "127.0.0.1",
        server.port(), "/health", Optional.empty(), Set.of(302), Optional.empty(), 1024, Optional.empty(), false,
        TIMEOUT)));

    assertEquals(Optional.of(Failure.BAD_STATUS), unexpected.failure(), unexpected.toString());
    assertEquals("status 302, expected one of [200]", unexpected.detail());
    assertTrue(expected.ok(), expected.toString());
    assertEquals("status 302", expected.detail());
    assertEquals(2, server.requests(), "one request per check, both to the loopback server");
    assertEquals(2, server.connections(), "one connection per check, both to the loopback server");
  }
}
