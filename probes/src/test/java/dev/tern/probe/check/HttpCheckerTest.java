package dev.tern.probe.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.probe.check.CheckResult.Failure;
import java.io.FileInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpCheckerTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  private static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\nConnection: close\r\n\r\nhealthy";

  @TempDir static Path keys;
  private static SSLContext serverTls;
  private static String selfSignedPem;

  private final HttpChecker checker = new HttpChecker(Optional.empty());
  private LocalServer server;

  @BeforeAll
  static void selfSignedCertificate() throws Exception {
    var keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    var store = keys.resolve("server.p12");
    run(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
        "-dname", "CN=localhost", "-ext", "san=ip:127.0.0.1,dns:localhost", "-validity", "2",
        "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit");
    var pem = keys.resolve("server.pem");
    run(keytool, "-exportcert", "-rfc", "-alias", "server", "-keystore", store.toString(),
        "-storepass", "changeit", "-file", pem.toString());
    selfSignedPem = Files.readString(pem);
    var keyStore = KeyStore.getInstance("PKCS12");
    try (var in = new FileInputStream(store.toFile())) {
      keyStore.load(in, "changeit".toCharArray());
    }
    var keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    keyManagers.init(keyStore, "changeit".toCharArray());
    serverTls = SSLContext.getInstance("TLS");
    serverTls.init(keyManagers.getKeyManagers(), null, null);
  }

  private static void run(String... command) throws IOException, InterruptedException {
    var process = new ProcessBuilder(command).redirectErrorStream(true).start();
    var output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, process.waitFor(), output);
  }

  @AfterEach
  void stop() throws IOException {
    checker.close();
    if (server != null) {
      server.close();
    }
  }

  private static CheckSpec.Http get(int port) {
    return spec(false, port, Optional.empty(), Optional.empty(), false);
  }

  private static CheckSpec.Http spec(
      boolean tls, int port, Optional<String> body, Optional<String> pinnedCa, boolean keepAlive) {
    return new CheckSpec.Http(
        tls, "127.0.0.1", port, "/health", Optional.empty(), Set.of(200), body, 64 * 1024,
        pinnedCa, keepAlive, TIMEOUT);
  }

  private CheckResult check(CheckSpec spec) {
    return Timing.within(TIMEOUT, () -> checker.run(spec));
  }

  @Test
  void a_200_with_the_expected_body_is_healthy_and_every_phase_is_timed() throws IOException {
    server = LocalServer.plain(LocalServer.respond(OK));

    var result = check(spec(false, server.port(), Optional.of("healthy"), Optional.empty(), false));

    assertTrue(result.ok(), result.toString());
    assertTrue(result.connect().isPresent() && result.firstByte().isPresent(), result.toString());
    assertTrue(result.tls().isEmpty(), result.toString());
  }

  @Test
  void a_500_is_a_bad_status() throws IOException {
    server = LocalServer.plain(LocalServer.respond("HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"));

    var result = check(get(server.port()));

    assertEquals(Optional.of(Failure.BAD_STATUS), result.failure(), result.toString());
  }

  @Test
  void a_body_without_the_expected_text_is_a_body_mismatch() throws IOException {
    server = LocalServer.plain(LocalServer.respond(OK));

    var result = check(spec(false, server.port(), Optional.of("ready"), Optional.empty(), false));

    assertEquals(Optional.of(Failure.BODY_MISMATCH), result.failure(), result.toString());
  }

  @Test
  void a_chunked_body_is_matched_across_chunks() throws IOException {
    server = LocalServer.plain(LocalServer.respond(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nheal\r\n3;x=y\r\nthy\r\n0\r\n\r\n"));

    var result = check(spec(false, server.port(), Optional.of("healthy"), Optional.empty(), false));

    assertTrue(result.ok(), result.toString());
  }

  @Test
  void a_self_signed_certificate_fails_the_tls_handshake_against_the_jdk_trust_store() throws IOException {
    server = LocalServer.tls(serverTls, LocalServer.respond(OK));

    var result = check(spec(true, server.port(), Optional.empty(), Optional.empty(), false));

    assertEquals(Optional.of(Failure.TLS_HANDSHAKE), result.failure(), result.toString());
  }

  @Test
  void a_self_signed_certificate_is_trusted_when_it_is_the_pinned_ca() throws IOException {
    server = LocalServer.tls(serverTls, LocalServer.respond(OK));

    var result = check(spec(true, server.port(), Optional.of("healthy"), Optional.of(selfSignedPem), false));

    assertTrue(result.ok(), result.toString());
    assertTrue(result.tls().isPresent(), result.toString());
  }

  @Test
  void a_pinned_certificate_for_another_host_name_fails_the_tls_handshake() throws IOException {
    server = LocalServer.tls(serverTls, LocalServer.respond(OK));
    var otherHost = new CheckSpec.Http(
        true, "127.0.0.1", server.port(), "/", Optional.of("shop.example.com"), Set.of(200),
        Optional.empty(), 1024, Optional.of(selfSignedPem), false, TIMEOUT);

    var result = check(otherHost);

    assertEquals(Optional.of(Failure.TLS_HANDSHAKE), result.failure(), result.toString());
  }

  @Test
  void a_closed_port_is_connect_refused() throws IOException {
    int port;
    try (var probe = new ServerSocket(0, 1, LocalServer.LOOPBACK)) {
      port = probe.getLocalPort();
    }

    var result = check(get(port));

    assertEquals(Optional.of(Failure.CONNECT_REFUSED), result.failure(), result.toString());
  }

  @Test
  void a_server_that_accepts_and_never_answers_times_out_at_the_deadline() throws IOException {
    server = LocalServer.plain((socket, s) -> Thread.sleep(10_000));

    var result = check(get(server.port()));

    assertEquals(Optional.of(Failure.TIMEOUT), result.failure(), result.toString());
    assertTrue(result.firstByte().isEmpty(), result.toString());
  }

  @Test
  void a_server_that_never_starts_the_tls_handshake_times_out_at_the_deadline() throws IOException {
    server = LocalServer.plain((socket, s) -> Thread.sleep(10_000));

    var result = check(spec(true, server.port(), Optional.empty(), Optional.of(selfSignedPem), false));

    assertEquals(Optional.of(Failure.TIMEOUT), result.failure(), result.toString());
    assertTrue(result.tls().isEmpty(), result.toString());
  }

  @Test
  void a_server_trickling_its_tls_handshake_times_out_at_the_deadline() throws IOException {
    server = LocalServer.plain((socket, s) -> {
      socket.getInputStream().read(new byte[4096]);
      var out = socket.getOutputStream();
      // A handshake record header announcing 16 KiB, then its body a byte at a time.
      for (byte b : new byte[] {0x16, 0x03, 0x03, 0x40, 0x00}) {
        out.write(b);
        out.flush();
      }
      for (int i = 0; i < 100; i++) {
        out.write(0);
        out.flush();
        Thread.sleep(200);
      }
    });

    var result = check(spec(true, server.port(), Optional.empty(), Optional.of(selfSignedPem), false));

    assertEquals(Optional.of(Failure.TIMEOUT), result.failure(), result.toString());
  }

  @Test
  void a_server_trickling_a_byte_a_second_times_out_at_the_deadline() throws IOException {
    var timeout = Duration.ofMillis(2500);
    server = LocalServer.plain((socket, s) -> {
      s.readRequest(socket.getInputStream());
      var out = socket.getOutputStream();
      for (byte b : OK.getBytes(StandardCharsets.ISO_8859_1)) {
        out.write(b);
        out.flush();
        Thread.sleep(1000);
      }
    });
    var slow = new CheckSpec.Http(
        false, "127.0.0.1", server.port(), "/", Optional.empty(), Set.of(200), Optional.of("healthy"),
        1024, Optional.empty(), false, timeout);

    // Every read gets a byte well inside the time left, so only the overall deadline can stop it.
    var result = Timing.within(timeout, () -> checker.run(slow));

    assertEquals(Optional.of(Failure.TIMEOUT), result.failure(), result.toString());
    assertTrue(result.firstByte().isPresent(), result.toString());
    assertTrue(result.total().compareTo(timeout) >= 0, result.toString());
  }

  @Test
  void a_100_MB_body_is_cut_off_after_max_body_bytes() throws IOException {
    long hundredMegabytes = 100L * 1024 * 1024;
    server = LocalServer.plain((socket, s) -> {
      s.readRequest(socket.getInputStream());
      var out = socket.getOutputStream();
      s.send(out, ("HTTP/1.1 200 OK\r\nContent-Length: " + hundredMegabytes + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
      var block = new byte[64 * 1024];
      for (long sent = 0; sent < hundredMegabytes; sent += block.length) {
        s.send(out, block);
      }
    });
    var spec = spec(false, server.port(), Optional.of("never there"), Optional.empty(), false);

    var result = check(spec);

    assertEquals(Optional.of(Failure.BODY_MISMATCH), result.failure(), result.toString());
    long bufferSlack = 16 * 1024 + 8 * 1024;
    assertTrue(checker.bytesRead() <= spec.maxBodyBytes() + bufferSlack, "read " + checker.bytesRead() + " bytes");
    assertTrue(result.total().compareTo(Duration.ofMillis(500)) < 0, result.toString());
    assertTrue(server.bytesSent() < hundredMegabytes / 4, "the server sent " + server.bytesSent() + " bytes");
  }

  @Test
  void a_redirect_to_itself_is_one_request_never_followed() throws IOException {
    server = LocalServer.plain(LocalServer.respond(
        "HTTP/1.1 302 Found\r\nLocation: /health\r\nContent-Length: 0\r\n\r\n"));

    var unexpected = check(get(server.port()));
    var expected = check(new CheckSpec.Http(
        false, "127.0.0.1", server.port(), "/health", Optional.empty(), Set.of(302), Optional.empty(),
        1024, Optional.empty(), false, TIMEOUT));

    assertEquals(Optional.of(Failure.BAD_STATUS), unexpected.failure(), unexpected.toString());
    assertTrue(expected.ok(), expected.toString());
    assertEquals(2, server.requests(), "one request per check");
  }

  @Test
  void headers_over_16_KiB_are_a_protocol_failure() throws IOException {
    server = LocalServer.plain((socket, s) -> {
      s.readRequest(socket.getInputStream());
      var out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\n".getBytes(StandardCharsets.ISO_8859_1));
      var header = ("X-Padding: " + "a".repeat(1000) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
      for (int i = 0; i < 1000; i++) {
        out.write(header);
      }
    });

    var result = check(get(server.port()));

    assertEquals(Optional.of(Failure.PROTOCOL), result.failure(), result.toString());
    assertTrue(checker.bytesRead() <= 16 * 1024 + 8 * 1024, "read " + checker.bytesRead() + " bytes");
  }

  @Test
  void keep_alive_reuses_one_connection_while_the_server_allows_it() throws IOException {
    server = LocalServer.plain((socket, s) -> {
      var in = socket.getInputStream();
      while (!s.readRequest(in).isEmpty()) {
        socket.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\nhealthy".getBytes(StandardCharsets.ISO_8859_1));
      }
    });
    var spec = spec(false, server.port(), Optional.of("healthy"), Optional.empty(), true);

    var first = check(spec);
    var second = check(spec);
    var third = check(spec);

    assertTrue(first.ok() && second.ok() && third.ok(), first + " " + second + " " + third);
    assertTrue(first.connect().isPresent() && second.connect().isEmpty(), second.toString());
    assertEquals(1, server.connections());
    assertEquals(3, server.requests());
  }

  @Test
  void keep_alive_opens_a_new_connection_when_the_server_closed_the_last_one() throws IOException {
    server = LocalServer.plain(LocalServer.respond(OK));
    var spec = spec(false, server.port(), Optional.of("healthy"), Optional.empty(), true);

    var first = check(spec);
    var second = check(spec);

    assertTrue(first.ok() && second.ok(), first + " " + second);
    assertEquals(2, server.connections());
  }

  @Test
  void every_socket_binds_to_the_source_address() throws Exception {
    server = LocalServer.plain(LocalServer.respond(OK));
    var region = InetAddress.getByName("127.0.0.2");
    try (var bound = new HttpChecker(Optional.of(region))) {

      var result = Timing.within(TIMEOUT, () -> bound.run(get(server.port())));

      assertTrue(result.ok(), result.toString());
      assertEquals(java.util.List.of(region), server.peers());
    }
  }
}
