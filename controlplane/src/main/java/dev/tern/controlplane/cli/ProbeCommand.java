package dev.tern.controlplane.cli;

import dev.tern.policy.geo.Region;
import dev.tern.probe.agent.ProbeAgent;
import dev.tern.probe.check.Checkers;
import dev.tern.probe.agent.Reporter;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code tern probe}: runs a probe agent for one region until SIGTERM or SIGINT.
 *
 * <p>Checks run through {@link Checkers}: HTTP(S) with every phase timed and bounded, TCP connect,
 * DNS, all from {@code --source-address} when given.
 */
@Command(
    name = "probe",
    description = "Run a probe agent: follow the region's assignment, check every target, report to every node.",
    mixinStandardHelpOptions = true)
final class ProbeCommand implements Callable<Integer> {

  @Option(names = "--region", required = true, paramLabel = "CLOUD:REGION",
      description = "The region this agent checks from, e.g. aws:eu-central-1.")
  String region;

  @Option(names = "--control-plane", required = true, split = ",", paramLabel = "URL",
      description = "Every control-plane node, comma-separated; observations go to each of them.")
  List<URI> controlPlanes = new ArrayList<>();

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding an API token with the probe role (default: the TERN_TOKEN environment variable).")
  Optional<Path> tokenFile = Optional.empty();

  @Option(names = "--source-address", paramLabel = "IP",
      description = "Local address checks connect from (default: the system chooses).")
  Optional<String> sourceAddress = Optional.empty();

  @Option(names = "--metrics", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
      description = "Where /health and /metrics are served (default: ${DEFAULT-VALUE}).")
  String metrics;

  @Option(names = "--metrics-token-file", paramLabel = "FILE",
      description = "File holding a token that /metrics requires as 'Authorization: Bearer'; /health stays open"
          + " (default: /metrics is open).")
  Optional<Path> metricsTokenFile = Optional.empty();

  @Option(names = "--buffer", paramLabel = "N", defaultValue = "100000",
      description = "Observations buffered per node while it is unreachable; the oldest go first (default: ${DEFAULT-VALUE}).")
  int buffer;

  private final Consumer<ProbeAgent> onStarted;
  private final CountDownLatch stop = new CountDownLatch(1);

  ProbeCommand() {
    this(agent -> {});
  }

  /** For tests, which need the started agent to read it and to stop it. */
  ProbeCommand(Consumer<ProbeAgent> onStarted) {
    this.onStarted = onStarted;
  }

  /** Makes {@link #call()} return after closing the agent. */
  void stop() {
    stop.countDown();
  }

  @Override
  public Integer call() throws InterruptedException {
    Optional<Region> vantage = Region.parse(region);
    if (vantage.isEmpty()) {
      return usage("unknown region '" + region + "'; write cloud:region, e.g. aws:eu-central-1");
    }
    for (URI uri : controlPlanes) {
      if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null) {
        return usage("--control-plane " + uri + " is not an http(s) URL; write e.g. http://10.0.0.5:8080");
      }
    }
    Optional<String> token;
    try {
      token = token();
    } catch (IOException e) {
      return usage("cannot read the token file " + tokenFile.orElseThrow() + "; give a readable file to --token-file");
    }
    if (token.isEmpty()) {
      return usage("no token: give --token-file or set TERN_TOKEN to a probe token");
    }
    Optional<InetSocketAddress> metricsAddress = hostPort(metrics);
    if (metricsAddress.isEmpty()) {
      return usage("--metrics " + metrics + " is not HOST:PORT; write e.g. 127.0.0.1:9464");
    }
    Optional<InetAddress> source;
    try {
      source = sourceAddress.isEmpty() ? Optional.empty() : Optional.of(InetAddress.getByName(sourceAddress.get()));
    } catch (UnknownHostException e) {
      return usage("--source-address " + sourceAddress.get() + " is not an address of this machine");
    }
    Reporter.Settings reporting;
    try {
      reporting = Reporter.Settings.defaults().withBuffer(buffer);
    } catch (IllegalArgumentException e) {
      return usage("--buffer " + buffer + ": " + e.getMessage());
    }
    ProbeAgent.Settings settings = new ProbeAgent.Settings(vantage.get(), controlPlanes, token.get(),
        metricsAddress.get(), Duration.ofSeconds(30), reporting);
    if (metricsTokenFile.isPresent()) {
      Optional<String> metricsToken;
      try {
        metricsToken = readToken(metricsTokenFile.get());
      } catch (IOException e) {
        return usage("cannot read the metrics token file " + metricsTokenFile.get()
            + "; give a readable file to --metrics-token-file");
      }
      if (metricsToken.isEmpty()) {
        return usage("the metrics token file " + metricsTokenFile.get() + " is empty");
      }
      settings = settings.withMetricsToken(metricsToken.get());
    }
    ProbeAgent agent;
    Checkers checkers = new Checkers(source);
    try {
      agent = new ProbeAgent(settings, checkers, Clock.systemUTC(), new SplittableRandom());
    } catch (IOException e) {
      checkers.close();
      System.err.println("tern probe: cannot serve metrics on " + metrics + " (" + e.getMessage()
          + "); choose another --metrics address.");
      return 1;
    }
    Thread hook = new Thread(this::stop, "tern-probe-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println("tern probe: checking from " + vantage.get() + ", reporting to " + controlPlanes
        + "; metrics at http://" + metrics + "/metrics");
    onStarted.accept(agent);
    try {
      stop.await();
    } finally {
      agent.close();
      checkers.close();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // The hook is what stopped the agent; the JVM is already on its way out.
    }
    return 0;
  }

  /** A token file's content without surrounding whitespace; empty for an empty file. */
  private static Optional<String> readToken(Path file) throws IOException {
    return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()).filter(t -> !t.isEmpty());
  }

  private Optional<String> token() throws IOException {
    if (tokenFile.isPresent()) {
      return readToken(tokenFile.get());
    }
    return Optional.ofNullable(System.getenv("TERN_TOKEN")).map(String::strip).filter(t -> !t.isEmpty());
  }

  private static Optional<InetSocketAddress> hostPort(String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0) {
      return Optional.empty();
    }
    try {
      int port = Integer.parseInt(value.substring(colon + 1));
      String host = value.substring(0, colon).replace("[", "").replace("]", "");
      return port < 0 || port > 65535 ? Optional.empty() : Optional.of(new InetSocketAddress(host, port));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static int usage(String message) {
    System.err.println("tern probe: " + message + ".");
    return 2;
  }
}
