package dev.tern.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TernCommandTest {

  record Run(int exit, String out, String err) {}

  private static Run tern(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int exit = new CommandLine(new TernCommand()).execute(args);
      return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void validate_accepts_the_example_policy() {
    Run run = tern("policy", "validate", "../docs/examples/global-shop.yaml");
    assertEquals(0, run.exit(), run.err());
    assertTrue(run.out().contains("global-shop.yaml: ok, 4 service(s)"), run.out());
  }

  @Test
  void validate_reports_each_problem_with_file_line_and_column_and_fails(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: failover
        backends:
          - name: fra
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 192.0.2.10
            wieght: 3
        """);
    Run run = tern("policy", "validate", file.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().contains(file + ":12:5: services.shop.backends[0].wieght: "), run.err());
    assertTrue(run.err().contains("did you mean 'weight'?"), run.err());
    assertTrue(run.err().contains("nothing was applied"), run.err());
  }

  @Test
  void chaos_validate_accepts_the_built_in_scenarios_and_says_when_each_runs() throws Exception {
    try (var files = Files.list(Path.of("../docs/examples/chaos"))) {
      String[] args = java.util.stream.Stream.concat(java.util.stream.Stream.of("chaos", "validate"),
          files.sorted().map(Path::toString)).toArray(String[]::new);
      Run run = tern(args);
      assertEquals(0, run.exit(), run.err());
      assertTrue(run.out().contains("region-outage.yaml: ok, region-outage (outage by demo, next run "), run.out());
      assertTrue(run.out().contains("vantage-partition.yaml: ok, vantage-partition (probe-partition by probe-fault, by hand only)"),
          run.out());
    }
  }

  @Test
  void chaos_validate_reports_a_bad_scenario_at_its_line(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, """
        kind: ChaosScenario
        name: bad
        hypothesis: nothing moves
        targets: {regions: [aws:us-east-1]}
        fault: {kind: outage}
        duration: 30s
        injector: provider-fault
        """);
    Run run = tern("chaos", "validate", file.toString());
    assertEquals(1, run.exit());
    assertTrue(run.err().contains(file + ":7:11: scenarios.bad.injector: the provider-fault injector cannot inject outage"),
        run.err());
  }

  @Test
  void demo_refuses_a_duration_it_cannot_read_before_starting_anything() {
    Run run = tern("demo", "--duration", "soon");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("write e.g. 90s, 10m or 1h"), run.err());
  }

  @Test
  void demo_region_says_what_it_can_do_with_a_region() {
    Run run = tern("demo", "region", "pause", "aws:eu-central-1", "--server", "http://127.0.0.1:1");
    assertEquals(2, run.exit());
    assertTrue(run.err().contains("say stop or start"), run.err());
  }
}
