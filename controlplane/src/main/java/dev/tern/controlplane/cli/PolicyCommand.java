package dev.tern.controlplane.cli;

import dev.tern.policy.model.Policy;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code tern policy}: check policy files offline, preview and apply them on the cluster. */
@Command(
    name = "policy",
    description = "Work with routing policy files.",
    mixinStandardHelpOptions = true,
    subcommands = {PolicyCommand.Validate.class, RemotePolicyCommands.Diff.class, RemotePolicyCommands.Apply.class})
final class PolicyCommand implements Runnable {

  @Override
  public void run() {
    new picocli.CommandLine(this).usage(System.out);
  }

  /** {@code tern policy validate FILE...}: every problem, with file, line and column. */
  @Command(
      name = "validate",
      description = "Check policy files and print every problem as file:line:column: path: message.",
      mixinStandardHelpOptions = true)
  static final class Validate implements Callable<Integer> {

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Policy YAML files.")
    List<Path> files;

    @Override
    public Integer call() {
      int invalid = 0;
      for (Path file : files) {
        Optional<Policy> policy = PolicyFiles.load(file, System.err);
        if (policy.isPresent()) {
          System.out.println(file + ": ok, " + policy.get().services().size() + " service(s)");
        } else {
          invalid++;
        }
      }
      return invalid == 0 ? 0 : 1;
    }
  }
}
