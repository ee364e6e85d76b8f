package dev.tern.controlplane.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Alertmanager sink against a real Alertmanager (Debian's prometheus-alertmanager, started
 * here on loopback): its API shows the alert firing, then resolved. CI installs the package; a
 * machine without it fails this test, saying so.
 */
class AlertmanagerSinkTest {

  static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static Process alertmanager;
  static Path dir;
  static URI base;

  @BeforeAll
  static void start() throws Exception {
    assertTrue(Files.isExecutable(BINARY), BINARY + " is missing: install Debian's prometheus-alertmanager (.ci/run does)");
    dir = Files.createTempDirectory("tern-alertmanager-");
    Files.writeString(dir.resolve("alertmanager.yml"), """
        route:
          receiver: nobody
          group_wait: 1s
        receivers:
          - name: nobody
        """);
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    base = URI.create("http://127.0.0.1:" + port);
    alertmanager = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("alertmanager.yml"),
        "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=")
        .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
    Instant deadline = Instant.now().plusSeconds(20);
    while (true) {
      try {
        if (CLIENT.send(HttpRequest.newBuilder(base.resolve("/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200) {
          break;
        }
      } catch (IOException notYet) {
        // starting
      }
      if (Instant.now().isAfter(deadline) || !alertmanager.isAlive()) {
        throw new AssertionError("Alertmanager did not become ready: " + Files.readString(dir.resolve("alertmanager.log")));
      }
      Thread.sleep(100);
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (alertmanager != null) {
      alertmanager.destroy();
      alertmanager.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      if (alertmanager.isAlive()) {
        alertmanager.destroyForcibly();
      }
    }
  }

  static JsonNode ternAlerts() throws Exception {
    String body = CLIENT.send(HttpRequest.newBuilder(base.resolve("/api/v2/alerts?filter=alertname%3D%22TernIncident%22"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
    return JSON.readTree(body);
  }

  static dev.tern.controlplane.state.Incident incident(Instant opened, Optional<Instant> resolved) {
    var i = AlertSinksTest.incident(Optional.empty(), resolved);
    return new dev.tern.controlplane.state.Incident(i.id(), i.service(), i.kind(), i.severity(), i.summary(), opened,
        i.detectedAt(), resolved, i.failed(), i.seenBy(), i.changes(), i.chaosRun(), i.timelineSequence(), i.updates(),
        i.deliveries());
  }

  @Test
  void the_alert_fires_with_the_incidents_labels_and_then_resolves() throws Exception {
    AlertmanagerSink sink = new AlertmanagerSink("am", base);
    Instant now = Instant.now();
    var incident = incident(now.minusSeconds(5), Optional.empty());
    assertInstanceOf(Sink.Delivered.class, sink.send(Alert.of(Alert.Event.TRIGGER, incident, "http://tern.test", now)));
    JsonNode firing = ternAlerts();
    assertEquals(1, firing.size(), firing.toString());
    JsonNode alert = firing.get(0);
    assertEquals("active", alert.path("status").path("state").asText(), alert.toString());
    assertEquals("shop", alert.path("labels").path("service").asText());
    assertEquals("7", alert.path("labels").path("incident").asText());
    assertEquals("critical", alert.path("labels").path("severity").asText());
    assertEquals("false", alert.path("labels").path("chaos").asText());
    assertTrue(alert.path("annotations").path("summary").asText().startsWith("shop: traffic moved away"));

    var resolved = incident(now.minusSeconds(5), Optional.of(Instant.now()));
    assertInstanceOf(Sink.Delivered.class, sink.send(Alert.of(Alert.Event.RESOLVE, resolved, "http://tern.test",
        Instant.now())));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
    JsonNode after = ternAlerts();
    while (after.size() > 0 && after.get(0).path("status").path("state").asText().equals("active")
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(200);
      after = ternAlerts();
    }
    assertTrue(after.isEmpty() || !after.get(0).path("status").path("state").asText().equals("active"),
        "still firing after the resolve: " + after);
  }
}
