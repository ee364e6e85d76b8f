package dev.tern.controlplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.chaos.scenario.ParsedScenarios;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.scenario.ScenarioParser;
import dev.tern.policy.validation.Violation;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tern chaos}: chaos scenarios, their runs and reports (docs/chaos.md). */
@Command(
    name = "chaos",
    description = "Chaos scenarios: validate files, keep them in the catalogue, run them, read their reports.",
    mixinStandardHelpOptions = true,
    subcommands = {ChaosCommand.Validate.class, ChaosCommand.ListCommand.class, ChaosCommand.Apply.class,
        ChaosCommand.Run.class, ChaosCommand.DryRun.class, ChaosCommand.Abort.class, ChaosCommand.ReportCommand.class,
        ChaosCommand.KillSwitch.class})
final class ChaosCommand implements Runnable {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code tern chaos validate FILE...}: every problem, with file, line and column; each scenario's next scheduled run. */
  @Command(
      name = "validate",
      description = "Check scenario files and print every problem as file:line:column: path: message.",
      mixinStandardHelpOptions = true)
  static final class Validate implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario YAML files.")
    List<Path> files;

    @Override
    public Integer call() {
      int invalid = 0;
      Instant now = Instant.now();
      for (Path file : files) {
        ParsedScenarios parsed = new ScenarioParser().parse(PolicyFiles.read(file));
        for (Violation v : parsed.violations()) {
          System.err.println(v.format(file.toString()));
        }
        if (!parsed.isValid()) {
          System.err.println(parsed.violations().size() + " problem(s) in " + file);
          invalid++;
          continue;
        }
        for (Scenario s : parsed.scenarios()) {
          String when = s.schedule()
              .map(sc -> sc.nextRun(now).map(at -> "next run " + at).orElse(sc.paused() ? "paused" : "never runs"))
              .orElse("by hand only");
          System.out.println(file + ": ok, " + s.name() + " (" + s.fault().kind() + " by " + s.injector().key() + ", "
              + when + ")");
        }
      }
      return invalid == 0 ? 0 : 1;
    }
  }

  /** {@code tern chaos kill-switch --reason TEXT}: reverts every active chaos fault on the cluster now. */
  @Command(
      name = "kill-switch",
      description = "Revert every active chaos fault now (needs an operator token).",
      mixinStandardHelpOptions = true)
  static final class KillSwitch implements Callable<Integer> {

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; written to the audit log.")
    String reason;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      HttpResponse<String> r = remote.send("POST", "/api/v1/chaos/kill-switch?reason="
          + URLEncoder.encode(reason, StandardCharsets.UTF_8), "application/json", "");
      if (r.statusCode() != 200) {
        System.err.println(RemoteOptions.problem(r));
        return 1;
      }
      System.out.println(r.body().replaceAll(".*\"runs\":(\\d+).*", "$1") + " chaos run(s) reverted.");
      return 0;
    }
  }

  /** {@code tern chaos list}: the catalogue with its schedules, then the recent runs. */
  @Command(name = "list", description = "List the scenario catalogue (schedules, next runs) and the recent runs.",
      mixinStandardHelpOptions = true)
  static final class ListCommand implements Callable<Integer> {

    @Option(names = "--runs", defaultValue = "10", paramLabel = "N", description = "How many recent runs (default ${DEFAULT-VALUE}).")
    int runs;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      JsonNode scenarios = get(remote, "/api/v1/chaos/scenarios");
      JsonNode recent = get(remote, "/api/v1/chaos/runs");
      if (scenarios == null || recent == null) {
        return 1;
      }
      System.out.printf("%-24s %-16s %-12s %-22s %-22s %s%n", "SCENARIO", "FAULT", "INJECTOR", "SCHEDULE", "NEXT RUN",
          "LAST START TIME");
      for (JsonNode s : scenarios) {
        String schedule = s.path("cron").isMissingNode() || s.path("cron").isNull() ? "by hand"
            : s.path("cron").asText() + " " + s.path("timeZone").asText();
        String next = s.path("paused").asBoolean() ? "paused" : s.path("nextRunAt").asText("-");
        System.out.printf("%-24s %-16s %-12s %-22s %-22s %s%n", s.path("name").asText(), s.path("fault").asText(),
            s.path("injector").asText(), schedule, next,
            s.path("lastResult").asText().isEmpty() ? "-" : s.path("lastDueAt").asText() + " " + s.path("lastResult").asText());
      }
      System.out.println();
      System.out.printf("%-32s %-24s %-12s %-26s %s%n", "RUN", "SCENARIO", "OUTCOME", "STARTED", "BY");
      int shown = 0;
      for (JsonNode r : recent) {
        if (shown++ >= runs) {
          break;
        }
        String outcome = r.path("active").asBoolean() ? "active" : r.path("outcome").asText();
        System.out.printf("%-32s %-24s %-12s %-26s %s%n", r.path("id").asText(), r.path("scenario").asText(), outcome,
            r.path("startedAt").asText(), r.path("actor").asText());
      }
      return 0;
    }
  }

  /** {@code tern chaos apply FILE... --reason TEXT}: puts each file's scenario in the catalogue. */
  @Command(name = "apply", description = "Add scenarios to the catalogue, or replace them, one file each (needs an admin token).",
      mixinStandardHelpOptions = true)
  static final class Apply implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Scenario YAML files, one scenario each.")
    List<Path> files;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; written to the audit log.")
    String reason;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      int failed = 0;
      for (Path file : files) {
        String yaml = PolicyFiles.read(file);
        ParsedScenarios parsed = new ScenarioParser().parse(yaml);
        if (!parsed.isValid() || parsed.scenarios().size() != 1) {
          parsed.violations().forEach(v -> System.err.println(v.format(file.toString())));
          if (parsed.isValid()) {
            System.err.println(file + ": holds " + parsed.scenarios().size() + " scenarios; put one in each file");
          }
          failed++;
          continue;
        }
        String name = parsed.scenarios().getFirst().name();
        HttpResponse<String> r = remote.send("PUT", "/api/v1/chaos/scenarios/" + name + "?reason="
            + URLEncoder.encode(reason, StandardCharsets.UTF_8), "application/yaml", yaml);
        if (r.statusCode() != 200) {
          System.err.println(file + ": " + RemoteOptions.problem(r));
          failed++;
        } else {
          System.out.println(file + ": " + name + " is in the catalogue");
        }
      }
      return failed == 0 ? 0 : 1;
    }
  }

  /** What {@code run} and {@code dry-run} share: a catalogue name or a file, and the reason. */
  abstract static class Starting implements Callable<Integer> {

    @Parameters(paramLabel = "SCENARIO", description = "A scenario of the catalogue, or a scenario YAML file.")
    String scenario;

    @Mixin
    RemoteOptions remote;

    HttpResponse<String> start(boolean dryRun, String reason) throws IOException {
      String query = "?dryRun=" + dryRun + (reason == null ? "" : "&reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8));
      Path path = Path.of(scenario);
      if (java.nio.file.Files.isRegularFile(path)) {
        return remote.send("POST", "/api/v1/chaos/runs" + query, "application/yaml", PolicyFiles.read(path));
      }
      return remote.send("POST", "/api/v1/chaos/scenarios/" + URLEncoder.encode(scenario, StandardCharsets.UTF_8)
          + "/runs" + query, "application/json", "");
    }

    static void printTargets(JsonNode started) {
      System.out.println("targets: " + (started.path("targets").isEmpty() ? "none (the fault needs none)"
          : String.join(", ", JSON.convertValue(started.path("targets"), String[].class))));
      System.out.println("revert due at: " + started.path("revertDueAt").asText());
    }
  }

  /** {@code tern chaos run SCENARIO --reason TEXT [--wait]}: starts a run on the leader. */
  @Command(name = "run", description = "Run a scenario now (needs an operator token); --wait follows it to its verdict.",
      mixinStandardHelpOptions = true)
  static final class Run extends Starting {

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; written to the audit log.")
    String reason;

    @Option(names = "--wait", description = "Wait for the verdict and print the report.")
    boolean await;

    @Override
    public Integer call() throws IOException, InterruptedException {
      HttpResponse<String> r = start(false, reason);
      if (r.statusCode() != 200) {
        System.err.println(RemoteOptions.problem(r));
        return 1;
      }
      JsonNode started = JSON.readTree(r.body());
      String id = started.path("runId").asText();
      System.out.println("run " + id + " started");
      printTargets(started);
      if (!await) {
        System.out.println("follow it with: tern chaos report " + id + " --wait");
        return 0;
      }
      return ReportCommand.waitAndPrint(remote, id);
    }
  }

  /** {@code tern chaos dry-run SCENARIO}: resolves the targets, injects nothing. */
  @Command(name = "dry-run", description = "Resolve a scenario's targets and check it may run; inject nothing.",
      mixinStandardHelpOptions = true)
  static final class DryRun extends Starting {

    @Override
    public Integer call() throws IOException {
      HttpResponse<String> r = start(true, null);
      if (r.statusCode() != 200) {
        System.err.println("would not run: " + RemoteOptions.problem(r));
        return 1;
      }
      JsonNode started = JSON.readTree(r.body());
      System.out.println("dry run of " + started.path("scenario").asText() + ": would run");
      printTargets(started);
      return 0;
    }
  }

  /** {@code tern chaos abort RUN --reason TEXT}: reverts one run's fault now. */
  @Command(name = "abort", description = "Abort one active run: its fault is reverted now (needs an operator token).",
      mixinStandardHelpOptions = true)
  static final class Abort implements Callable<Integer> {

    @Parameters(paramLabel = "RUN", description = "The run's id, as tern chaos list shows it.")
    String run;

    @Option(names = "--reason", required = true, paramLabel = "TEXT", description = "Why; written to the audit log.")
    String reason;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException {
      HttpResponse<String> r = remote.send("POST", "/api/v1/chaos/runs/" + URLEncoder.encode(run, StandardCharsets.UTF_8)
          + "/abort?reason=" + URLEncoder.encode(reason, StandardCharsets.UTF_8), "application/json", "");
      if (r.statusCode() != 200) {
        System.err.println(RemoteOptions.problem(r));
        return 1;
      }
      System.out.println("run " + run + " aborted; its fault is being reverted");
      return 0;
    }
  }

  /** {@code tern chaos report RUN [--wait] [--json]}: an ended run's report. */
  @Command(name = "report", description = "Print a run's report: timeline, expectations with evidence, verdict.",
      mixinStandardHelpOptions = true)
  static final class ReportCommand implements Callable<Integer> {

    @Parameters(paramLabel = "RUN", description = "The run's id.")
    String run;

    @Option(names = "--wait", description = "Wait while the run is active.")
    boolean await;

    @Option(names = "--json", description = "Print the report as JSON, as the API serves it.")
    boolean json;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() throws IOException, InterruptedException {
      if (await) {
        return waitAndPrint(remote, run, json);
      }
      return print(remote, run, json) ? 0 : 1;
    }

    static int waitAndPrint(RemoteOptions remote, String id) throws IOException, InterruptedException {
      return waitAndPrint(remote, id, false);
    }

    private static int waitAndPrint(RemoteOptions remote, String id, boolean json) throws IOException, InterruptedException {
      while (true) {
        JsonNode run = get(remote, "/api/v1/chaos/runs/" + URLEncoder.encode(id, StandardCharsets.UTF_8));
        if (run == null) {
          return 1;
        }
        if (!run.path("active").asBoolean()) {
          return print(remote, id, json) && !run.path("outcome").asText().equals("FAIL") ? 0 : 1;
        }
        System.err.println("waiting: " + (run.path("healedAt").isNull() || run.path("healedAt").isMissingNode()
            ? "fault in, revert due at " + run.path("revertDueAt").asText() : "healed, watching the recovery"));
        Thread.sleep(5_000);
      }
    }

    private static boolean print(RemoteOptions remote, String id, boolean asJson) throws IOException {
      HttpResponse<String> r = remote.send("GET", "/api/v1/chaos/runs/" + URLEncoder.encode(id, StandardCharsets.UTF_8)
          + "/report", null, null);
      if (r.statusCode() != 200) {
        System.err.println(RemoteOptions.problem(r));
        return false;
      }
      if (asJson) {
        System.out.println(r.body());
        return true;
      }
      JsonNode report = JSON.readTree(r.body());
      System.out.println(report.path("scenario").asText() + " — run " + report.path("runId").asText() + ": "
          + report.path("outcome").asText());
      System.out.println("hypothesis: " + report.path("hypothesis").asText());
      System.out.println();
      System.out.println("timeline:");
      java.time.Instant first = null;
      for (JsonNode step : report.path("timeline")) {
        java.time.Instant at = java.time.Instant.parse(step.path("at").asText());
        first = first == null ? at : first;
        System.out.printf("  %+8.1f s  %s%n", java.time.Duration.between(first, at).toMillis() / 1000.0,
            step.path("event").asText());
      }
      System.out.println();
      System.out.println("expectations:");
      for (JsonNode result : report.path("results")) {
        System.out.printf("  %-12s %-32s %s%n", result.path("outcome").asText(), result.path("expectation").asText(),
            result.path("evidence").asText());
      }
      if (!report.path("note").asText().isEmpty()) {
        System.out.println();
        System.out.println(report.path("note").asText());
      }
      return true;
    }
  }

  /** GETs {@code path} as JSON; null (with the problem printed) on an error. */
  private static JsonNode get(RemoteOptions remote, String path) throws IOException {
    HttpResponse<String> r = remote.send("GET", path, null, null);
    if (r.statusCode() != 200) {
      System.err.println(RemoteOptions.problem(r));
      return null;
    }
    return JSON.readTree(r.body());
  }
}
