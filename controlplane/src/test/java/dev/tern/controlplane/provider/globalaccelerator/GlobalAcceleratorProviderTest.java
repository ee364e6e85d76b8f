package dev.tern.controlplane.provider.globalaccelerator;

import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.FRA_ALB;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.IAD_EC2;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.IAD_NLB;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.SIN_EIP;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.answer;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.backend;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.plan;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.service;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.shop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.provider.Provider;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Global Accelerator provider through the real AWS SDK (JSON 1.1, SigV4, UrlConnection client)
 * against {@link FakeGlobalAccelerator} on loopback: a plan applied and read back, a dry run, a
 * failover changing exactly what moved, a restart changing nothing, a hand edit found as drift and
 * corrected, an unowned accelerator refused and left alone, throttling and 5xx retried, a refusal
 * not retried. Every test ends with the fake having rejected nothing.
 */
class GlobalAcceleratorProviderTest {

  FakeGlobalAccelerator fake;
  String accelerator;
  String listener;

  @BeforeEach
  void start() {
    fake = FakeGlobalAccelerator.start();
    accelerator = fake.createAccelerator("shop",
        Map.of(GlobalAcceleratorProvider.OWNER_TAG, "tern-test", "team", "sre"));
    listener = fake.createListener(accelerator);
  }

  @AfterEach
  void stop() {
    assertEquals(List.of(), fake.rejected(), "every request matched the documented API shapes");
    fake.close();
  }

  /** The account as configuration gives it, pointed at the fake. */
  GlobalAcceleratorSettings.Account account(String policy, Map<String, String> endpoints) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("name", "ga-test");
    e.put("accelerator-arn", accelerator);
    e.put("listener-arn", listener);
    e.put("services", List.of("shop"));
    e.put("endpoints", endpoints);
    e.put("owner", "tern-test");
    e.put("policy", policy);
    e.put("endpoint", fake.uri().toString());
    e.put("region", FakeGlobalAccelerator.REGION);
    e.put("access-key-id", FakeGlobalAccelerator.ACCESS_KEY_ID);
    e.put("secret-access-key", FakeGlobalAccelerator.SECRET_ACCESS_KEY);
    return GlobalAcceleratorSettings.parse("tern.providers.global-accelerator[0]", e);
  }

  GlobalAcceleratorProvider provider() {
    return provider("sync");
  }

  GlobalAcceleratorProvider provider(String policy) {
    return account(policy, GaFixtures.ENDPOINTS).provider(Duration.ofMillis(10));
  }

  /** The fake's groups of the listener: region to dial and weights. */
  Map<String, String> state() {
    Map<String, String> out = new LinkedHashMap<>();
    fake.endpointGroups(listener).forEach(g -> out.put(g.region(),
        (int) g.trafficDial() + " " + new java.util.TreeMap<>(g.weights())));
    return out;
  }

  static RoutingPlan normal(long version) {
    return plan(version, answer("fra", 500), answer("iad", 500));
  }

  static RoutingPlan fraDown(long version) {
    return plan(version, answer("iad", 1000));
  }

  @Test
  void a_plan_is_applied_and_read_back_from_the_listener() {
    try (GlobalAcceleratorProvider p = provider()) {
      Provider.Result r = p.reconcile(shop(), normal(1), false);
      assertTrue(r.applied());
      assertEquals(3, r.changes().size());
      assertTrue(r.changes().stream().allMatch(c -> c.action().equals("create")), r.changes().toString());
    }
    assertEquals(Map.of(
        "ap-southeast-1", "0 {" + SIN_EIP + "=0}",
        "eu-central-1", "100 {" + FRA_ALB + "=128}",
        "us-east-1", "100 {" + IAD_NLB + "=128, " + IAD_EC2 + "=0}"), state());
    assertEquals(3, fake.requests("CreateEndpointGroup"));
  }

  @Test
  void a_dry_run_changes_nothing_and_says_what_the_run_then_does() {
    try (GlobalAcceleratorProvider p = provider()) {
      p.reconcile(shop(), normal(1), false);
      Map<String, String> before = state();
      Provider.Result dry = p.reconcile(shop(), fraDown(2), true);
      assertFalse(dry.applied());
      assertEquals(before, state(), "a dry run changes nothing");
      assertEquals(0, fake.requests("UpdateEndpointGroup"));
      Provider.Result run = p.reconcile(shop(), fraDown(2), false);
      assertEquals(dry.changes(), run.changes(), "the dry run said what the run then did");
    }
  }

  @Test
  void a_failover_dials_the_failed_region_down_after_raising_the_other_and_changes_nothing_else() {
    try (GlobalAcceleratorProvider p = provider()) {
      p.reconcile(shop(), normal(1), false);
      int before = fake.requests().size();
      Provider.Result failover = p.reconcile(shop(), fraDown(2), false);
      assertEquals(List.of(
          "update endpoint-group us-east-1 dial 100 [iad=255, iad2=0] (was dial 100 [iad=128, iad2=0])",
          "update endpoint-group eu-central-1 dial 0 [fra=0] (was dial 100 [fra=128])"),
          failover.changes().stream().map(Provider.Change::toString).toList());
      assertFalse(failover.drift(), "a new plan version is not drift");
      List<String> calls = fake.requests().subList(before, fake.requests().size()).stream()
          .map(FakeGlobalAccelerator.Request::operation).toList();
      assertEquals(List.of("ListTagsForResource", "ListEndpointGroups", "UpdateEndpointGroup", "UpdateEndpointGroup"),
          calls, "two reads, then one call per group that moved");
    }
    assertEquals("0 {" + FRA_ALB + "=0}", state().get("eu-central-1"));
    assertEquals("100 {" + IAD_NLB + "=255, " + IAD_EC2 + "=0}", state().get("us-east-1"));
    assertEquals("0 {" + SIN_EIP + "=0}", state().get("ap-southeast-1"));
  }

  @Test
  void a_restarted_provider_finds_nothing_to_change() {
    try (GlobalAcceleratorProvider p = provider()) {
      p.reconcile(shop(), normal(1), false);
    }
    int before = fake.requests().size();
    try (GlobalAcceleratorProvider restarted = provider()) {
      Provider.Result r = restarted.reconcile(shop(), normal(1), false);
      assertEquals(List.of(), r.changes(), "idempotent");
      assertFalse(r.applied());
      assertFalse(r.drift());
    }
    assertEquals(List.of("ListTagsForResource", "ListEndpointGroups"), fake.requests().subList(before,
        fake.requests().size()).stream().map(FakeGlobalAccelerator.Request::operation).toList(), "reads only");
  }

  @Test
  void every_page_of_endpoint_groups_is_read() {
    try (GlobalAcceleratorProvider p = provider()) {
      p.reconcile(shop(), normal(1), false);
      fake.pageSize(1);
      long lists = fake.requests("ListEndpointGroups");
      assertEquals(List.of(), p.reconcile(shop(), normal(1), false).changes(), "all three groups were seen");
      assertEquals(3, fake.requests("ListEndpointGroups") - lists, "one page per group");
    }
  }

  @Test
  void a_hand_edit_is_found_as_drift_and_corrected() {
    try (GlobalAcceleratorProvider p = provider()) {
      p.reconcile(shop(), normal(1), false);
      // Someone dials Frankfurt down in the console, and gives the EC2 instance weight.
      fake.handEdit(listener, "eu-central-1", 40, null);
      fake.handEdit(listener, "us-east-1", 100, Map.of(IAD_NLB, 128, IAD_EC2, 200));
      Provider.Result drift = p.reconcile(shop(), normal(1), false);
      assertTrue(drift.drift(), "a change for a plan version already applied is drift");
      assertTrue(drift.applied());
      assertEquals(List.of(
          "update endpoint-group eu-central-1 dial 100 [fra=128] (was dial 40 [fra=128])",
          "update endpoint-group us-east-1 dial 100 [iad=128, iad2=0] (was dial 100 [iad=128, iad2=200])"),
          drift.changes().stream().map(Provider.Change::toString).toList());
      assertEquals("100 {" + FRA_ALB + "=128}", state().get("eu-central-1"));
      Provider.Result again = p.reconcile(shop(), normal(1), false);
      assertEquals(List.of(), again.changes(), "corrected");
      assertFalse(again.drift());
    }
  }

  @Test
  void an_accelerator_without_the_owner_tag_is_refused_and_left_alone() {
    fake.setTags(accelerator, Map.of("team", "sre"));
    String foreign = fake.addEndpointGroup(listener, "eu-west-1", 100, Map.of("i-0ffffffffffffffff", 128));
    try (GlobalAcceleratorProvider p = provider()) {
      GlobalAcceleratorProvider.OwnershipException refused = assertThrows(
          GlobalAcceleratorProvider.OwnershipException.class, () -> p.reconcile(shop(), normal(1), false));
      assertTrue(refused.getMessage().contains("has no tern/owner tag"), refused.getMessage());
      assertTrue(refused.getMessage().contains("tern/owner=tern-test"),
          "says how to hand it over: " + refused.getMessage());
      assertThrows(GlobalAcceleratorProvider.OwnershipException.class, () -> p.reconcile(shop(), normal(1), true),
          "a dry run refuses too");
    }
    assertEquals(Map.of("eu-west-1", "100 {i-0ffffffffffffffff=128}"), state(), "the listener is as it was");
    assertEquals(foreign, fake.endpointGroups(listener).getFirst().arn());
    assertEquals(Set.of("ListTagsForResource"), fake.requests().stream().map(FakeGlobalAccelerator.Request::operation)
        .collect(java.util.stream.Collectors.toSet()), "nothing past the ownership check");
  }

  @Test
  void an_accelerator_of_another_owner_is_refused() {
    fake.setTags(accelerator, Map.of(GlobalAcceleratorProvider.OWNER_TAG, "tern-staging"));
    try (GlobalAcceleratorProvider p = provider()) {
      GlobalAcceleratorProvider.OwnershipException refused = assertThrows(
          GlobalAcceleratorProvider.OwnershipException.class, () -> p.reconcile(shop(), normal(1), false));
      assertTrue(refused.getMessage().contains("someone else's (tern/owner=tern-staging"), refused.getMessage());
    }
    assertEquals(Map.of(), state());
  }

  @Test
  void sync_removes_groups_in_regions_without_backends_and_upsert_only_keeps_them() {
    fake.addEndpointGroup(listener, "sa-east-1", 100, Map.of("i-0aaaaaaaaaaaaaaaa", 128));
    try (GlobalAcceleratorProvider p = provider("upsert-only")) {
      Provider.Result r = p.reconcile(shop(), normal(1), false);
      assertTrue(r.changes().stream().noneMatch(c -> c.action().equals("delete")), r.changes().toString());
      assertTrue(state().containsKey("sa-east-1"), "upsert-only never deletes");
    }
    try (GlobalAcceleratorProvider p = provider("sync")) {
      Provider.Result r = p.reconcile(shop(), normal(1), false);
      assertEquals(List.of("delete endpoint-group sa-east-1 dial 100 [i-0aaaaaaaaaaaaaaaa=128]"),
          r.changes().stream().map(Provider.Change::toString).toList());
      assertFalse(state().containsKey("sa-east-1"));
    }
  }

  @Test
  void throttling_is_retried_to_success() {
    fake.failNext(429, 2);
    fake.failNext(400, "ThrottlingException", 1);
    try (GlobalAcceleratorProvider p = provider()) {
      assertTrue(p.reconcile(shop(), normal(1), false).applied());
    }
    assertEquals(List.of(429, 429, 400, 200), fake.requests().subList(0, 4).stream()
        .map(FakeGlobalAccelerator.Request::status).toList());
    assertEquals(3, state().size());
  }

  @Test
  void server_errors_are_retried_to_success_mid_apply() {
    try (GlobalAcceleratorProvider p = provider()) {
      p.reconcile(shop(), normal(1), false);
      // The reads pass; the first update meets a 500 and a 503 before it goes through.
      int before = fake.requests().size();
      RoutingPlan plan = fraDown(2);
      failAfter(2, 500, 503);
      assertTrue(p.reconcile(shop(), plan, false).applied());
      assertEquals(List.of("ListTagsForResource 200", "ListEndpointGroups 200", "UpdateEndpointGroup 500",
          "UpdateEndpointGroup 503", "UpdateEndpointGroup 200", "UpdateEndpointGroup 200"),
          fake.requests().subList(before, fake.requests().size()).stream().map(r -> r.operation() + " " + r.status())
              .toList());
    }
    assertEquals("0 {" + FRA_ALB + "=0}", state().get("eu-central-1"));
  }

  /** Lets {@code pass} requests through, then fails one with each status. */
  private void failAfter(int pass, int... statuses) {
    fake.passNext(pass);
    for (int s : statuses) {
      fake.failNext(s, 1);
    }
  }

  @Test
  void a_refusal_is_not_retried() {
    fake.failNext(400, "AccessDeniedException", 1);
    try (GlobalAcceleratorProvider p = provider()) {
      GlobalAcceleratorApi.ApiException e = assertThrows(GlobalAcceleratorApi.ApiException.class,
          () -> p.reconcile(shop(), normal(1), false));
      assertFalse(e.retryable());
      assertTrue(e.getMessage().contains("AccessDeniedException"), e.getMessage());
    }
    assertEquals(1, fake.requests().size(), "tried once");
  }

  @Test
  void an_endpoint_the_service_refuses_fails_the_reconcile_after_one_try() {
    Map<String, String> endpoints = new HashMap<>(GaFixtures.ENDPOINTS);
    endpoints.put("sin", "lb-not-an-endpoint");
    try (GlobalAcceleratorProvider p = account("sync", endpoints).provider(Duration.ofMillis(10))) {
      GlobalAcceleratorApi.ApiException e = assertThrows(GlobalAcceleratorApi.ApiException.class,
          () -> p.reconcile(shop(), normal(1), false));
      assertFalse(e.retryable());
      assertTrue(e.getMessage().contains("InvalidArgumentException"), e.getMessage());
    }
    assertEquals(1, fake.requests().stream().filter(r -> r.status() == 400).count(), "the refused create, once");
  }

  @Test
  void cannot_express_says_why_a_residency_bound_service_may_not_bind() {
    ResidencyRule eu = new ResidencyRule(ClientZone.EU, Set.of(Jurisdiction.EU),
        ResidencyRule.WhenNoneHealthy.ANSWER_NOTHING);
    try (GlobalAcceleratorProvider p = provider()) {
      assertEquals(List.of(), p.cannotExpress(shop()));
      List<String> reasons = p.cannotExpress(service(new RoutingMethod.Weighted(), List.of(eu), List.of(),
          backend("fra", Cloud.AWS, "eu-central-1"), backend("weu", Cloud.AZURE, "westeurope")));
      assertEquals(2, reasons.size(), reasons.toString());
      assertTrue(reasons.get(0).contains("anycast") && reasons.get(0).contains("cannot keep EU clients in the EU"));
      assertTrue(reasons.get(1).contains("weu (azure:westeurope)"));
      assertEquals("global-accelerator", p.kind());
      assertEquals("ga-test", p.name());
    }
    assertEquals(0, fake.requests().size(), "cannotExpress calls nothing");
  }
}
