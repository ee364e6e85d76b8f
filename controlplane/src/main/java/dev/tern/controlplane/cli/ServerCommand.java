package dev.tern.controlplane.cli;

import dev.tern.controlplane.server.TernServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tern server}: runs a control-plane node until SIGTERM or SIGINT. */
@Command(
    name = "server",
    description = "Run a control-plane node: the HTTP API, until SIGTERM or SIGINT.",
    mixinStandardHelpOptions = true)
final class ServerCommand implements Callable<Integer> {

  @Option(names = "--config", paramLabel = "FILE",
      description = "YAML configuration; its keys override the bundled defaults (bind 127.0.0.1:8080).")
  Optional<Path> config = Optional.empty();

  private final Consumer<TernServer> onStarted;

  ServerCommand() {
    this(server -> {});
  }

  /** For tests, which need the started node to find its port and to stop it. */
  ServerCommand(Consumer<TernServer> onStarted) {
    this.onStarted = onStarted;
  }

  @Override
  public Integer call() throws InterruptedException {
    if (config.isPresent() && !Files.isReadable(config.get())) {
      System.err.println("tern server: cannot read " + config.get() + "; give a readable YAML file to --config.");
      return 2;
    }
    TernServer server;
    try {
      server = TernServer.start(config);
    } catch (IOException | RuntimeException e) {
      System.err.println("tern server: did not start: " + rootMessage(e));
      return 1;
    }
    Thread hook = new Thread(server::close, "tern-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    onStarted.accept(server);
    server.awaitStop();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is what stopped the server; the JVM is already on its way out.
    }
    return 0;
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.toString() : root.getMessage();
  }
}
