package dev.tern.controlplane.cli;

import dev.tern.controlplane.demo.DemoRegions.RegionStatus;
import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.routing.PlanDiff;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.ZoneAnswer;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tern demo}: the whole world on loopback ({@link DemoWorld}) until Ctrl-C, with what to
 * try printed; {@code tern demo region stop|start} takes a region down and up in a running demo.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    subcommands = DemoCommand.RegionCommand.class,
    description = {
      "Starts Tern on loopback: a 3-node control plane, the service shop.tern.test with a real backend in six",
      "regions of three clouds, one probe agent per region, and the embedded DNS server. Stop a region and watch",
      "its address leave the DNS answers. Ctrl-C stops everything."
    })
final class DemoCommand implements Callable<Integer> {

  static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "HTTP port of node 1: API and console (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int port;

  @Option(names = "--dns-port", paramLabel = "PORT", defaultValue = "5353",
      description = "DNS port of node 1, UDP and TCP (default: ${DEFAULT-VALUE}; 0 picks a free one).")
  int dnsPort;

  @Option(names = "--duration", paramLabel = "DURATION", converter = DurationConverter.class,
      description = "Stop by itself after this long, e.g. 90s or 10m (default: run until Ctrl-C).")
  Optional<Duration> duration = Optional.empty();

  @Option(names = "--verbose",
      description = "Keep the nodes' and agents' INFO log lines on standard error (default: warnings and errors only).")
  boolean verbose;

  private final CountDownLatch stop = new CountDownLatch(1);
  private final CountDownLatch stopped = new CountDownLatch(1);
  private final Consumer<DemoWorld> onReady;

  DemoCommand() {
    this(world -> {});
  }

  /** For tests, which need the running world and a way to stop it. */
  DemoCommand(Consumer<DemoWorld> onReady) {
    this.onReady = onReady;
  }

  /**
   * The demo tells its story on standard output; three nodes' and six agents' routine INFO lines
   * on the same terminal would bury it. Warnings and errors still show.
   */
  private static void quietLogs() {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext logback) {
      logback.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
    }
    java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
  }

  /** Makes {@link #call()} stop the world and return. */
  void stop() {
    stop.countDown();
  }

  @Override
  public Integer call() throws InterruptedException {
    if (!verbose) {
      quietLogs();
    }
    PrintStream out = System.out;
    DemoWorld.Options options;
    try {
      options = new DemoWorld.Options(port, dnsPort);
    } catch (IllegalArgumentException e) {
      System.err.println("tern demo: " + e.getMessage() + ".");
      return 2;
    }
    Instant started = Instant.now();
    out.println("Tern demo: starting a 3-node control plane, 6 regions, 6 probe agents and DNS on loopback ...");
    // On SIGTERM or SIGINT the JVM exits once its hooks return: hold it until the world is down,
    // even when the signal comes while the world is still starting.
    Thread hook = new Thread(() -> {
      stop();
      try {
        stopped.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "tern-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      DemoWorld world;
      try {
        world = DemoWorld.start(options);
      } catch (IOException | RuntimeException e) {
        System.err.println("tern demo: cannot start: " + e.getMessage()
            + ". If a port is taken, choose others with --port and --dns-port.");
        return 1;
      }
      try {
        return run(out, world, started);
      } finally {
        world.close();
        out.println("Tern demo: stopped; nothing is left listening.");
        out.flush();
      }
    } finally {
      stopped.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is what stopped the demo; the JVM is already on its way out.
      }
    }
  }

  /** Waits for the world to be ready, prints the guide, then the plan changes until stopped. */
  private int run(PrintStream out, DemoWorld world, Instant started) throws InterruptedException {
    Instant deadline = started.plus(READY_TIMEOUT);
    while (!world.isReady()) {
      if (stop.await(50, TimeUnit.MILLISECONDS)) {
        return 0;
      }
      if (Instant.now().isAfter(deadline)) {
        System.err.println("tern demo: not ready within " + READY_TIMEOUT.toSeconds()
            + " s; the log above says which part did not come up.");
        return 1;
      }
    }
    printGuide(out, world, Duration.between(started, Instant.now()));
    onReady.accept(world);
    watchPlans(out, world, started);
    return 0;
  }

  /** Prints each new plan as it is committed, until stopped or {@code --duration} ends. */
  private void watchPlans(PrintStream out, DemoWorld world, Instant started) throws InterruptedException {
    Instant end = duration.map(d -> started.plus(d)).orElse(Instant.MAX);
    Optional<RoutingPlan> shown = world.service().flatMap(ServiceState::plan);
    while (!stop.await(250, TimeUnit.MILLISECONDS)) {
      if (Instant.now().isAfter(end)) {
        return;
      }
      Optional<RoutingPlan> now = world.service().flatMap(ServiceState::plan);
      if (now.isPresent() && (shown.isEmpty() || now.get().version() != shown.get().version())) {
        if (shown.isEmpty() || !now.get().sameAnswersAs(shown.get())) {
          out.printf("t+%ds  %s", Duration.between(started, Instant.now()).toSeconds(),
              PlanDiff.between(shown, now.get()).render());
        }
        shown = now;
      }
    }
  }

  private static void printGuide(PrintStream out, DemoWorld world, Duration startup) {
    DemoWorld.Credentials c = world.credentials();
    List<URI> urls = world.urls();
    String api = urls.getFirst().toString();
    String tokenFile = world.operatorTokenFile().toString();
    out.printf("Ready in %.1f s: every backend healthy, every client zone answered from measured latency.%n%n",
        startup.toMillis() / 1000.0);
    out.printf("admin token: %s%n", c.adminToken());
    out.printf("operator token: %s   (also in %s, mode 0600)%n", c.operatorToken(), tokenFile);
    out.printf("console login: %s / %s   (viewer: %s / %s)%n%n", c.consoleUser(), c.consolePassword(),
        c.viewerUser(), c.viewerPassword());
    out.printf("API and console  %s   (nodes 2 and 3: %s)%n", api,
        String.join(", ", urls.subList(1, urls.size()).stream().map(URI::toString).toList()));
    out.printf("DNS              127.0.0.1:%d UDP and TCP, zone %s   (nodes 2 and 3: ports %d, %d)%n%n",
        world.dnsPort(0), DemoWorld.DNS_ZONE, world.dnsPort(1), world.dnsPort(2));
    out.println("Regions           backend              probe agent from");
    for (RegionStatus r : world.regions().status()) {
      out.printf("  %-20s  %-20s %s%n", r.region(), r.backend(), r.probeSource());
    }
    world.service().flatMap(ServiceState::plan).ifPresent(plan -> {
      out.printf("%nAnswers now (plan v%d):%n", plan.version());
      for (ZoneAnswer z : plan.zones()) {
        out.printf("  %-15s %s%n", z.zone().key(), String.join(", ",
            z.answers().stream().map(a -> a.backend() + " " + a.address()).toList()));
      }
    });
    String outage = euRegion(world);
    int dns = world.dnsPort(0);
    out.println();
    out.println("Try:");
    out.printf("  dig @127.0.0.1 -p %d %s +subnet=10.10.0.1/24       # an EU client%n", dns, DemoWorld.HOSTNAME);
    out.printf("  dig @127.0.0.1 -p %d %s +subnet=10.20.0.1/24       # a North American client%n", dns, DemoWorld.HOSTNAME);
    out.printf("  dig @127.0.0.1 -p %d %s +subnet=10.30.0.1/24       # an Asian client%n", dns, DemoWorld.HOSTNAME);
    out.printf("  dig @127.0.0.1 -p %d _tern.%s TXT +subnet=10.10.0.1/24   # why this answer%n", dns, DemoWorld.HOSTNAME);
    out.printf("  ./tern demo region stop %s --server %s --token-file %s     # EU clients' region%n", outage, api, tokenFile);
    out.printf("  ./tern demo region start %s --server %s --token-file %s%n", outage, api, tokenFile);
    out.printf("  curl -X POST -H \"Authorization: Bearer $(cat %s)\" %s/api/v1/demo/regions/%s/stop%n",
        tokenFile, api, outage);
    out.printf("  curl -H \"Authorization: Bearer $(cat %s)\" %s/api/v1/backends%n", tokenFile, api);
    out.printf("  curl -H \"Authorization: Bearer $(cat %s)\" %s/api/v1/services/shop/plan%n", tokenFile, api);
    out.printf("  curl -H \"Authorization: Bearer $(cat %s)\" %s/api/v1/failovers%n", tokenFile, api);
    // Chaos runs start on the leader; it is named here as it is now.
    String leaderApi = world.leader().flatMap(world::node).map(n -> n.uri().toString().replaceAll("/+$", "")).orElse(api);
    out.printf("  ./tern chaos run docs/examples/chaos/eu-region-outage.yaml --reason try --wait --server %s --token-file %s%n",
        leaderApi, tokenFile);
    out.println("A stopped region leaves the answers within 3 s. Started again, it may answer 10 s after it recovers;");
    out.println("latency routing moves clients back only if it is more than 20 ms faster than their current backend.");
    out.println("Plan changes are printed below as they happen. Ctrl-C stops everything.");
    out.println();
    out.flush();
  }

  /** The region whose backend answers EU clients now: the one worth stopping first. */
  private static String euRegion(DemoWorld world) {
    return world.service().flatMap(s -> s.plan().flatMap(p -> p.zones().stream()
            .filter(z -> z.zone().key().equals("EU") && !z.answers().isEmpty())
            .findFirst()
            .flatMap(z -> s.model().backend(z.answers().getFirst().backend()))))
        .map(b -> b.region().key())
        .orElse("aws:eu-central-1");
  }

  /** Reads {@code 90s}, {@code 10m}, {@code 1h}. */
  static final class DurationConverter implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration d = Duration.parse("PT" + value.strip().toUpperCase(Locale.ROOT));
        if (d.isNegative() || d.isZero()) {
          throw new IllegalArgumentException("--duration must be positive, e.g. 90s");
        }
        return d;
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("--duration " + value + " is not a duration; write e.g. 90s, 10m or 1h", e);
      }
    }
  }

  /** {@code tern demo region stop|start CLOUD:REGION}: a region of a running demo goes down or up. */
  @Command(name = "region", mixinStandardHelpOptions = true,
      description = "Take a region of a running demo down (its backend stops listening) or up again.")
  static final class RegionCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "stop|start", description = "What to do.")
    String action;

    @Parameters(index = "1", paramLabel = "CLOUD:REGION", description = "The region, e.g. aws:eu-central-1.")
    String region;

    @Mixin
    RemoteOptions remote;

    @Override
    public Integer call() {
      if (!action.equals("stop") && !action.equals("start")) {
        System.err.println("tern demo region: say stop or start, not '" + action + "'.");
        return 2;
      }
      HttpResponse<String> response;
      try {
        response = remote.send("POST", "/api/v1/demo/regions/" + region + "/" + action, null, null);
      } catch (IOException e) {
        System.err.println("tern demo region: " + e.getMessage());
        return 1;
      }
      if (response.statusCode() != 200) {
        System.err.println("tern demo region: " + RemoteOptions.problem(response));
        return 1;
      }
      System.out.println(region + (action.equals("stop") ? " stopped: its backend no longer listens."
          : " started: its backend listens again; it may answer again once the failback delay has passed."));
      return 0;
    }
  }
}
