package dev.tern.controlplane.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code tern} command line: one jar, several roles. */
@Command(
    name = "tern",
    mixinStandardHelpOptions = true,
    version = "tern 0.1.0",
    description = "Open control plane for global traffic and failover.",
    subcommands = {ServerCommand.class, ProbeCommand.class, DemoCommand.class, PolicyCommand.class, ChaosCommand.class,
        ProvidersCommand.class, StatusCommand.class, SecurityCommand.class})
public final class TernCommand implements Runnable {

  public static void main(String[] args) {
    System.exit(new CommandLine(new TernCommand()).execute(args));
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}
