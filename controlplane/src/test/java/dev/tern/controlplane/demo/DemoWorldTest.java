package dev.tern.controlplane.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.testing.Http;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Optional;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import dev.tern.policy.geo.Region;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.yaml.snakeyaml.Yaml;

/**
 * The demo world end to end on loopback: real nodes, real probe agents, real HTTP backends, and
 * the embedded DNS server asked with EDNS Client Subnet the way a resolver would. The tests share
 * one world and run in order; each leaves every region up and every backend healthy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoWorldTest {

  static final Set<String> EU_ADDRESSES = Set.of("127.0.1.1", "127.0.1.2", "127.0.1.3");
  static final Region SINGAPORE = Region.parse("gcp:asia-southeast1").orElseThrow();
  static final String SINGAPORE_ADDRESS = "127.0.1.6";
  static final Duration FAILOVER_BOUND = Duration.ofSeconds(3);
  static final Duration FAILBACK_DELAY = Duration.ofSeconds(10);
  /** A client /24 in each client zone of the demo's CIDR table; the last sends no subnet at all. */
  static final Map<String, Optional<String>> CLIENTS = clients();

  private static Map<String, Optional<String>> clients() {
    Map<String, Optional<String>> c = new LinkedHashMap<>();
    c.put("EU", Optional.of("10.10.0.0"));
    c.put("north-america", Optional.of("10.20.0.0"));
    c.put("asia", Optional.of("10.30.0.0"));
    c.put("default", Optional.empty());
    return c;
  }

  static DemoWorld world;

  @BeforeAll
  static void start() throws Exception {
    world = DemoWorld.start(DemoWorld.Options.freePorts());
    Duration ready = world.awaitReady(Duration.ofSeconds(60));
    System.out.printf("demo world ready %d ms after start%n", ready.toMillis());
  }

  @AfterAll
  static void stop() {
    if (world != null) {
      world.close();
    }
  }

  @Test
  @Order(1)
  void each_client_zone_is_answered_from_its_nearest_region_and_eu_clients_only_from_the_eu() {
    Map<String, List<String>> answers = answers();
    assertEquals(Set.of("EU", "north-america", "asia", "default"), answers.keySet(), answers.toString());
    assertFalse(answers.get("EU").isEmpty());
    assertTrue(EU_ADDRESSES.containsAll(answers.get("EU")), "EU answered outside the EU: " + answers);
    assertTrue(Set.of("127.0.1.4", "127.0.1.5").containsAll(answers.get("north-america")), answers.toString());
    assertEquals(List.of(SINGAPORE_ADDRESS), answers.get("asia"), answers.toString());

    for (int node = 0; node < 3; node++) {
      assertEquals(answers, dnsAnswers(node), "node " + (node + 1) + " answers DNS from the committed plan");
    }
    for (int i = 0; i < 50; i++) {
      List<String> eu = dns(0, "EU");
      assertFalse(eu.isEmpty());
      assertTrue(EU_ADDRESSES.containsAll(eu), "an EU client got " + eu);
    }
    Message why = ask(0, "_tern." + DemoWorld.HOSTNAME, Type.TXT, CLIENTS.get("EU"));
    assertEquals(Rcode.NOERROR, why.getRcode(), why.toString());
    String text = why.getSection(Section.ANSWER).stream()
        .filter(r -> r instanceof TXTRecord).map(r -> String.join("", ((TXTRecord) r).getStrings()))
        .collect(Collectors.joining(" "));
    assertTrue(text.contains("EU"), "the debug record names the zone: " + text);

    List<Map<String, Object>> backends = getList("/api/v1/backends");
    assertEquals(6, backends.size(), backends.toString());
    Map<String, Object> singapore = backends.stream().filter(b -> b.get("address").equals(SINGAPORE_ADDRESS))
        .findFirst().orElseThrow();
    assertEquals("shop", singapore.get("service"));
    assertEquals("gcp", singapore.get("cloud"));
    assertEquals("asia-southeast1", singapore.get("region"));
    assertEquals("APAC", singapore.get("jurisdiction"));
    assertEquals("HEALTHY", singapore.get("health"));
  }

  @Test
  @Order(2)
  void a_stopped_region_leaves_every_answer_within_three_seconds_and_returns_only_after_the_failback_delay() {
    Instant stopped = Instant.now();
    post("/api/v1/demo/regions/gcp:asia-southeast1/stop", 200);
    Instant restarted;
    try {
      assertFalse(world.regions().status(SINGAPORE).listening());
      awaitDns("Singapore gone from every DNS answer", Duration.ofSeconds(10), 0,
          a -> a.values().stream().noneMatch(l -> l.contains(SINGAPORE_ADDRESS)));
      Duration failover = Duration.between(stopped, Instant.now());
      System.out.printf("stopped region left the answers after %d ms%n", failover.toMillis());
      assertTrue(failover.compareTo(FAILOVER_BOUND) <= 0, "failover took " + failover.toMillis() + " ms");
      assertTrue(answers().values().stream().noneMatch(l -> l.contains(SINGAPORE_ADDRESS)), "and from the plan");
      Map<String, List<String>> during = dnsAnswers(0);
      assertTrue(EU_ADDRESSES.containsAll(during.get("EU")), during.toString());
      assertFalse(during.get("asia").isEmpty(), "asian clients still get an answer: " + during);


      restarted = Instant.now();
      post("/api/v1/demo/regions/gcp:asia-southeast1/start", 200);
    } finally {
      world.regions().start(SINGAPORE);
    }
    awaitDns("Singapore back for asian clients", Duration.ofSeconds(30), 0,
        a -> a.get("asia").contains(SINGAPORE_ADDRESS));
    Duration back = Duration.between(restarted, Instant.now());
    System.out.printf("restarted region back in the answers after %d ms%n", back.toMillis());
    assertTrue(back.compareTo(FAILBACK_DELAY) >= 0, "traffic returned after only " + back.toMillis() + " ms");
  }

  @Test
  @Order(3)
  void with_every_eu_region_down_eu_clients_are_still_answered_only_from_the_eu_and_the_event_says_so() {
    List<String> eu = List.of("aws:eu-central-1", "azure:westeurope", "gcp:europe-west1");
    Instant stopped = Instant.now();
    try {
      for (String r : eu) {
        post("/api/v1/demo/regions/" + r + "/stop", 200);
      }
      awaitPlan("EU failing open", Duration.ofSeconds(10), zones -> mode(zones, "EU").equals("FAIL_OPEN"));
      Map<String, List<String>> answers = dnsAnswers(0);
      assertEquals(answers(), answers, "DNS serves the plan");
      assertFalse(answers.get("EU").isEmpty(), "serve-unhealthy keeps answering: " + answers);
      assertTrue(EU_ADDRESSES.containsAll(answers.get("EU")), "never a non-EU address: " + answers);
      for (String zone : List.of("north-america", "asia", "default")) {
        assertTrue(answers.get(zone).stream().noneMatch(EU_ADDRESSES::contains), zone + ": " + answers);
      }
      // The fail-open can only follow the verdicts (a quorum of vantage points), so its event is
      // certain; a single zone's answer may leave a dead backend earlier, when the zone's nearest
      // vantage point loses its latency measurement, and that move is not recorded as a failover.
      List<Map<String, Object>> events = getList("/api/v1/failovers");
      Map<String, Object> event = events.stream()
          .filter(e -> String.valueOf(e.get("changes")).contains("mode NORMAL -> FAIL_OPEN")).findFirst()
          .orElseThrow(() -> new AssertionError("no event records the fail-open: " + events));
      Instant detected = Instant.parse((String) event.get("detectedAt"));
      Instant decided = Instant.parse((String) event.get("decidedAt"));
      assertTrue(detected.isAfter(stopped), event.toString());
      assertFalse(decided.isBefore(detected), event.toString());
      assertTrue(decided.isBefore(Instant.now()), event.toString());
      assertTrue(String.valueOf(event.get("failed")).contains("UNHEALTHY"), event.toString());
      assertTrue(((List<?>) event.get("seenBy")).size() >= 2, "a quorum saw it: " + event);
    } finally {
      for (String r : eu) {
        post("/api/v1/demo/regions/" + r + "/start", 200);
      }
    }
    awaitAllHealthy();
  }

  @Test
  @Order(4)
  void a_probe_agent_cut_off_from_every_backend_moves_no_traffic() throws InterruptedException {
    Region frankfurt = Region.parse("aws:eu-central-1").orElseThrow();
    awaitPlan("EU back to normal", Duration.ofSeconds(30), zones -> mode(zones, "EU").equals("NORMAL"));
    Map<String, List<String>> before = answers();
    Object version = plan().get("version");
    world.regions().cutOff(frankfurt, true);
    try {
      awaitBackends("the Frankfurt vantage sees every backend down", Duration.ofSeconds(10),
          backends -> backends.stream().allMatch(b -> opinion(b, frankfurt.key()).equals("DOWN")));
      Thread.sleep(3000);
      assertEquals(before, answers(), "one vantage point alone moved traffic");
      assertEquals(before, dnsAnswers(1), "DNS agrees");
      assertEquals(version, plan().get("version"), "no new plan was committed");
      List<Map<String, Object>> backends = getList("/api/v1/backends");
      assertTrue(backends.stream().allMatch(b -> b.get("health").equals("HEALTHY")), backends.toString());
    } finally {
      world.regions().cutOff(frankfurt, false);
    }
  }

  @Test
  @Order(5)
  void failover_completes_when_the_leader_dies_during_the_outage() {
    int leader = world.leader().orElseThrow();
    post("/api/v1/demo/regions/gcp:asia-southeast1/stop", 200);
    world.kill(leader);
    Instant killed = Instant.now();
    int survivor = leader == 0 ? 1 : 0;
    awaitDns("Singapore gone under the new leader", Duration.ofSeconds(15), survivor,
        a -> a.values().stream().noneMatch(l -> l.contains(SINGAPORE_ADDRESS)));
    System.out.printf("failover with a leader crash took %d ms%n", Duration.between(killed, Instant.now()).toMillis());
    await("a new leader", Duration.ofSeconds(10), world::leader, l -> l.isPresent() && l.get() != leader);
    awaitBackends("Singapore's verdict committed under the new leader", Duration.ofSeconds(10),
        backends -> backends.stream().anyMatch(b -> b.get("address").equals(SINGAPORE_ADDRESS)
            && b.get("health").equals("UNHEALTHY")));
  }

  // --- helpers ---

  /** Client zone → the A records node {@code node}'s DNS server answers that zone's client with. */
  private static Map<String, List<String>> dnsAnswers(int node) {
    Map<String, List<String>> out = new LinkedHashMap<>();
    CLIENTS.keySet().forEach(zone -> out.put(zone, dns(node, zone)));
    return out;
  }

  private static List<String> dns(int node, String zone) {
    Message answer = ask(node, DemoWorld.HOSTNAME, Type.A, CLIENTS.get(zone));
    assertEquals(Rcode.NOERROR, answer.getRcode(), answer.toString());
    return answer.getSection(Section.ANSWER).stream().filter(r -> r instanceof ARecord)
        .map(r -> ((ARecord) r).getAddress().getHostAddress()).sorted().toList();
  }

  private static Message ask(int node, String name, int type, Optional<String> subnet) {
    try {
      SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
      resolver.setPort(world.dnsPort(node));
      resolver.setTimeout(Duration.ofSeconds(2));
      Message query = Message.newQuery(Record.newRecord(Name.fromString(name, Name.root), type, DClass.IN));
      List<org.xbill.DNS.EDNSOption> options = subnet
          .map(a -> List.<org.xbill.DNS.EDNSOption>of(new ClientSubnetOption(24, address(a))))
          .orElse(List.of());
      query.addRecord(new OPTRecord(1232, 0, 0, 0, options), Section.ADDITIONAL);
      return resolver.send(query);
    } catch (IOException e) {
      throw new UncheckedIOException("DNS on node " + (node + 1) + ": " + e.getMessage(), e);
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitDns(String what, Duration timeout, int node, Predicate<Map<String, List<String>>> done) {
    await(what, timeout, () -> dnsAnswers(node), done);
  }

  private static Http http() {
    return new Http(world.urls().getFirst());
  }

  private static String viewer() {
    return "Bearer " + world.credentials().viewerToken();
  }

  private static void post(String path, int status) {
    HttpResponse<String> r = http().send("POST", path, null, "", "Authorization",
        "Bearer " + world.credentials().operatorToken());
    assertEquals(status, r.statusCode(), path + " -> " + r.body());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> getList(String path) {
    HttpResponse<String> r = http().get(path, "Authorization", viewer());
    assertEquals(200, r.statusCode(), path + " -> " + r.body());
    return (List<Map<String, Object>>) new Yaml().load(r.body());
  }

  private static Map<String, Object> plan() {
    HttpResponse<String> r = http().get("/api/v1/services/shop/plan", "Authorization", viewer());
    assertEquals(200, r.statusCode(), r.body());
    return new Yaml().load(r.body());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> zones() {
    return (List<Map<String, Object>>) plan().get("zones");
  }

  /** Client zone → the addresses it is answered with, from the plan the API serves. */
  @SuppressWarnings("unchecked")
  private static Map<String, List<String>> answers() {
    return zones().stream().collect(Collectors.toMap(z -> (String) z.get("zone"),
        z -> ((List<Map<String, Object>>) z.get("answers")).stream().map(a -> (String) a.get("address")).sorted().toList()));
  }

  private static String mode(List<Map<String, Object>> zones, String zone) {
    return zones.stream().filter(z -> z.get("zone").equals(zone)).map(z -> (String) z.get("mode")).findFirst()
        .orElse("absent");
  }

  @SuppressWarnings("unchecked")
  private static String opinion(Map<String, Object> backend, String vantage) {
    return ((List<Map<String, Object>>) backend.get("evidence")).stream()
        .filter(e -> e.get("vantage").equals(vantage)).map(e -> (String) e.get("opinion")).findFirst().orElse("none");
  }

  private static void awaitPlan(String what, Duration timeout, Predicate<List<Map<String, Object>>> done) {
    await(what, timeout, DemoWorldTest::zones, done);
  }

  private static void awaitBackends(String what, Duration timeout, Predicate<List<Map<String, Object>>> done) {
    await(what, timeout, () -> getList("/api/v1/backends"), done);
  }

  private static void awaitAllHealthy() {
    awaitBackends("every backend healthy", Duration.ofSeconds(20),
        backends -> backends.stream().allMatch(b -> b.get("health").equals("HEALTHY")));
  }

  /** Polls every 50 ms; returns how long it took. */
  private static <T> Duration await(String what, Duration timeout, java.util.function.Supplier<T> read,
      Predicate<T> done) {
    Instant start = Instant.now();
    Instant deadline = start.plus(timeout);
    T last = read.get();
    while (!done.test(last)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last: " + last);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = read.get();
    }
    return Duration.between(start, Instant.now());
  }
}
