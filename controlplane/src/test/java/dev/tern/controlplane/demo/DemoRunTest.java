package dev.tern.controlplane.demo;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.policy.geo.Region;
import dev.tern.policy.model.Policy;
import dev.tern.policy.yaml.PolicyParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DemoRunTest {

  private static Policy example() throws Exception {
    return new PolicyParser()
        .parse(Files.readString(Path.of("../docs/examples/global-shop.yaml")))
        .policy()
        .orElseThrow();
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws:eu-central-1", "aws:us-east-1", "gcp:asia-northeast1"})
  void traffic_leaves_a_dark_region_and_returns_after_it_heals(String region) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Policy policy = example();
    boolean ok =
        new DemoRun(policy, Region.parse(region).orElseThrow(), new PrintStream(out, true, StandardCharsets.UTF_8),
                Instant.parse("2026-11-23T12:00:00Z"))
            .play();
    String text = out.toString(StandardCharsets.UTF_8);
    assertTrue(ok, text);
    assertTrue(text.contains("failover complete"), text);
    assertTrue(text.contains("failback complete"), text);
    assertTrue(text.contains(region + " goes dark"), text);
    assertTrue(text.matches("(?s).*why: \\S+ left out: UNHEALTHY since .*"), text);
  }
}
