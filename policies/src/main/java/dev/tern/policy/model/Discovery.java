package dev.tern.policy.model;

import java.util.Objects;
import java.util.Set;

/**
 * A service's {@code discovery} block: how backends found in Kubernetes join the ones the policy
 * declares (see docs/kubernetes-discovery.md). Backends labelled for a service join it whether
 * or not the block is written; the block only narrows and tunes that.
 *
 * @param declared whether the policy wrote the block; a service that writes it may declare no
 *     backend of its own and take every backend from its clusters
 * @param exclude discovered backend names never added
 * @param pin discovered backend names kept, as last seen, when their cluster no longer reports them
 * @param healthCheck how probes check a discovered backend
 */
public record Discovery(boolean declared, Set<String> exclude, Set<String> pin, HealthCheck healthCheck) {

  /** No block written: discovered backends come and go with their cluster, checked with the defaults. */
  public static final Discovery DEFAULTS = new Discovery(false, Set.of(), Set.of(), HealthCheck.defaults());

  public Discovery {
    exclude = Set.copyOf(exclude);
    pin = Set.copyOf(pin);
    Objects.requireNonNull(healthCheck, "healthCheck");
  }
}
