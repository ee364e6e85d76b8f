package dev.tern.policy.validation;

import static dev.tern.policy.testing.ServiceBuilder.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.ZoneTable;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.testing.ServiceBuilder;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Rules checked on a model built in code, as the REST API will: paths, no positions. */
class PolicyValidatorTest {

  private final PolicyValidator validator = new PolicyValidator();

  private static ServiceBuilder euAndUs(String name) {
    return service(name)
        .backend("fra", "aws:eu-central-1", "EU")
        .backend("iad", "aws:us-east-1", "US");
  }

  @Test
  void a_sound_service_has_no_violations() {
    Service shop = euAndUs("shop")
        .geo("EU", "fra", "default", "iad,fra")
        .residency("EU", WhenNoneHealthy.ANSWER_NOTHING, "EU")
        .build();

    assertEquals(List.of(), validator.validate(new Policy(List.of(shop), ZoneTable.EMPTY)));
  }

  static Stream<Arguments> brokenServices() {
    return Stream.of(
        Arguments.of("all weights zero",
            service("shop").backend("fra", "aws:eu-central-1", "EU", 0, 1, 1000),
            "services.shop.backends", "at least one backend needs a weight above 0"),
        Arguments.of("weight above 1000",
            service("shop").backend("fra", "aws:eu-central-1", "EU", 1001, 1, 1000),
            "services.shop.backends[0].weight", "weight must be between 0 and 1000, got 1001"),
        Arguments.of("eu jurisdiction outside the eu",
            service("shop").backend("iad", "aws:us-east-1", "EU"),
            "services.shop.backends[0].jurisdiction",
            "region aws:us-east-1 is in US, outside the EU/EEA; a backend there cannot be in"
                + " jurisdiction EU"),
        Arguments.of("failover tier gap",
            service("shop").routing(new RoutingMethod.Failover())
                .backend("fra", "aws:eu-central-1", "EU", 1, 1, 1000)
                .backend("iad", "aws:us-east-1", "US", 1, 3, 1000),
            "services.shop.backends[1].priority",
            "failover tiers must be 1, 2, 3 without gaps; no backend has priority 2"),
        Arguments.of("residency nobody can satisfy",
            euAndUs("shop").residency("EU", WhenNoneHealthy.SERVE_UNHEALTHY, "CH"),
            "services.shop.residency[0].allow",
            "residency for EU allows only [CH], but no backend of service 'shop' is in those"
                + " jurisdictions"),
        Arguments.of("nested residency rules with no common backend",
            euAndUs("shop")
                .residency("europe", WhenNoneHealthy.SERVE_UNHEALTHY, "US")
                .residency("EU", WhenNoneHealthy.SERVE_UNHEALTHY, "EU"),
            "services.shop.residency[1].zone",
            "clients in EU are bound by the residency rules for EU and europe together"),
        Arguments.of("geo fallback the residency rule forbids",
            euAndUs("shop").geo("default", "iad")
                .residency("EU", WhenNoneHealthy.ANSWER_NOTHING, "EU"),
            "services.shop.residency[0].zone",
            "clients in EU have no geo list of their own and fall back to routing.geo.default"),
        Arguments.of("geo list with a backend residency forbids",
            euAndUs("shop").geo("DE", "iad,fra", "default", "iad")
                .residency("EU", WhenNoneHealthy.ANSWER_NOTHING, "EU"),
            "services.shop.routing.geo.DE[0]",
            "backend 'iad' is in jurisdiction US, but the residency rule for EU allows only [EU]"
                + " for clients in DE, so this entry could never be answered"),
        Arguments.of("geo without default",
            euAndUs("shop").geo("EU", "fra"),
            "services.shop.routing.geo", "the geo map has no 'default' list"),
        Arguments.of("geo naming a missing backend",
            euAndUs("shop").geo("default", "frq"),
            "services.shop.routing.geo.default[0]",
            "service 'shop' has no backend 'frq'; did you mean 'fra'?"),
        Arguments.of("quorum of one",
            euAndUs("shop").health(new HealthSettings(3, 2, 1, Duration.ofSeconds(30), Duration.ZERO)),
            "services.shop.health.quorum",
            "quorum must be at least 2: one vantage point alone never fails a backend over"),
        Arguments.of("more healthy backends required than exist",
            euAndUs("shop").guardrails(3, 0.5, 6),
            "services.shop.guardrails.minHealthyBackends",
            "minHealthyBackends is 3 but service 'shop' has only 2 backends; set it to at most 2"),
        Arguments.of("drain share above 100%",
            euAndUs("shop").guardrails(1, 1.5, 6),
            "services.shop.guardrails.maxAutoDrainShare",
            "maxAutoDrainShare must be between 0% and 100%, got 150.0%"),
        Arguments.of("negative demand",
            euAndUs("shop").demand("EU", -1),
            "services.shop.demand.EU", "demand must be >= 0, got -1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("brokenServices")
  void a_broken_service_is_reported_at_its_path_without_a_position(
      String rule, ServiceBuilder builder, String path, String message) {
    List<Violation> violations = validator.validate(builder.build());

    assertTrue(
        violations.stream().anyMatch(v -> v.path().equals(path) && v.message().contains(message)),
        () -> "expected " + path + ": " + message + " in " + violations);
    assertTrue(violations.stream().noneMatch(Violation::hasPosition));
  }

  @Test
  void every_problem_is_reported_not_only_the_first() {
    Service shop = service("shop")
        .backend("fra", "aws:eu-central-1", "EU", 0, 1, 1000)
        .backend("fra", "aws:us-east-1", "EU", 0, 1, 1000)
        .guardrails(5, 1.0, 0)
        .build();

    List<String> paths = validator.validate(shop).stream().map(Violation::path).toList();

    assertEquals(
        List.of(
            "services.shop.backends[1].jurisdiction",
            "services.shop.backends[1].name",
            "services.shop.backends",
            "services.shop.guardrails.minHealthyBackends",
            "services.shop.guardrails.maxPlanChangesPerMinute"),
        paths);
  }

  @Test
  void service_names_and_hostnames_must_be_unique_across_the_policy() {
    Service shop = euAndUs("shop").build();
    Service again = euAndUs("shop").build();
    Service shopUpperCase = new Service(
        "store", "SHOP.gslb.example.com.", 30, shop.backends(), shop.routing(), List.of(),
        shop.health(), shop.guardrails(), shop.demand(), List.of());

    List<Violation> violations =
        validator.validate(new Policy(List.of(shop, again, shopUpperCase), ZoneTable.EMPTY));

    assertEquals(
        List.of(
            Violation.at("services.shop.name", PolicyValidator.duplicateServiceName("shop")),
            Violation.at("services.shop.hostname",
                PolicyValidator.duplicateHostname("shop.gslb.example.com", "shop")),
            Violation.at("services.store.hostname",
                PolicyValidator.duplicateHostname("SHOP.gslb.example.com.", "shop"))),
        violations);
  }

  @Test
  void a_policy_without_services_is_refused() {
    assertEquals(
        List.of(Violation.at("services", "a policy needs at least one service")),
        validator.validate(new Policy(List.of(), ZoneTable.EMPTY)));
  }

  @Test
  void a_violation_formats_with_source_line_column_and_path() {
    Violation v = new Violation("services.shop.ttl", 12, 7, "ttl must be between 1 and 86400");

    assertEquals("policy.yaml:12:7: services.shop.ttl: ttl must be between 1 and 86400",
        v.format("policy.yaml"));
    assertEquals("api: services.shop.ttl: ttl must be between 1 and 86400",
        Violation.at("services.shop.ttl", "ttl must be between 1 and 86400").format("api"));
  }
}
