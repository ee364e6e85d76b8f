package dev.tern.controlplane.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.controlplane.state.Incident;
import dev.tern.controlplane.state.LeaderStamp;
import dev.tern.controlplane.testing.Receiver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each sink against a receiver on loopback that checks the request against the receiver's
 * documented shape, and each answer mapped to delivered, retry or failed.
 */
class AlertSinksTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");

  static Incident incident(Optional<String> chaosRun, Optional<Instant> resolved) {
    return new Incident(7, "shop", "failover", "critical", "shop: traffic moved away from aws-frankfurt (UNHEALTHY, seen"
        + " down by aws:us-east-1, gcp:europe-west1)", T, Optional.of(T.minusSeconds(2)), resolved, List.of("aws-frankfurt"),
        List.of("aws:us-east-1", "gcp:europe-west1"), List.of("EU: aws-frankfurt -> azure-amsterdam"), chaosRun, 3, List.of(),
        List.of());
  }

  static Alert trigger() {
    return Alert.of(Alert.Event.TRIGGER, incident(Optional.empty(), Optional.empty()), "https://tern.example.com/", T);
  }

  static Alert resolve() {
    return Alert.of(Alert.Event.RESOLVE, incident(Optional.empty(), Optional.of(T.plusSeconds(60))), "https://tern.example.com", T.plusSeconds(60));
  }

  @Test
  void pagerduty_triggers_and_resolves_with_one_dedup_key_and_the_documented_payload() throws Exception {
    try (Receiver pd = new Receiver(202)) {
      PagerDutySink sink = new PagerDutySink("oncall", pd.uri("/v2/enqueue"), "R0UTINGKEY0000000000000000000000");
      assertInstanceOf(Sink.Delivered.class, sink.send(trigger()));
      assertInstanceOf(Sink.Delivered.class, sink.send(resolve()));
      List<Receiver.Request> got = pd.requests();
      assertEquals(2, got.size());
      assertEquals("POST", got.get(0).method());
      assertEquals("/v2/enqueue", got.get(0).path());
      assertEquals("application/json", got.get(0).header("Content-Type"));
      JsonNode t = JSON.readTree(got.get(0).body());
      assertEquals("R0UTINGKEY0000000000000000000000", t.path("routing_key").asText());
      assertEquals("trigger", t.path("event_action").asText());
      assertEquals("tern-incident-7", t.path("dedup_key").asText());
      JsonNode payload = t.path("payload");
      assertTrue(payload.path("summary").asText().startsWith("shop: traffic moved away from aws-frankfurt"));
      assertEquals("tern/shop", payload.path("source").asText());
      assertEquals("critical", payload.path("severity").asText());
      assertEquals("2026-11-24T10:00:00Z", payload.path("timestamp").asText());
      assertEquals("aws:us-east-1, gcp:europe-west1", payload.path("custom_details").path("seen_by").asText());
      assertEquals("https://tern.example.com/#/timeline", t.path("links").get(0).path("href").asText());
      JsonNode r = JSON.readTree(got.get(1).body());
      assertEquals("resolve", r.path("event_action").asText());
      assertEquals("tern-incident-7", r.path("dedup_key").asText());
      assertTrue(r.path("payload").isMissingNode(), "a resolve carries no payload");
    }
  }

  @Test
  void a_429_or_5xx_is_retried_after_retry_after_and_a_400_is_not() throws Exception {
    try (Receiver pd = new Receiver(202).answering(429, 503, 400)) {
      PagerDutySink sink = new PagerDutySink("oncall", pd.uri("/v2/enqueue"), "key");
      Sink.Retry throttled = assertInstanceOf(Sink.Retry.class, sink.send(trigger()));
      assertEquals(Duration.ofSeconds(1), throttled.after());
      assertTrue(throttled.why().startsWith("oncall: HTTP 429"), throttled.why());
      assertInstanceOf(Sink.Retry.class, sink.send(trigger()));
      Sink.Failed bad = assertInstanceOf(Sink.Failed.class, sink.send(trigger()));
      assertTrue(bad.why().startsWith("oncall: HTTP 400"), bad.why());
      assertInstanceOf(Sink.Delivered.class, sink.send(trigger()));
    }
  }

  @Test
  void pagerduty_holds_to_its_events_per_minute_for_a_routing_key() throws Exception {
    try (Receiver pd = new Receiver(202)) {
      // A clock that stands still: the bucket refills nothing while the test sends.
      PagerDutySink sink = new PagerDutySink("oncall", pd.uri("/v2/enqueue"), "key",
          new TokenBucket(PagerDutySink.EVENTS_PER_MINUTE, Duration.ofMinutes(1), () -> 0L));
      for (int i = 0; i < PagerDutySink.EVENTS_PER_MINUTE; i++) {
        assertInstanceOf(Sink.Delivered.class, sink.send(trigger()));
      }
      Sink.Retry held = assertInstanceOf(Sink.Retry.class, sink.send(trigger()));
      assertEquals(Duration.ofMillis(500), held.after(), "one event every 0.5 s at 120 a minute");
      assertEquals(PagerDutySink.EVENTS_PER_MINUTE, pd.requests().size(), "the held event was not sent");
    }
  }

  @Test
  void opsgenie_creates_an_alert_with_the_alias_and_closes_it_by_alias() throws Exception {
    try (Receiver og = new Receiver(202)) {
      OpsgenieSink sink = new OpsgenieSink("ops", og.uri(""), "genie-key-1");
      assertInstanceOf(Sink.Delivered.class, sink.send(trigger()));
      assertInstanceOf(Sink.Delivered.class, sink.send(resolve()));
      Receiver.Request create = og.requests().get(0);
      assertEquals("/v2/alerts", create.path());
      assertEquals("GenieKey genie-key-1", create.header("Authorization"));
      JsonNode body = JSON.readTree(create.body());
      assertEquals("tern-incident-7", body.path("alias").asText());
      assertEquals("P1", body.path("priority").asText());
      assertTrue(body.path("message").asText().length() <= 130);
      assertEquals("shop", body.path("entity").asText());
      Receiver.Request close = og.requests().get(1);
      assertEquals("/v2/alerts/tern-incident-7/close", close.path());
      assertEquals("identifierType=alias", close.query());
      assertEquals("GenieKey genie-key-1", close.header("Authorization"));
    }
  }

  @Test
  void slack_gets_a_readable_message_and_a_resolved_one() throws Exception {
    try (Receiver slack = new Receiver(200)) {
      SlackSink sink = new SlackSink("chat", slack.uri("/services/T000/B000/XXXX"));
      assertInstanceOf(Sink.Delivered.class, sink.send(trigger()));
      assertInstanceOf(Sink.Delivered.class, sink.send(resolve()));
      JsonNode open = JSON.readTree(slack.requests().get(0).body());
      assertTrue(open.path("text").asText().contains("shop: traffic moved away from aws-frankfurt"), open.toString());
      assertTrue(open.path("blocks").get(1).path("text").path("text").asText().contains("EU: aws-frankfurt -&gt; azure-amsterdam"));
      JsonNode done = JSON.readTree(slack.requests().get(1).body());
      assertTrue(done.path("text").asText().contains("Resolved: shop"), done.toString());
    }
  }

  @Test
  void every_sink_names_the_leader_that_sent_it_and_its_term_in_the_headers_and_where_it_can_in_the_body()
      throws Exception {
    Alert sent = trigger().sentBy(new LeaderStamp("n2", 7));
    try (Receiver receiver = new Receiver(202)) {
      List<Sink> sinks = List.of(
          new PagerDutySink("oncall", receiver.uri("/v2/enqueue"), "R0UTINGKEY0000000000000000000000"),
          new OpsgenieSink("ops", receiver.uri(""), "genie-key-1"),
          new SlackSink("chat", receiver.uri("/services/T000/B000/XXXX")),
          new WebhookSink("hook", receiver.uri("/tern"), "s3cret-signing-key"),
          new AlertmanagerSink("am", receiver.uri("")));
      for (Sink sink : sinks) {
        assertInstanceOf(Sink.Delivered.class, sink.send(sent), sink.getClass().getSimpleName());
      }
      List<Receiver.Request> got = receiver.requests();
      assertEquals(sinks.size(), got.size());
      for (Receiver.Request r : got) {
        assertEquals("n2", r.header("X-Tern-Node"), r.path());
        assertEquals("7", r.header("X-Tern-Term"), r.path());
      }
      JsonNode pagerDuty = JSON.readTree(got.get(0).body()).path("payload").path("custom_details").path("sender");
      assertEquals(List.of("n2", "7"), List.of(pagerDuty.path("node").asText(), pagerDuty.path("term").asText()));
      JsonNode opsgenie = JSON.readTree(got.get(1).body()).path("details");
      assertEquals(List.of("n2", "7"), List.of(opsgenie.path("senderNode").asText(), opsgenie.path("senderTerm").asText()));
      assertTrue(got.get(2).body().contains("*Sent by:* n2, leader in term 7"), got.get(2).body());
      JsonNode webhook = JSON.readTree(got.get(3).body()).path("sender");
      assertEquals("n2", webhook.path("node").asText());
      assertEquals(7, webhook.path("term").asLong());
      JsonNode alertmanager = JSON.readTree(got.get(4).body()).get(0).path("annotations");
      assertEquals(List.of("n2", "7"), List.of(alertmanager.path("sender_node").asText(),
          alertmanager.path("sender_term").asText()));
    }
  }

  @Test
  void the_webhook_body_is_signed_so_the_receiver_can_verify_it() throws Exception {
    try (Receiver hook = new Receiver(204)) {
      WebhookSink sink = new WebhookSink("hook", hook.uri("/tern"), "s3cret-signing-key");
      assertInstanceOf(Sink.Delivered.class, sink.send(trigger()));
      Receiver.Request got = hook.requests().getFirst();
      String timestamp = got.header("X-Tern-Timestamp");
      assertEquals(String.valueOf(T.getEpochSecond()), timestamp);
      String expected = "sha256=" + WebhookSink.sign("s3cret-signing-key".getBytes(StandardCharsets.UTF_8),
          timestamp + "." + got.body());
      assertEquals(expected, got.header("X-Tern-Signature"));
      assertFalse(expected.equals("sha256=" + WebhookSink.sign("another-key".getBytes(StandardCharsets.UTF_8),
          timestamp + "." + got.body())), "a different key signs differently");
      assertEquals("tern-incident-7-trigger", got.header("X-Tern-Delivery"));
      JsonNode body = JSON.readTree(got.body());
      assertEquals("trigger", body.path("event").asText());
      assertEquals(List.of("aws-frankfurt"), List.of(JSON.convertValue(body.path("incident").path("failed"), String[].class)));
    }
  }

  @Test
  void a_chaos_incident_is_marked_as_a_test_and_a_route_can_keep_or_drop_it() {
    Alert chaos = Alert.of(Alert.Event.TRIGGER, incident(Optional.of("eu-outage-1a2b"), Optional.empty()), "http://c", T);
    assertTrue(chaos.title().startsWith("[chaos test eu-outage-1a2b] "), chaos.title());
    AlertRoute waking = AlertingSettings.route("r", Map.of("name", "oncall", "sink", "webhook", "url", "http://127.0.0.1:1/x",
        "secret", "k", "match", Map.of("chaos", "exclude")));
    AlertRoute quiet = AlertingSettings.route("r", Map.of("name", "tests", "sink", "webhook", "url", "http://127.0.0.1:1/x",
        "secret", "k", "match", Map.of("chaos", "only", "kinds", List.of("failover"))));
    assertFalse(waking.takes("failover", "shop", true));
    assertTrue(waking.takes("failover", "shop", false));
    assertTrue(quiet.takes("failover", "shop", true));
    assertFalse(quiet.takes("fail-open", "shop", true));
    assertFalse(quiet.takes("failover", "shop", false));
  }

  @Test
  void a_wrong_route_stops_the_node_naming_the_key_and_never_the_secret() {
    IllegalArgumentException twoSecrets = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AlertingSettings.route("tern.alerting.routes[0]", Map.of("name", "x", "sink", "pagerduty",
            "routing-key", "abc", "routing-key-file", "/nonexistent")));
    assertTrue(twoSecrets.getMessage().contains("give one of routing-key and routing-key-file, not both"),
        twoSecrets.getMessage());
    IllegalArgumentException badUrl = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AlertingSettings.route("tern.alerting.routes[1]", Map.of("name", "x", "sink", "slack",
            "url", "ftp://hooks.example/T000/SECRETPART")));
    assertEquals("tern.alerting.routes[1].url is not an http(s) URL", badUrl.getMessage());
    IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> AlertingSettings.route("tern.alerting.routes[2]", Map.of("name", "x", "sink", "pager")));
    assertTrue(unknown.getMessage().contains("is not one of pagerduty, opsgenie, slack, alertmanager, webhook"));
  }

  @Test
  void a_route_that_sends_a_credential_needs_https_except_to_loopback() {
    for (Map<String, Object> entry : List.<Map<String, Object>>of(
        Map.of("name", "x", "sink", "slack", "url", "http://hooks.example.com/services/T0/B0/SECRETPART"),
        Map.of("name", "x", "sink", "pagerduty", "url", "http://events.example.com/v2/enqueue", "routing-key", "SECRETPART"),
        Map.of("name", "x", "sink", "opsgenie", "url", "http://api.example.com", "api-key", "SECRETPART"))) {
      IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
          () -> AlertingSettings.route("tern.alerting.routes[0]", entry));
      assertEquals("tern.alerting.routes[0].url must be an https URL: a credential is sent to it"
          + " (plain http only to a loopback address)", e.getMessage());
    }
    assertEquals("slack", AlertingSettings.route("r", Map.of("name", "x", "sink", "slack",
        "url", "http://127.0.0.1:9/services/T0/B0/SECRETPART")).sinkKind());
    // The webhook's secret signs and is never sent; Alertmanager takes none.
    assertEquals("webhook", AlertingSettings.route("r", Map.of("name", "x", "sink", "webhook",
        "url", "http://hooks.internal.example:8080/tern", "secret", "SECRETPART")).sinkKind());
    assertEquals("alertmanager", AlertingSettings.route("r", Map.of("name", "x", "sink", "alertmanager",
        "url", "http://alertmanager.monitoring:9093")).sinkKind());
  }
}
