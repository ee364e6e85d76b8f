package dev.tern.controlplane.provider.globalaccelerator;

import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.ENDPOINTS;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.FRA_ALB;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.IAD_EC2;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.IAD_NLB;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.SIN_EIP;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.answer;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.backend;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.plan;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.service;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.shop;
import static dev.tern.controlplane.provider.globalaccelerator.GaFixtures.zone;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.provider.globalaccelerator.EndpointGroup.Endpoint;
import dev.tern.controlplane.provider.globalaccelerator.GlobalAcceleratorDiff.Listed;
import dev.tern.controlplane.provider.globalaccelerator.GlobalAcceleratorDiff.Policy;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.ZoneAnswer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Plans into endpoint groups, the changes between two sets of them, and what GA cannot express: tables, no SDK. */
class GlobalAcceleratorTranslationTest {

  static EndpointGroup group(String region, int dial, Endpoint... endpoints) {
    return new EndpointGroup(region, dial, List.of(endpoints));
  }

  static Endpoint ep(String id, int weight) {
    return new Endpoint(id, weight);
  }

  static List<Listed> listed(List<EndpointGroup> groups) {
    return groups.stream().map(g -> new Listed("arn:eg/" + g.region(), g)).toList();
  }

  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("both US backends and fra answer: three regions, sin's dialed down",
            plan(1, answer("fra", 400), answer("iad", 300), answer("iad2", 300)), List.of(
                group("ap-southeast-1", 0, ep(SIN_EIP, 0)),
                group("eu-central-1", 100, ep(FRA_ALB, 102)),
                group("us-east-1", 100, ep(IAD_NLB, 77), ep(IAD_EC2, 77)))),
        Arguments.of("fra failed over: its region is dialed to 0, its endpoint weight 0",
            plan(2, answer("iad", 500), answer("sin", 500)), List.of(
                group("ap-southeast-1", 100, ep(SIN_EIP, 128)),
                group("eu-central-1", 0, ep(FRA_ALB, 0)),
                group("us-east-1", 100, ep(IAD_NLB, 128), ep(IAD_EC2, 0)))),
        Arguments.of("only the default zone counts: GA has no client zones",
            plan(3, zone("EU", answer("fra", 1000)), zone("default", answer("iad", 1000))), List.of(
                group("ap-southeast-1", 0, ep(SIN_EIP, 0)),
                group("eu-central-1", 0, ep(FRA_ALB, 0)),
                group("us-east-1", 100, ep(IAD_NLB, 255), ep(IAD_EC2, 0)))),
        Arguments.of("a default zone answering nothing dials every region down",
            plan(4, new ZoneAnswer(ClientZone.DEFAULT, ZoneAnswer.Mode.NO_ANSWER, List.of(), List.of("none"))), List.of(
                group("ap-southeast-1", 0, ep(SIN_EIP, 0)),
                group("eu-central-1", 0, ep(FRA_ALB, 0)),
                group("us-east-1", 0, ep(IAD_NLB, 0), ep(IAD_EC2, 0)))),
        Arguments.of("a tiny share still gets weight 1",
            plan(5, answer("iad", 999), answer("iad2", 1)), List.of(
                group("ap-southeast-1", 0, ep(SIN_EIP, 0)),
                group("eu-central-1", 0, ep(FRA_ALB, 0)),
                group("us-east-1", 100, ep(IAD_NLB, 255), ep(IAD_EC2, 1)))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void one_group_per_aws_region_weighted_from_the_default_zone(String why, RoutingPlan plan,
      List<EndpointGroup> groups) {
    assertEquals(groups, GlobalAcceleratorTranslation.endpointGroups(plan, shop(), ENDPOINTS));
  }

  @Test
  void backends_outside_aws_or_without_an_endpoint_id_are_left_out() {
    Service s = service(new RoutingMethod.Weighted(), List.of(), List.of(), backend("fra", Cloud.AWS, "eu-central-1"),
        backend("weu", Cloud.AZURE, "westeurope"), backend("iad", Cloud.AWS, "us-east-1"));
    assertEquals(List.of(group("eu-central-1", 100, ep(FRA_ALB, 128))), GlobalAcceleratorTranslation.endpointGroups(
        plan(1, answer("fra", 500), answer("weu", 500)), s, Map.of("fra", FRA_ALB)));
  }

  @ParameterizedTest(name = "plan weight {0} is GA weight {1}")
  @CsvSource({"0,0", "1,1", "3,1", "300,77", "500,128", "999,255", "1000,255"})
  void weights_scale_to_0_255_and_a_live_answer_never_drops_to_zero(int plan, int ga) {
    assertEquals(ga, GlobalAcceleratorTranslation.scale(plan));
  }

  @Test
  void a_failover_updates_exactly_the_two_regions_that_moved_making_before_breaking() {
    List<EndpointGroup> before = GlobalAcceleratorTranslation.endpointGroups(
        plan(1, answer("fra", 500), answer("iad", 500)), shop(), ENDPOINTS);
    List<EndpointGroup> after =
        GlobalAcceleratorTranslation.endpointGroups(plan(2, answer("iad", 1000)), shop(), ENDPOINTS);
    List<String> changes = GlobalAcceleratorDiff.between(listed(before), after, Policy.SYNC).stream()
        .map(c -> c.describe(GlobalAcceleratorTranslationTest::backendOf)).toList();
    assertEquals(List.of(
        "UPDATE us-east-1 dial 100 [iad=255, iad2=0] (was dial 100 [iad=128, iad2=0])",
        "UPDATE eu-central-1 dial 0 [fra=0] (was dial 100 [fra=128])"), changes,
        "the region taking the traffic is raised before the failed one is dialed down");
    assertEquals(List.of(), GlobalAcceleratorDiff.between(listed(after), after, Policy.SYNC),
        "the same plan changes nothing");
  }

  @Test
  void missing_groups_are_created_extra_ones_deleted_last_and_upsert_only_never_deletes() {
    List<EndpointGroup> desired = List.of(group("eu-central-1", 100, ep(FRA_ALB, 255)));
    List<Listed> current = listed(List.of(group("sa-east-1", 100, ep("i-0aaa", 128)),
        group("eu-central-1", 100, ep(FRA_ALB, 255), ep("i-0bbb", 10))));
    assertEquals(List.of(
        "UPDATE eu-central-1 dial 100 [" + FRA_ALB + "=255] (was dial 100 [" + FRA_ALB + "=255, i-0bbb=10])",
        "DELETE sa-east-1 dial 100 [i-0aaa=128]"),
        GlobalAcceleratorDiff.between(current, desired, Policy.SYNC).stream().map(Object::toString).toList());
    assertEquals(List.of(), GlobalAcceleratorDiff.between(current, desired, Policy.UPSERT_ONLY),
        "upsert-only keeps the extra group and the extra endpoint");
    assertEquals(List.of("CREATE eu-central-1 dial 100 [" + FRA_ALB + "=255]"),
        GlobalAcceleratorDiff.between(List.of(), desired, Policy.UPSERT_ONLY).stream().map(Object::toString).toList());
  }

  @Test
  void the_diff_compares_endpoints_as_a_set() {
    EndpointGroup a = group("us-east-1", 100, ep(IAD_NLB, 1), ep(IAD_EC2, 2));
    EndpointGroup b = group("us-east-1", 100, ep(IAD_EC2, 2), ep(IAD_NLB, 1));
    assertEquals(a, b);
    assertEquals(List.of(), GlobalAcceleratorDiff.between(listed(List.of(a)), List.of(b), Policy.SYNC));
  }

  /** An endpoint id shown as the backend it serves, as the provider shows it. */
  static String backendOf(String id) {
    return ENDPOINTS.entrySet().stream().filter(e -> e.getValue().equals(id)).map(Map.Entry::getKey).findFirst()
        .orElse(id);
  }

  static Stream<Arguments> refusals() {
    ResidencyRule eu = new ResidencyRule(ClientZone.EU, Set.of(Jurisdiction.EU),
        ResidencyRule.WhenNoneHealthy.SERVE_UNHEALTHY);
    RoutingMethod w = new RoutingMethod.Weighted();
    return Stream.of(
        Arguments.of(service(new RoutingMethod.Weighted(), List.of(eu), List.of(), backend("fra", Cloud.AWS,
            "eu-central-1")), Map.of("fra", FRA_ALB), "cannot keep EU clients in the EU"),
        Arguments.of(service(new RoutingMethod.Geo(Map.of(ClientZone.DEFAULT, List.of("fra"))), List.of(), List.of(),
            backend("fra", Cloud.AWS, "eu-central-1")), Map.of("fra", FRA_ALB), "geo routing"),
        Arguments.of(service(new RoutingMethod.Weighted(), List.of(), List.of(ClientZone.parse("asia").orElseThrow()),
            backend("fra", Cloud.AWS, "eu-central-1")), Map.of("fra", FRA_ALB), "client zones [asia]"),
        Arguments.of(service(w, List.of(), List.of(), backend("fra", Cloud.AWS, "eu-central-1"),
            backend("weu", Cloud.AZURE, "westeurope")), Map.of("fra", FRA_ALB),
            "backends not in AWS: [weu (azure:westeurope)]"),
        Arguments.of(service(w, List.of(), List.of(), backend("fra", Cloud.AWS, "eu-central-1"),
            backend("iad", Cloud.AWS, "us-east-1")), Map.of("fra", FRA_ALB), "backends without an endpoint id: [iad]"),
        Arguments.of(service(w, List.of(), List.of(), backend("fra", Cloud.AWS, "eu-central-1")),
            Map.of("fra", IAD_NLB), "fra is in eu-central-1 but its endpoint"),
        Arguments.of(service(w, List.of(), List.of()), Map.of("fra", FRA_ALB), "no backends"));
  }

  @ParameterizedTest(name = "{2}")
  @MethodSource("refusals")
  void what_global_accelerator_cannot_express_is_said_readably(Service service, Map<String, String> endpoints,
      String reason) {
    List<String> reasons = GlobalAcceleratorTranslation.cannotExpress(service, endpoints);
    assertEquals(1, reasons.size(), reasons.toString());
    assertTrue(reasons.getFirst().contains(reason), reasons.getFirst());
  }

  @Test
  void weighted_latency_and_failover_services_on_mapped_aws_backends_are_expressible() {
    for (RoutingMethod m : List.of(new RoutingMethod.Weighted(), new RoutingMethod.Latency(RoutingMethod.Latency
        .DEFAULT_TOLERANCE), new RoutingMethod.Failover())) {
      Service s = service(m, List.of(), List.of(ClientZone.DEFAULT), backend("fra", Cloud.AWS, "eu-central-1"),
          backend("iad", Cloud.AWS, "us-east-1"), backend("iad2", Cloud.AWS, "us-east-1"),
          backend("sin", Cloud.AWS, "ap-southeast-1"));
      assertEquals(List.of(), GlobalAcceleratorTranslation.cannotExpress(s, ENDPOINTS), m.key());
    }
  }
}
