package dev.tern.chaos.scenario;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.chaos.schedule.Schedule;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.validation.Violation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ScenarioParserTest {

  static final Path EXAMPLES = Path.of("..", "docs", "examples", "chaos");
  final ScenarioParser parser = new ScenarioParser();

  static Stream<Path> examples() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("examples")
  void every_built_in_scenario_parses(Path file) throws IOException {
    ParsedScenarios parsed = parser.parse(Files.readString(file));
    assertEquals(List.of(), parsed.violations(), file.toString());
    assertEquals(file.getFileName().toString().replace(".yaml", ""), parsed.scenarios().getFirst().name());
  }

  @Test
  void the_built_in_scenarios_cover_what_tern_promises() throws IOException {
    assertEquals(List.of("all-eu-outage", "cloud-outage", "eu-region-outage", "flapping-backend", "leader-kill",
        "provider-api-outage", "region-outage", "vantage-partition"), examples().map(f -> f.getFileName().toString()
        .replace(".yaml", "")).toList());
  }

  @Test
  void a_scenario_is_read_whole() throws IOException {
    Scenario s = parser.parse(Files.readString(EXAMPLES.resolve("region-outage.yaml"))).scenarios().getFirst();
    assertEquals(Optional.of(new Targets.Selector("shop", Optional.empty(), Optional.empty(), Optional.of("north-america"))),
        s.targets().selector());
    assertEquals(OptionalInt.of(1), s.targets().blastRadius().maxBackends());
    assertEquals(new Fault.Outage(), s.fault());
    assertEquals(Duration.ofSeconds(30), s.duration());
    assertEquals(Injector.DEMO, s.injector());
    assertEquals(new Expectations(Optional.of(Duration.ofSeconds(10)), false, Optional.of(Duration.ofSeconds(15)),
        Optional.of(Duration.ofSeconds(15)), true, Optional.empty(), Optional.of(Duration.ofSeconds(30)), OptionalInt.of(4),
        OptionalInt.of(1), Optional.empty()),
        s.expect());
    assertEquals(StopConditions.DEFAULTS, s.stopWhen());
    Schedule schedule = s.schedule().orElseThrow();
    assertEquals(Schedule.Concurrency.FORBID, schedule.concurrency());
    // Friday 18 December 2026, 12:00 UTC: the next weekday 03:00 in Berlin after the freeze is 4 January.
    assertEquals(Optional.of(Instant.parse("2027-01-04T02:00:00Z")), schedule.nextRun(Instant.parse("2026-12-18T12:00:00Z")));
  }

  @Test
  void a_selector_and_a_capacity_limit_are_read() throws IOException {
    Scenario eu = parser.parse(Files.readString(EXAMPLES.resolve("all-eu-outage.yaml"))).scenarios().getFirst();
    assertEquals(Optional.of(new Targets.Selector("shop", Optional.of("EU"), Optional.empty())), eu.targets().selector());
    Scenario cloud = parser.parse(Files.readString(EXAMPLES.resolve("cloud-outage.yaml"))).scenarios().getFirst();
    assertEquals(List.of(Cloud.GCP), cloud.targets().clouds());
    assertEquals(40.0, cloud.targets().blastRadius().maxCapacityPercent().orElseThrow(), 1e-9);
  }

  static Stream<Arguments> invalid() {
    String head = """
        kind: ChaosScenario
        name: bad
        hypothesis: something holds
        """;
    return Stream.of(
        Arguments.of(head + "targets: {regions: [aws:eu-central-1]}\nfault: {kind: outage}\nduration: 30s\ninjector: provider-fault\n",
            "scenarios.bad.injector", 7, "the provider-fault injector cannot inject outage; it injects provider-api-failure"),
        Arguments.of(head + "targets: {regions: [aws:mars-1]}\nfault: {kind: outage}\nduration: 30s\ninjector: demo\n",
            "scenarios.bad.targets.regions[0]", 4, "unknown region 'aws:mars-1'"),
        Arguments.of(head + "targets: {}\nfault: {kind: outage}\nduration: 30s\ninjector: demo\n",
            "scenarios.bad.targets", 4, "name at least one of backends, regions, clouds or a selector"),
        Arguments.of(head + "targets: {backends: [shop]}\nfault: {kind: outage}\nduration: 30s\ninjector: demo\n",
            "scenarios.bad.targets.backends[0]", 4, "a backend target is service/backend"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault:\n  kind: outage\n  latency: 2s\nduration: 30s\ninjector: demo\n",
            "scenarios.bad.fault.latency", 7, "'latency' does not apply to a outage fault"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault: {kind: latency}\nduration: 30s\ninjector: demo\n",
            "scenarios.bad.fault.latency", 5, "missing required key 'latency'"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault: {kind: outage}\nduration: 2h\ninjector: demo\n",
            "scenarios.bad.duration", 6, "duration must be between 1s and 60m, got 120m"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault: {kind: outage}\nduration: 30s\ninjector: demo\n"
            + "schedule:\n  cron: \"61 3 * * *\"\n", "scenarios.bad.schedule.cron", 9, "cron minute field '61'"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault: {kind: outage}\nduration: 30s\ninjector: demo\n"
            + "schedule:\n  cron: \"0 3 * * *\"\n  timeZone: Mars/Olympus\n", "scenarios.bad.schedule.timeZone", 10,
            "unknown time zone 'Mars/Olympus'"),
        Arguments.of(head + "targets: {backends: [shop/fra]}\nfault: {kind: probe-partition, vantage: aws:us-east-1}\n"
            + "duration: 30s\ninjector: probe-fault\nexpect: {failoverWithin: 5s}\n", "scenarios.bad.expect.failoverWithin", 8,
            "a partitioned vantage alone must not move traffic"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault: {kind: outage}\nduration: 30s\ninjector: demo\nstopWhen: {whenever: true}\n",
            "scenarios.bad.stopWhen.whenever", 8, "unknown key 'whenever'"),
        Arguments.of(head + "targets: {clouds: [aws]}\nfault: {kind: outage}\nduration: 30s\ninjector: chaos-monkey\n",
            "scenarios.bad.injector", 7, "unknown injector 'chaos-monkey'; use one of demo, probe-fault, kubernetes, provider-fault"));
  }

  @ParameterizedTest(name = "{1}: {3}")
  @MethodSource("invalid")
  void a_mistake_is_reported_at_its_path_and_line(String yaml, String path, int line, String message) {
    ParsedScenarios parsed = parser.parse(yaml);
    assertTrue(parsed.scenarios().isEmpty());
    Violation v = parsed.violations().stream().filter(x -> x.path().equals(path)).findFirst()
        .orElseThrow(() -> new AssertionError("no violation at " + path + " in " + parsed.violations()));
    assertEquals(line, v.line(), v.toString());
    assertTrue(v.message().contains(message), v.message());
  }

  @Test
  void broken_yaml_and_foreign_documents_are_refused_in_words() {
    assertTrue(parser.parse("kind: ChaosScenario\nname: [unclosed\n").violations().getFirst().message().startsWith("invalid YAML"));
    assertTrue(parser.parse("kind: Service\nname: shop\n").violations().stream()
        .anyMatch(v -> v.message().contains("a scenario file holds kind: ChaosScenario documents")));
    assertTrue(parser.parse("").violations().getFirst().message().contains("the file has no scenario"));
  }

  @Test
  void two_scenarios_with_one_name_are_refused() throws IOException {
    String one = Files.readString(EXAMPLES.resolve("leader-kill.yaml"));
    ParsedScenarios parsed = parser.parse(one + "---\n" + one);
    assertTrue(parsed.violations().stream().anyMatch(v -> v.message().contains("appears twice")), parsed.violations().toString());
  }
}
