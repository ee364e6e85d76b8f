package dev.tern.controlplane.provider.azure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.ProviderException;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import dev.tern.policy.yaml.PolicyParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Traffic Manager provider through the real Azure SDK (JDK HTTP client, api-version
 * 2022-04-01) against {@link FakeTrafficManager} on loopback: a plan applied and read back, a dry
 * run changing nothing, a failover changing exactly what moved, a restart changing nothing, a hand
 * edit found as drift and corrected, profiles Tern did not create left alone, throttling and 5xx
 * retried, a refusal not retried. Every test ends with the fake having rejected nothing.
 */
class AzureProviderTest {

  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
  static final String SUB = "00000000-0000-0000-0000-000000000001";
  static final String IP_ID = "/subscriptions/" + SUB + "/resourceGroups/net/providers/Microsoft.Network"
      + "/publicIPAddresses/azure-amsterdam";
  static final AtomicInteger RUN = new AtomicInteger();

  static FakeTrafficManager fake;
  static Service shop;

  String group;
  String prefix;
  AzureSettings.Account account;
  AzureProvider provider;

  @BeforeAll
  static void start() throws IOException {
    fake = FakeTrafficManager.start();
    try (InputStream in = AzureProviderTest.class.getResourceAsStream("/demo/shop.yaml")) {
      String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("BACKEND_PORT", "8080");
      shop = new PolicyParser().parse(yaml).policy().orElseThrow().services().getFirst();
    }
  }

  @AfterAll
  static void stop() {
    fake.close();
  }

  @BeforeEach
  void open() {
    int run = RUN.incrementAndGet();
    group = "rg-tern-" + run;
    prefix = "t" + run;
    account = account(Map.of());
    provider = new AzureProvider(account, account.api(), Duration.ofMillis(5));
  }

  @AfterEach
  void nothingRejected() {
    provider.close();
    assertEquals(List.of(), fake.rejected(), "requests the documented API would refuse");
  }

  AzureSettings.Account account(Map<String, Object> extra) {
    Map<String, Object> e = new HashMap<>(Map.of("name", "azure-test", "subscription-id", SUB, "resource-group", group,
        "services", List.of("shop"), "endpoint", fake.uri().toString(), "access-token", "test-token",
        "dns-prefix", prefix, "azure-endpoints", Map.of("azure-amsterdam", IP_ID), "requests-per-second", "1000"));
    e.putAll(extra);
    return AzureSettings.parse("tern.providers.azure-traffic-manager[0]", e);
  }

  static ZoneAnswer zone(String key, WeightedAnswer... answers) {
    return new ZoneAnswer(ClientZone.parse(key).orElseThrow(), ZoneAnswer.Mode.NORMAL, List.of(answers), List.of("t"));
  }

  static WeightedAnswer answer(String backend, String address, int weight) {
    return new WeightedAnswer(backend, address, weight, WeightedAnswer.Standing.HEALTHY);
  }

  static RoutingPlan plan(long version, ZoneAnswer... zones) {
    return new RoutingPlan("shop", "shop.example.com", version, 1, 30, T, List.of(), List.of(zones));
  }

  static RoutingPlan normal(long version) {
    return plan(version,
        zone("EU", answer("aws-frankfurt", "192.0.2.10", 700), answer("azure-amsterdam", "192.0.2.20", 300)),
        zone("north-america", answer("aws-virginia", "198.51.100.10", 1000)),
        zone("default", answer("aws-virginia", "198.51.100.10", 1000)));
  }

  JsonNode stored(String name) {
    return fake.profile(SUB, group, name).orElseThrow(() -> new AssertionError("no profile " + name));
  }

  static JsonNode endpoint(JsonNode profile, String name) {
    for (JsonNode e : profile.at("/properties/endpoints")) {
      if (e.get("name").asText().equals(name)) {
        return e;
      }
    }
    throw new AssertionError("no endpoint " + name + " in " + profile.get("name"));
  }

  @Test
  void a_plan_is_applied_and_read_back_from_azure_as_nested_geographic_and_weighted_profiles() {
    Provider.Result r = provider.reconcile(shop, normal(1), false);
    assertTrue(r.applied());
    assertFalse(r.drift());
    assertEquals(4, r.changes().size(), "four profiles created whole: " + r.changes());
    assertEquals(Set.of("tern-shop", "tern-shop-eu", "tern-shop-north-america", "tern-shop-default"),
        fake.profileNames(SUB, group));

    JsonNode parent = stored("tern-shop");
    assertEquals("Geographic", parent.at("/properties/trafficRoutingMethod").asText());
    assertEquals(prefix + "-shop.trafficmanager.net", parent.at("/properties/dnsConfig/fqdn").asText());
    assertEquals(30, parent.at("/properties/dnsConfig/ttl").asInt());
    assertEquals("tern", parent.at("/tags/tern-owner").asText());
    JsonNode eu = endpoint(parent, "zone-eu");
    assertEquals("Microsoft.Network/trafficManagerProfiles/nestedEndpoints", eu.get("type").asText());
    assertTrue(eu.at("/properties/targetResourceId").asText().endsWith("/tern-shop-eu"));
    assertEquals(30, eu.at("/properties/geoMapping").size());
    assertEquals("WORLD", endpoint(parent, "zone-default").at("/properties/geoMapping/0").asText());

    JsonNode child = stored("tern-shop-eu");
    assertEquals("Weighted", child.at("/properties/trafficRoutingMethod").asText());
    JsonNode fra = endpoint(child, "aws-frankfurt");
    assertEquals("192.0.2.10", fra.at("/properties/target").asText());
    assertEquals(700, fra.at("/properties/weight").asInt());
    assertEquals("Enabled", fra.at("/properties/alwaysServe").asText());
    JsonNode ams = endpoint(child, "azure-amsterdam");
    assertEquals("Microsoft.Network/trafficManagerProfiles/azureEndpoints", ams.get("type").asText());
    assertTrue(ams.at("/properties/targetResourceId").asText().equalsIgnoreCase(IP_ID));

    Provider.Result again = provider.reconcile(shop, normal(1), false);
    assertEquals(List.of(), again.changes(), "the same plan again changes nothing");
    assertFalse(again.drift());
  }

  @Test
  void a_dry_run_says_what_it_would_do_and_changes_nothing() {
    int before = fake.requests();
    Provider.Result dry = provider.reconcile(shop, normal(1), true);
    assertFalse(dry.applied());
    assertEquals(4, dry.changes().size());
    assertTrue(dry.changes().stream().allMatch(c -> c.action().equals("create")));
    assertEquals(Set.of(), fake.profileNames(SUB, group));
    assertEquals(before + 1, fake.requests(), "one list, no writes");
    assertEquals(dry.changes(), provider.reconcile(shop, normal(1), false).changes(), "the run then does what it said");
  }

  @Test
  void a_failover_changes_exactly_the_endpoints_that_moved_and_a_restarted_provider_changes_nothing() {
    provider.reconcile(shop, normal(1), false);
    RoutingPlan failover = plan(2,
        zone("EU", answer("azure-amsterdam", "192.0.2.20", 1000)),
        zone("north-america", answer("aws-virginia", "198.51.100.10", 1000)),
        zone("default", answer("aws-virginia", "198.51.100.10", 1000)));
    int before = fake.requests();
    Provider.Result r = provider.reconcile(shop, failover, false);
    assertEquals(List.of(
        "delete endpoint tern-shop-eu/externalEndpoints aws-frankfurt -> 192.0.2.10 weight 700",
        "update endpoint tern-shop-eu/azureEndpoints azure-amsterdam -> " + IP_ID.toLowerCase() + " weight 1000"
            + " (was azureEndpoints azure-amsterdam -> " + IP_ID.toLowerCase() + " weight 300)"),
        r.changes().stream().map(Provider.Change::toString).toList());
    assertEquals(before + 3, fake.requests(), "one list and two endpoint calls");
    assertEquals(1, stored("tern-shop-eu").at("/properties/endpoints").size());

    AzureProvider restarted = new AzureProvider(account, account.api(), Duration.ofMillis(5));
    Provider.Result again = restarted.reconcile(shop, failover, false);
    assertEquals(List.of(), again.changes());
    assertFalse(again.drift());
  }

  @Test
  void a_hand_edit_is_drift_and_is_corrected() {
    provider.reconcile(shop, normal(1), false);
    fake.edit(SUB, group, "tern-shop-eu", p -> {
      for (JsonNode e : p.at("/properties/endpoints")) {
        if (e.get("name").asText().equals("aws-frankfurt")) {
          ((ObjectNode) e.get("properties")).put("weight", 5).put("alwaysServe", "Disabled");
        }
      }
      ((ObjectNode) p.at("/properties/dnsConfig")).put("ttl", 3600);
    });
    Provider.Result r = provider.reconcile(shop, normal(1), false);
    assertTrue(r.drift());
    assertTrue(r.applied());
    assertEquals(List.of("update", "update"), r.changes().stream().map(Provider.Change::action).toList(), r.changes()
        .toString());
    JsonNode fra = endpoint(stored("tern-shop-eu"), "aws-frankfurt");
    assertEquals(700, fra.at("/properties/weight").asInt());
    assertEquals("Enabled", fra.at("/properties/alwaysServe").asText());
    assertEquals(30, stored("tern-shop-eu").at("/properties/dnsConfig/ttl").asInt());
    assertEquals(List.of(), provider.reconcile(shop, normal(1), false).changes());
  }

  @Test
  void a_profile_tern_did_not_create_is_refused_and_left_alone() {
    fake.addProfile(SUB, group, "tern-shop-eu", Map.of("team", "payments"), prefix + "-theirs");
    int before = fake.requests();
    AzureProvider.OwnershipException e = assertThrows(AzureProvider.OwnershipException.class,
        () -> provider.reconcile(shop, normal(1), false));
    assertTrue(e.getMessage().contains("tern-shop-eu") && e.getMessage().contains("no tern-owner tag"), e.getMessage());
    assertEquals(before + 1, fake.requests(), "it only read");
    assertEquals(Set.of("tern-shop-eu"), fake.profileNames(SUB, group));
    assertEquals("payments", stored("tern-shop-eu").at("/tags/team").asText());

    fake.addProfile(SUB, group, "tern-other", Map.of("tern-owner", "someone-else", "tern-service", "shop"),
        prefix + "-other");
    AzureProvider.OwnershipException other = assertThrows(AzureProvider.OwnershipException.class,
        () -> provider.reconcile(shop, normal(1), false));
    assertTrue(other.getMessage().contains("tern-shop-eu"), other.getMessage());
  }

  @Test
  void profiles_of_another_owner_beside_ours_are_never_touched() {
    fake.addProfile(SUB, group, "tern-legacy", Map.of("tern-owner", "someone-else", "tern-service", "shop"),
        prefix + "-legacy");
    provider.reconcile(shop, normal(1), false);
    provider.reconcile(shop, plan(2, zone("default", answer("aws-virginia", "198.51.100.10", 1000))), false);
    assertEquals(Set.of("tern-legacy", "tern-shop", "tern-shop-default"), fake.profileNames(SUB, group),
        "ours that the plan no longer needs are deleted, theirs stays");
  }

  @Test
  void upsert_only_never_deletes() {
    AzureSettings.Account upsert = account(Map.of("policy", "upsert-only"));
    AzureProvider p = new AzureProvider(upsert, upsert.api(), Duration.ofMillis(5));
    p.reconcile(shop, normal(1), false);
    RoutingPlan smaller = plan(2, zone("default", answer("aws-virginia", "198.51.100.10", 1000)));
    Provider.Result r = p.reconcile(shop, smaller, false);
    assertTrue(r.changes().stream().noneMatch(c -> c.action().equals("delete")), r.changes().toString());
    assertEquals(4, fake.profileNames(SUB, group).size());
  }

  @Test
  void a_zone_answering_nothing_disables_its_child_so_azure_answers_nodata_there() {
    provider.reconcile(shop, normal(1), false);
    provider.reconcile(shop, plan(2, new ZoneAnswer(ClientZone.EU, ZoneAnswer.Mode.NO_ANSWER, List.of(), List.of("r")),
        zone("north-america", answer("aws-virginia", "198.51.100.10", 1000)),
        zone("default", answer("aws-virginia", "198.51.100.10", 1000))), false);
    JsonNode eu = stored("tern-shop-eu");
    assertEquals("Disabled", eu.at("/properties/profileStatus").asText());
    assertEquals(0, eu.at("/properties/endpoints").size());
    assertEquals("Enabled", endpoint(stored("tern-shop"), "zone-eu").at("/properties/endpointStatus").asText());
  }

  @Test
  void throttling_and_server_errors_are_retried_to_success() {
    fake.failNext(429, 2);
    Provider.Result r = provider.reconcile(shop, normal(1), false);
    assertTrue(r.applied());
    fake.failNext(503, 1);
    provider.reconcile(shop, plan(2, zone("default", answer("aws-virginia", "198.51.100.10", 1000))), false);
    assertEquals(Set.of("tern-shop", "tern-shop-default"), fake.profileNames(SUB, group));
    List<String> failed = new ArrayList<>(fake.requestLog().stream().filter(l -> l.endsWith("429") || l.endsWith("503"))
        .toList());
    assertEquals(3, failed.size(), failed.toString());
  }

  @Test
  void a_refusal_is_not_retried() {
    fake.failNext(400, 1);
    int before = fake.requests();
    ProviderException e = assertThrows(ProviderException.class, () -> provider.reconcile(shop, normal(1), false));
    assertFalse(e.retryable());
    assertEquals(before + 1, fake.requests(), "tried once");
    assertTrue(e.getMessage().contains("BadRequest"), e.getMessage());
  }

  @Test
  void what_azure_cannot_express_is_said_readably() {
    assertEquals(List.of(), provider.cannotExpress(shop));
    Service sahara = new Service(shop.name(), shop.hostname(), shop.ttl(), shop.backends(), shop.routing(),
        shop.residency(), shop.health(), shop.guardrails(), shop.demand(),
        List.of(ClientZone.parse("EH").orElseThrow(), ClientZone.EU));
    List<String> reasons = provider.cannotExpress(sahara);
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.getFirst().contains("EH") && reasons.getFirst().contains("no code"), reasons.getFirst());
  }
}
