package dev.tern.controlplane.provider.clouddns;

import static dev.tern.controlplane.provider.clouddns.CloudDnsTranslationTest.answer;
import static dev.tern.controlplane.provider.clouddns.CloudDnsTranslationTest.plan;
import static dev.tern.controlplane.provider.clouddns.CloudDnsTranslationTest.zone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.auth.oauth2.AccessToken;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.gson.JsonObject;
import dev.tern.controlplane.provider.Provider;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Cloud DNS provider through the real generated Google API client against {@link FakeCloudDns}
 * on loopback: a plan applied and read back, a dry run, a failover, a restart, a hand edit, record
 * sets Tern did not create, throttling and errors. Every test also asserts that the fake saw only
 * documented request shapes.
 */
class CloudDnsProviderTest {

  static final String HOST = "shop.gslb.example.com.";

  FakeCloudDns fake;

  @BeforeEach
  void start() {
    fake = FakeCloudDns.start();
  }

  @AfterEach
  void stop() {
    assertEquals(List.of(), fake.rejected(), "the fake saw only documented request shapes");
    fake.close();
  }

  SdkCloudDnsApi api() {
    return new SdkCloudDnsApi(CloudDnsSettings.dns(fake.uri(),
        GoogleCredentials.create(new AccessToken(FakeCloudDns.ACCESS_TOKEN, null))));
  }

  CloudDnsProvider provider(CloudDnsDiff.Policy policy) {
    return new CloudDnsProvider("cloud-dns-test", FakeCloudDns.PROJECT, FakeCloudDns.ZONE, "tern-test", policy, api(),
        Duration.ofMillis(10), 200);
  }

  static RoutingPlan plan(long version, String euBackend, String euAddress) {
    return CloudDnsTranslationTest.plan(version,
        zone("EU", answer(euBackend, euAddress, 700), answer("gcp-belgium", "192.0.2.30", 300)),
        zone("north-america", answer("iad", "198.51.100.10", 1000)),
        zone("default", answer("iad", "198.51.100.10", 1000)));
  }

  static List<String> said(Provider.Result r) {
    return r.changes().stream().map(c -> c.action() + " " + c.what().substring(0, c.what().indexOf(' ',
        c.what().indexOf(' ') + 1))).toList();
  }

  @Test
  void a_plan_applied_through_the_sdk_is_what_the_fake_holds_and_reads_back_as_the_plan() {
    Provider.Result first = provider(CloudDnsDiff.Policy.SYNC).reconcile(plan(1, "fra", "192.0.2.10"), true, false);
    assertTrue(first.applied());
    assertEquals(List.of("create shop.gslb.example.com. CNAME", "create tern-owner.shop.gslb.example.com. TXT",
        "create z-default.shop.gslb.example.com. A", "create z-eu.shop.gslb.example.com. A",
        "create z-north-america.shop.gslb.example.com. A"), said(first));

    JsonObject host = fake.recordSet(HOST, "CNAME").orElseThrow();
    assertEquals(30, host.get("ttl").getAsInt());
    JsonObject geo = host.getAsJsonObject("routingPolicy").getAsJsonObject("geo");
    assertTrue(geo.get("enableFencing").getAsBoolean(), "fenced: the service has residency rules");
    Map<String, String> items = new java.util.HashMap<>();
    geo.getAsJsonArray("items").forEach(i -> items.put(i.getAsJsonObject().get("location").getAsString(),
        i.getAsJsonObject().getAsJsonArray("rrdatas").get(0).getAsString()));
    assertEquals("z-eu." + HOST, items.get("europe-west3"));
    assertEquals("z-north-america." + HOST, items.get("us-east4"));
    assertEquals("z-default." + HOST, items.get("asia-northeast1"));

    JsonObject eu = fake.recordSet("z-eu." + HOST, "A").orElseThrow();
    Map<String, Double> weights = new java.util.HashMap<>();
    eu.getAsJsonObject("routingPolicy").getAsJsonObject("wrr").getAsJsonArray("items").forEach(i -> weights.put(
        i.getAsJsonObject().getAsJsonArray("rrdatas").get(0).getAsString(), i.getAsJsonObject().get("weight")
            .getAsDouble()));
    assertEquals(Map.of("192.0.2.10", 700.0, "192.0.2.30", 300.0), weights);
    assertEquals("[\"198.51.100.10\"]", fake.recordSet("z-north-america." + HOST, "A").orElseThrow()
        .get("rrdatas").toString());
    assertEquals("[\"\\\"heritage=tern,tern/owner=tern-test,tern/service=shop\\\"\"]",
        fake.recordSet("tern-owner." + HOST, "TXT").orElseThrow().get("rrdatas").toString());

    fake.pageSize(2);
    assertEquals(new java.util.HashSet<>(CloudDnsTranslation.records(plan(1, "fra", "192.0.2.10"), true, "tern-test")),
        new java.util.HashSet<>(api().list(FakeCloudDns.PROJECT, FakeCloudDns.ZONE)), "read back across pages");
    assertTrue(fake.requests().stream().anyMatch(r -> r.contains("rrsets?pageToken=")), fake.requests().toString());
    assertTrue(fake.requests().stream().anyMatch(r -> r.startsWith("GET /dns/v1/projects/tern-test/managedZones/gslb"
        + "/changes/1 ")), "the change was followed");
  }

  @Test
  void a_dry_run_changes_nothing_and_says_what_the_run_then_does_a_failover_exactly_that_and_a_restart_nothing() {
    CloudDnsProvider provider = provider(CloudDnsDiff.Policy.SYNC);
    provider.reconcile(plan(1, "fra", "192.0.2.10"), true, false);
    Map<String, JsonObject> before = fake.recordSets();
    int changes = fake.changes();

    Provider.Result dry = provider.reconcile(plan(2, "ams", "192.0.2.20"), true, true);
    assertFalse(dry.applied());
    assertEquals(before, fake.recordSets(), "a dry run changes nothing");
    assertEquals(changes, fake.changes());

    Provider.Result failover = provider.reconcile(plan(2, "ams", "192.0.2.20"), true, false);
    assertEquals(List.of(new Provider.Change("update",
        "z-eu.shop.gslb.example.com. A wrr 700:192.0.2.20,300:192.0.2.30 ttl 30")), failover.changes());
    assertEquals(dry.changes(), failover.changes(), "the dry run said what the run then did");
    assertEquals(changes + 1, fake.changes(), "one atomic change");
    assertFalse(failover.drift());

    CloudDnsProvider restarted = provider(CloudDnsDiff.Policy.SYNC);
    Provider.Result again = restarted.reconcile(plan(2, "ams", "192.0.2.20"), true, false);
    assertEquals(List.of(), again.changes(), "idempotent across a restart");
    assertFalse(again.applied());
    assertEquals(changes + 1, fake.changes());
  }

  @Test
  void a_hand_edit_is_drift_and_corrected() {
    CloudDnsProvider provider = provider(CloudDnsDiff.Policy.SYNC);
    provider.reconcile(plan(1, "fra", "192.0.2.10"), true, false);
    fake.remove("z-north-america." + HOST, "A");
    fake.put("{\"name\":\"z-north-america." + HOST + "\",\"type\":\"A\",\"ttl\":300,\"rrdatas\":[\"203.0.113.66\"]}");

    Provider.Result drift = provider.reconcile(plan(1, "fra", "192.0.2.10"), true, false);
    assertTrue(drift.drift(), "a change for a plan version already applied is drift");
    assertEquals(List.of(new Provider.Change("update", "z-north-america.shop.gslb.example.com. A 198.51.100.10 ttl 30")),
        drift.changes());
    assertEquals("[\"198.51.100.10\"]", fake.recordSet("z-north-america." + HOST, "A").orElseThrow().get("rrdatas")
        .toString());
    assertEquals(List.of(), provider.reconcile(plan(1, "fra", "192.0.2.10"), true, false).changes(), "corrected");
  }

  @Test
  void record_sets_tern_did_not_create_are_refused_and_left_alone() {
    fake.put("{\"name\":\"api.gslb.example.com.\",\"type\":\"A\",\"ttl\":60,\"rrdatas\":[\"203.0.113.99\"]}");
    RoutingPlan api = new RoutingPlan("api", "api.gslb.example.com", 1, 1, 30, CloudDnsTranslationTest.T, List.of(),
        List.of(zone("default", answer("iad", "198.51.100.10", 1000))));
    CloudDnsProvider.OwnershipException refused = assertThrows(CloudDnsProvider.OwnershipException.class,
        () -> provider(CloudDnsDiff.Policy.SYNC).reconcile(api, false, false));
    assertTrue(refused.getMessage().contains("api.gslb.example.com. has record sets Tern did not create"
        + " (api.gslb.example.com. A)"), refused.getMessage());
    assertEquals("[\"203.0.113.99\"]", fake.recordSet("api.gslb.example.com.", "A").orElseThrow().get("rrdatas")
        .toString(), "the foreign record set is still there");
    assertEquals(0, fake.changes());

    fake.put("{\"name\":\"tern-owner." + HOST + "\",\"type\":\"TXT\",\"ttl\":300,"
        + "\"rrdatas\":[\"\\\"heritage=tern,tern/owner=someone-else,tern/service=shop\\\"\"]}");
    CloudDnsProvider.OwnershipException theirs = assertThrows(CloudDnsProvider.OwnershipException.class,
        () -> provider(CloudDnsDiff.Policy.SYNC).reconcile(plan(1, "fra", "192.0.2.10"), true, false));
    assertTrue(theirs.getMessage().contains("is marked as someone else's"), theirs.getMessage());
    assertEquals(0, fake.changes());
  }

  @Test
  void upsert_only_never_deletes() {
    CloudDnsProvider provider = provider(CloudDnsDiff.Policy.UPSERT_ONLY);
    provider.reconcile(CloudDnsTranslationTest.plan(1, zone("asia", answer("sin", "203.0.113.10", 1000)),
        zone("default", answer("iad", "198.51.100.10", 1000))), false, false);
    Provider.Result r = provider.reconcile(CloudDnsTranslationTest.plan(2,
        zone("default", answer("iad", "198.51.100.10", 1000))), false, false);
    assertEquals(List.of("update shop.gslb.example.com. CNAME"), said(r));
    assertTrue(fake.recordSet("z-asia." + HOST, "A").isPresent(), "kept");
  }

  @Test
  void throttling_and_server_errors_are_retried_to_success() {
    CloudDnsProvider provider = provider(CloudDnsDiff.Policy.SYNC);
    fake.failNext(429, 2);
    assertTrue(provider.reconcile(plan(1, "fra", "192.0.2.10"), true, false).applied());
    fake.failNext(503, 2);
    assertTrue(provider.reconcile(plan(2, "ams", "192.0.2.20"), true, false).applied());
    fake.failNext(500, 1);
    assertEquals(List.of(), provider.reconcile(plan(2, "ams", "192.0.2.20"), true, false).changes());
    List<String> log = fake.requests();
    assertEquals(2, log.stream().filter(l -> l.endsWith("-> 429")).count(), log.toString());
    assertEquals(2, log.stream().filter(l -> l.endsWith("-> 503")).count(), log.toString());
    assertEquals(2, fake.changes());
    assertTrue(fake.recordSet("z-eu." + HOST, "A").orElseThrow().toString().contains("192.0.2.20"));
  }

  @Test
  void a_refusal_is_not_retried() {
    CloudDnsProvider provider = provider(CloudDnsDiff.Policy.SYNC);
    fake.failNext(403, 1);
    CloudDnsApi.ApiException refused = assertThrows(CloudDnsApi.ApiException.class,
        () -> provider.reconcile(plan(1, "fra", "192.0.2.10"), true, false));
    assertFalse(refused.retryable());
    assertEquals(403, refused.status());
    assertEquals(1, fake.requests().size(), "asked once");
  }

  @Test
  void a_deletion_that_does_not_match_the_record_set_as_it_is_is_refused_with_412_and_nothing_changes() {
    SdkCloudDnsApi api = api();
    CloudDnsRecord a = CloudDnsRecord.plain("a.gslb.example.com.", "A", 30, List.of("192.0.2.1"));
    CloudDnsRecord b = CloudDnsRecord.plain("b.gslb.example.com.", "A", 30, List.of("192.0.2.2"));
    api.change(FakeCloudDns.PROJECT, FakeCloudDns.ZONE, List.of(), List.of(a));
    CloudDnsApi.ApiException stale = assertThrows(CloudDnsApi.ApiException.class, () -> api.change(FakeCloudDns.PROJECT,
        FakeCloudDns.ZONE, List.of(CloudDnsRecord.plain("a.gslb.example.com.", "A", 60, List.of("192.0.2.1"))),
        List.of(b)));
    assertEquals(412, stale.status());
    assertFalse(stale.retryable());
    assertTrue(stale.getMessage().contains("conditionNotMet"), stale.getMessage());
    CloudDnsApi.ApiException exists = assertThrows(CloudDnsApi.ApiException.class,
        () -> api.change(FakeCloudDns.PROJECT, FakeCloudDns.ZONE, List.of(), List.of(a)));
    assertEquals(409, exists.status());
    assertTrue(fake.recordSet("b.gslb.example.com.", "A").isEmpty(), "a refused change applies nothing");
  }

  @Test
  void cannot_express_reasons_come_from_the_provider() {
    assertEquals(List.of(), provider(CloudDnsDiff.Policy.SYNC).cannotExpress(CloudDnsTranslationTest.service()));
    List<String> reasons = provider(CloudDnsDiff.Policy.SYNC).cannotExpress(CloudDnsTranslationTest.service(
        "clientZones: [EU, north-america, asia]", "clientZones: [EU, north-america, asia, LU]"));
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.getFirst().contains("client zone LU is bound by residency"), reasons.getFirst());
  }

  @Test
  void an_account_opened_from_its_entry_reaches_the_fake() throws Exception {
    Map<String, Object> entry = Map.of("name", "gcp", "project", FakeCloudDns.PROJECT, "managed-zone", FakeCloudDns.ZONE,
        "services", List.of("shop"), "endpoint", fake.uri().toString(), "access-token", FakeCloudDns.ACCESS_TOKEN,
        "requests-per-second", "100");
    try (Provider p = CloudDnsSettings.parse("tern.providers.cloud-dns[0]", entry).open()) {
      assertEquals("cloud-dns", p.kind());
      assertTrue(p.reconcile(CloudDnsTranslationTest.service(), plan(1, "fra", "192.0.2.10"), false).applied());
    }
    assertTrue(fake.recordSet(HOST, "CNAME").isPresent());
  }
}
