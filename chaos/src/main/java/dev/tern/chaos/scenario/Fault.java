package dev.tern.chaos.scenario;

import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.util.Objects;

/** What a scenario does to its targets while it runs. Every fault has a revert. */
public sealed interface Fault {

  /** The word a scenario file uses for this fault. */
  String kind();

  /** The targets stop answering (their servers stop, or are scaled to zero, or are cut off). */
  record Outage() implements Fault {
    public String kind() {
      return "outage";
    }
  }

  /** Every answer of the targets takes {@code latency} longer. */
  record AddedLatency(Duration latency) implements Fault {
    public AddedLatency {
      Objects.requireNonNull(latency, "latency");
    }

    public String kind() {
      return "latency";
    }
  }

  /** A share of the targets' answers fail (0 < rate ≤ 1). */
  record ErrorRate(double rate) implements Fault {
    public String kind() {
      return "errors";
    }
  }

  /** The targets go down and come back every {@code period}, to prove hysteresis holds. */
  record Flap(Duration period) implements Fault {
    public Flap {
      Objects.requireNonNull(period, "period");
    }

    public String kind() {
      return "flap";
    }
  }

  /** One vantage point loses its view of the targets: quorum must keep traffic where it is. */
  record ProbePartition(Region vantage) implements Fault {
    public ProbePartition {
      Objects.requireNonNull(vantage, "vantage");
    }

    public String kind() {
      return "probe-partition";
    }
  }

  /** A provider's API calls fail, so its reconciler must retry and converge after the heal. */
  record ProviderApiFailure(String provider) implements Fault {
    public ProviderApiFailure {
      Objects.requireNonNull(provider, "provider");
    }

    public String kind() {
      return "provider-api-failure";
    }
  }

  /** The Raft leader is killed, while the scenario's other faults (if any) are under way. */
  record LeaderKill() implements Fault {
    public String kind() {
      return "leader-kill";
    }
  }
}
