package dev.tern.controlplane.cli;

import dev.tern.controlplane.demo.DemoRun;
import dev.tern.policy.geo.Region;
import dev.tern.policy.model.Policy;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tern demo}: the decision engine at work on the example policy, in simulated time. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Shows Tern deciding: the example policy's plans, a region going dark, failover, failback.",
      "Probes and time are simulated in memory (10 s rounds); nothing listens on the network."
    })
final class DemoCommand implements Callable<Integer> {

  @Option(names = "--policy", paramLabel = "FILE", description = "Policy YAML (default: the bundled example).")
  Optional<Path> policyFile;

  @Option(names = "--outage", paramLabel = "CLOUD:REGION",
      description = "Region to take down (default: where the first service's first backend runs).")
  Optional<String> outage;

  @Override
  public Integer call() {
    Optional<Policy> policy = PolicyFiles.load(policyFile, System.err);
    if (policy.isEmpty()) {
      return 1;
    }
    Region region;
    if (outage.isPresent()) {
      Optional<Region> parsed = Region.parse(outage.get());
      if (parsed.isEmpty()) {
        System.err.println("unknown region '" + outage.get() + "': write it as cloud:region, e.g. aws:eu-central-1");
        return 2;
      }
      region = parsed.get();
    } else {
      region = DemoRun.defaultOutage(policy.get());
    }
    System.out.println("Tern demo: " + PolicyFiles.name(policyFile) + ", "
        + policy.get().services().size() + " services, simulated probes and clock.");
    boolean ok = new DemoRun(policy.get(), region, System.out, Instant.now().truncatedTo(ChronoUnit.SECONDS)).play();
    return ok ? 0 : 3;
  }
}
