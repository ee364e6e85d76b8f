package dev.tern.controlplane.provider.globalaccelerator;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Services, plans and endpoint ids shared by the Global Accelerator tests. */
final class GaFixtures {

  static final Instant T = Instant.parse("2026-11-24T10:00:00Z");
  static final String FRA_ALB =
      "arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/shop-fra/50dc6c495c0c9188";
  static final String IAD_NLB =
      "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/shop-iad/60dc6c495c0c9188";
  static final String IAD_EC2 = "i-0123456789abcdef0";
  static final String SIN_EIP = "eipalloc-0a1b2c3d4e5f67890";
  /** fra (eu-central-1), iad and iad2 (us-east-1), sin (ap-southeast-1). */
  static final Map<String, String> ENDPOINTS = Map.of("fra", FRA_ALB, "iad", IAD_NLB, "iad2", IAD_EC2, "sin", SIN_EIP);

  private GaFixtures() {}

  static Backend backend(String name, Cloud cloud, String region) {
    Jurisdiction jurisdiction = new Jurisdiction(cloud == Cloud.AWS && region.startsWith("eu-") ? "EU" : "US");
    return new Backend(name, RegionCatalog.find(cloud, region).orElseThrow(), jurisdiction, "192.0.2.1", 100, 1, 100,
        HealthCheck.defaults());
  }

  static Service service(RoutingMethod routing, List<ResidencyRule> residency, List<ClientZone> zones,
      Backend... backends) {
    return new Service("shop", "shop.gslb.example.com", 30, List.of(backends), routing, residency,
        HealthSettings.DEFAULTS, Guardrails.DEFAULTS, Map.of(), zones);
  }

  /** The four AWS backends of {@link #ENDPOINTS}, weighted, no residency, no client zones. */
  static Service shop() {
    return service(new RoutingMethod.Weighted(), List.of(), List.of(), backend("fra", Cloud.AWS, "eu-central-1"),
        backend("iad", Cloud.AWS, "us-east-1"), backend("iad2", Cloud.AWS, "us-east-1"),
        backend("sin", Cloud.AWS, "ap-southeast-1"));
  }

  static ZoneAnswer zone(String key, WeightedAnswer... answers) {
    return new ZoneAnswer(ClientZone.parse(key).orElseThrow(), ZoneAnswer.Mode.NORMAL, List.of(answers),
        List.of("test"));
  }

  static WeightedAnswer answer(String backend, int weight) {
    return new WeightedAnswer(backend, "192.0.2.1", weight, WeightedAnswer.Standing.HEALTHY);
  }

  static RoutingPlan plan(long version, ZoneAnswer... zones) {
    return new RoutingPlan("shop", "shop.gslb.example.com", version, 1, 30, T, List.of(), List.of(zones));
  }

  /** A plan whose default zone answers {@code answers}. */
  static RoutingPlan plan(long version, WeightedAnswer... answers) {
    return plan(version, zone("default", answers));
  }
}
