package dev.tern.controlplane.alerting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.Receiver;
import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Incidents in the demo world, paged through a signed webhook to a receiver on loopback: a failover
 * pages once (through a 429) and resolves once; a flapping backend is one incident; a leader
 * change in the middle of an incident neither loses nor repeats a page; a route whose receiver
 * keeps failing is reported through the one that works.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IncidentPagingTest {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SECRET = "paging-test-signing-key";
  static Receiver receiver;
  static Receiver broken;
  static DemoWorld world;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver(200);
    broken = new Receiver(500);
    world = DemoWorld.start(DemoWorld.Options.freePorts().with(Map.of(
        "tern.alerting.console-url", "http://console.tern.test",
        "tern.alerting.routes", List.of(
            Map.of("name", "oncall", "sink", "webhook", "url", receiver.uri("/hook").toString(), "secret", SECRET),
            Map.of("name", "broken", "sink", "webhook", "url", broken.uri("/hook").toString(), "secret", SECRET)))));
    world.awaitReady(Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
    if (receiver != null) {
      receiver.close();
    }
    if (broken != null) {
      broken.close();
    }
  }

  @Test
  @Order(1)
  void a_failover_pages_once_through_a_429_and_resolves_once_after_the_region_is_back() throws Exception {
    receiver.answering(429);
    Region region = regionAnswering("EU");
    world.regions().stop(region);
    await("the trigger is delivered", Duration.ofSeconds(20), () -> deliveries("trigger") == 1);
    long id = incidents().get(0).path("id").asLong();
    List<Receiver.Request> triggers = sentFor(id, "trigger");
    assertEquals(2, triggers.size(), "one 429, then the one that was taken");
    assertEquals(triggers.get(0).body().replaceAll("\"at\":\"[^\"]+\"", ""),
        triggers.get(1).body().replaceAll("\"at\":\"[^\"]+\"", ""), "the retry is the same event");
    JsonNode body = JSON.readTree(triggers.get(1).body());
    assertEquals("shop", body.path("incident").path("service").asText());
    assertEquals("failover", body.path("incident").path("kind").asText());
    assertEquals("http://console.tern.test/#/timeline", body.path("link").asText());
    Receiver.Request taken = triggers.get(1);
    assertEquals("sha256=" + WebhookSink.sign(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        taken.header("X-Tern-Timestamp") + "." + taken.body()), taken.header("X-Tern-Signature"));
    assertSentByTheLeader(taken);

    world.regions().start(region);
    await("the resolve is delivered", Duration.ofSeconds(40), () -> deliveries("resolve") == 1);
    Thread.sleep(3000);
    assertEquals(2, sentFor(id, "trigger").size(), "no trigger after the one taken");
    assertEquals(1, sentFor(id, "resolve").size(), "one resolve");
    JsonNode incident = incidents().get(0);
    assertTrue(!incident.path("open").asBoolean() && incident.path("summary").asText().contains("traffic moved away from"),
        incident.toString());
  }

  @Test
  @Order(2)
  void a_flapping_backend_is_one_incident() throws Exception {
    int before = incidents().size();
    Region region = Region.parse("gcp:asia-southeast1").orElseThrow();
    world.regions().flap(region, Duration.ofSeconds(2));
    try {
      Thread.sleep(14_000);
    } finally {
      world.regions().stopFlapping(region);
    }
    await("every incident resolved", Duration.ofSeconds(40), () -> incidents().stream().noneMatch(i -> i.path("open").asBoolean()));
    assertEquals(before + 1, incidents().size(), "one incident for the whole flapping episode: " + incidents());
    JsonNode flap = incidents().get(0);
    assertTrue(flap.path("updates").size() >= 2, "the flaps are updates of the one incident: " + flap);
    await("its trigger and resolve delivered", Duration.ofSeconds(10),
        () -> sentFor(flap.path("id").asLong(), "trigger").size() == 1 && sentFor(flap.path("id").asLong(), "resolve").size() == 1);
  }

  @Test
  @Order(3)
  void a_leader_change_mid_incident_neither_loses_nor_repeats_a_page() throws Exception {
    Region region = regionAnswering("EU");
    world.regions().stop(region);
    await("a new incident's trigger", Duration.ofSeconds(20), () -> incidents().get(0).path("open").asBoolean()
        && sentFor(incidents().get(0).path("id").asLong(), "trigger").size() == 1);
    long id = incidents().get(0).path("id").asLong();
    JsonNode triggeredBy = assertSentByTheLeader(sentFor(id, "trigger").getFirst());
    world.kill(world.leader().orElseThrow());
    await("a new leader", Duration.ofSeconds(15), () -> world.leader().isPresent());
    world.regions().start(region);
    await("the resolve, from the new leader", Duration.ofSeconds(40), () -> sentFor(id, "resolve").size() == 1);
    Thread.sleep(3000);
    assertEquals(1, sentFor(id, "trigger").size(), "the new leader did not page again");
    assertEquals(1, sentFor(id, "resolve").size());
    JsonNode resolvedBy = assertSentByTheLeader(sentFor(id, "resolve").getFirst());
    assertTrue(resolvedBy.path("term").asLong() > triggeredBy.path("term").asLong(), resolvedBy + " after " + triggeredBy);
    assertTrue(!resolvedBy.path("node").asText().equals(triggeredBy.path("node").asText()), "the killed leader did not resolve");
    assertEquals(triggeredBy.path("node").asText(), JSON.readTree(get("/api/v1/cluster")).path("termLeaders")
        .path(triggeredBy.path("term").asText()).asText(), "the old leader's term is still on record");
    world.restartCrashed();
  }

  @Test
  @Order(4)
  void a_route_that_keeps_failing_is_reported_through_the_route_that_works() throws Exception {
    await("the broken route reported", Duration.ofSeconds(10),
        () -> !receiver.requests().stream().filter(r -> "tern-route-failing-broken-trigger".equals(r.header("X-Tern-Delivery")))
            .toList().isEmpty());
    Receiver.Request notice = receiver.requests().stream()
        .filter(r -> "tern-route-failing-broken-trigger".equals(r.header("X-Tern-Delivery"))).findFirst().orElseThrow();
    assertTrue(notice.body().contains("alerting route broken is failing: broken: HTTP 500"), notice.body());
    assertTrue(broken.requests().size() >= 3, "the broken route was tried: " + broken.requests().size());
    String metrics = get("/metrics");
    assertTrue(metrics.contains("tern_alert_route_failing{route=\"broken\"} 1.0"), metrics);
    assertTrue(metrics.contains("tern_alert_route_failing{route=\"oncall\"} 0.0"), metrics);
    String routes = get("/api/v1/alerting/routes");
    assertTrue(routes.contains("\"name\":\"broken\"") && !routes.contains(broken.uri("/hook").toString())
        && !routes.contains(SECRET), "routes are listed without their URLs or secrets: " + routes);
  }

  /**
   * Checks that {@code page} names, in its headers and its body alike, the node that leads now and
   * the term it leads, as that leader's {@code GET /api/v1/cluster} and the replicated record of
   * term leaders say; returns the body's {@code sender}.
   */
  private static JsonNode assertSentByTheLeader(Receiver.Request page) throws Exception {
    JsonNode sender = JSON.readTree(page.body()).path("sender");
    assertEquals(page.header("X-Tern-Node"), sender.path("node").asText(), page.body());
    assertEquals(page.header("X-Tern-Term"), sender.path("term").asText(), page.body());
    JsonNode cluster = JSON.readTree(get("/api/v1/cluster"));
    assertEquals(cluster.path("node").asText(), sender.path("node").asText(), "sent by the leader: " + cluster);
    assertEquals(cluster.path("term").asLong(), sender.path("term").asLong(), "in the term it leads: " + cluster);
    assertEquals(sender.path("node").asText(), cluster.path("termLeaders").path(sender.path("term").asText()).asText(),
        "the replicated record names the sender as the leader of its term: " + cluster);
    return sender;
  }

  private static Region regionAnswering(String zone) throws Exception {
    JsonNode plan = JSON.readTree(get("/api/v1/services/shop/plan"));
    String backend = null;
    for (JsonNode z : plan.path("zones")) {
      if (z.path("zone").asText().equals(zone)) {
        backend = z.path("answers").get(0).path("backend").asText();
      }
    }
    for (JsonNode b : JSON.readTree(get("/api/v1/services/shop/backends"))) {
      if (b.path("name").asText().equals(backend)) {
        return Region.parse(b.path("cloud").asText() + ":" + b.path("region").asText()).orElseThrow();
      }
    }
    throw new AssertionError("no backend answers " + zone + ": " + plan);
  }

  private static List<JsonNode> incidents() {
    try {
      List<JsonNode> out = new java.util.ArrayList<>();
      JSON.readTree(get("/api/v1/incidents")).forEach(out::add);
      return out;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** Requests for one event, whatever the answer. */
  private static List<Receiver.Request> sent(String event) {
    return receiver.requests().stream().filter(r -> event.equals(r.header("X-Tern-Event"))).toList();
  }

  private static List<Receiver.Request> sentFor(long incident, String event) {
    return sent(event).stream().filter(r -> ("tern-incident-" + incident + "-" + event).equals(r.header("X-Tern-Delivery")))
        .toList();
  }

  /** Deliveries of {@code event} to the working route the cluster recorded as taken, across incidents. */
  private static long deliveries(String event) {
    return incidents().stream().flatMap(i -> java.util.stream.StreamSupport.stream(i.path("deliveries").spliterator(), false))
        .filter(d -> d.path("route").asText().equals("oncall") && d.path("event").asText().equals(event)
            && d.path("outcome").asText().equals("delivered")).count();
  }

  private static String get(String path) {
    for (int attempt = 0; ; attempt++) {
      try {
        int leader = world.leader().orElseThrow();
        var r = new Http(world.node(leader).orElseThrow().uri()).get(path, "Authorization",
            "Bearer " + world.credentials().viewerToken());
        if (r.statusCode() == 200) {
          return r.body();
        }
      } catch (RuntimeException e) {
        if (attempt > 50) {
          throw e;
        }
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  private static void await(String what, Duration timeout, BooleanSupplier condition) {
    Instant deadline = Instant.now().plus(timeout);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what + "; received: "
            + receiver.requests().stream().map(r -> r.header("X-Tern-Delivery")).toList());
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }
}
