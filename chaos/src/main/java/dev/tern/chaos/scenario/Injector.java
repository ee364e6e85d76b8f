package dev.tern.chaos.scenario;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Who injects a fault, and which faults each can inject.
 *
 * <table>
 *   <tr><th>Injector</th><th>Faults</th><th>How</th></tr>
 *   <tr><td>demo</td><td>outage, latency, errors, flap, probe-partition, leader-kill</td><td>the demo world's simulated region servers, probes and nodes, for real</td></tr>
 *   <tr><td>probe-fault</td><td>outage, latency, errors, flap, probe-partition</td><td>the probes report the targets as failing; the backends are untouched (reports say so)</td></tr>
 *   <tr><td>kubernetes</td><td>outage</td><td>a deployment scaled to zero or a deny-all NetworkPolicy, reverted exactly</td></tr>
 *   <tr><td>provider-fault</td><td>provider-api-failure</td><td>the provider's API calls fail</td></tr>
 * </table>
 */
public enum Injector {
  DEMO("demo", Set.of("outage", "latency", "errors", "flap", "probe-partition", "leader-kill")),
  PROBE_FAULT("probe-fault", Set.of("outage", "latency", "errors", "flap", "probe-partition")),
  KUBERNETES("kubernetes", Set.of("outage")),
  PROVIDER_FAULT("provider-fault", Set.of("provider-api-failure"));

  private final String key;
  private final Set<String> faults;

  Injector(String key, Set<String> faults) {
    this.key = key;
    this.faults = faults;
  }

  public String key() {
    return key;
  }

  public boolean canInject(Fault fault) {
    return faults.contains(fault.kind());
  }

  /** The faults this injector can inject, sorted, for messages. */
  public List<String> faults() {
    return faults.stream().sorted().toList();
  }

  public static Optional<Injector> parse(String key) {
    return Arrays.stream(values()).filter(i -> i.key.equals(key)).findFirst();
  }

  public static List<String> keys() {
    return Arrays.stream(values()).map(Injector::key).toList();
  }
}
