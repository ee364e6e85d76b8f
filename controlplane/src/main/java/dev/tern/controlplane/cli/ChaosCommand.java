package dev.tern.controlplane.cli;

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

/** {@code tern chaos}: work with chaos scenario files (docs/chaos.md). */
@Command(
    name = "chaos",
    description = "Work with chaos scenario files.",
    mixinStandardHelpOptions = true,
    subcommands = {ChaosCommand.Validate.class, ChaosCommand.KillSwitch.class})
final class ChaosCommand implements Runnable {

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
}
