package dev.tern.chaos.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.chaos.scenario.Targets;
import dev.tern.policy.model.Policy;
import dev.tern.policy.yaml.PolicyParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Targets against docs/examples/global-shop.yaml: by name, by the zone a plan answers, and the blast radius. */
class TargetResolverTest {

  static Policy policy() throws IOException {
    return new PolicyParser().parse(Files.readString(Path.of("..", "docs", "examples", "global-shop.yaml"))).policy()
        .orElseThrow();
  }

  static Targets answering(String zone, int maxBackends) {
    return new Targets(List.of(), List.of(), List.of(),
        Optional.of(new Targets.Selector("shop", Optional.empty(), Optional.empty(), Optional.of(zone))),
        new Targets.BlastRadius(OptionalInt.of(maxBackends), OptionalDouble.empty()));
  }

  @Test
  void a_selector_on_the_answering_zone_hits_the_backend_serving_it_now() throws IOException {
    Map<String, Map<String, List<String>>> answers = Map.of("shop", Map.of("EU", List.of("shop-ams"), "default",
        List.of("shop-iad")));
    TargetResolver.Resolved eu = assertInstanceOf(TargetResolver.Resolved.class,
        TargetResolver.resolve(answering("EU", 1), policy(), answers));
    assertEquals(List.of("shop/shop-ams"), eu.backends().stream().map(TargetBackend::key).toList());
  }

  @Test
  void a_zone_no_plan_answers_or_too_wide_an_answer_is_refused_with_the_reason() throws IOException {
    TargetResolver.Refused none = assertInstanceOf(TargetResolver.Refused.class,
        TargetResolver.resolve(answering("asia", 1), policy(), Map.of("shop", Map.of("EU", List.of("shop-ams")))));
    assertEquals(List.of("service shop has no plan answering client zone asia now; zones answered: [EU]"), none.reasons());
    TargetResolver.Refused wide = assertInstanceOf(TargetResolver.Refused.class, TargetResolver.resolve(answering("EU", 1),
        policy(), Map.of("shop", Map.of("EU", List.of("shop-ams", "shop-fra")))));
    assertTrue(wide.reasons().getFirst().contains("the targets are 2 backends; the blast radius allows 1"), wide.reasons().toString());
  }
}
