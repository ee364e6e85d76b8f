package dev.tern.controlplane.kubernetes;

import dev.tern.policy.model.Backend;
import dev.tern.policy.model.HealthCheck;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Merges a service's declared backends with the ones discovered in Kubernetes, under the policy's
 * {@code discovery: {exclude: [names], pin: [names]}}. Pure: no clock, no I/O, the same inputs give the same list.
 *
 * <table>
 *   <caption>Which backend ends up in the service</caption>
 *   <tr><th>Backend</th><th>Result</th></tr>
 *   <tr><td>declared in the policy</td><td>kept as declared, first, in the policy's order</td></tr>
 *   <tr><td>discovered, name declared too</td><td>dropped: the policy's own backend wins</td></tr>
 *   <tr><td>discovered, name in {@code exclude}</td><td>dropped (exclude wins over pin)</td></tr>
 *   <tr><td>discovered</td><td>added, marked discovered, sorted by name after the declared ones</td></tr>
 *   <tr><td>in {@code pin}, no longer discovered, in the previous result</td><td>kept as it was last seen</td></tr>
 *   <tr><td>in {@code pin}, never discovered</td><td>absent: there is no address to pin</td></tr>
 * </table>
 */
public final class BackendMerge {

  private BackendMerge() {}

  /** A policy's {@code discovery} block: discovered backend names never added, and names kept once seen. */
  public record Rule(Set<String> exclude, Set<String> pin) {
    public Rule {
      exclude = Set.copyOf(exclude);
      pin = Set.copyOf(pin);
    }

    /** No exclusions, no pins: every discovered backend comes and goes with its cluster. */
    public static Rule none() {
      return new Rule(Set.of(), Set.of());
    }
  }

  /**
   * A backend of the merged list.
   *
   * @param source the cluster object it came from; empty for a declared backend
   * @param ready false when the cluster reports no ready endpoint (for the health view); always true when declared
   * @param pinned kept by {@code pin} although its cluster no longer reports it
   */
  public record MergedBackend(Backend backend, Optional<DiscoveredBackend.Source> source, boolean ready,
      boolean pinned) {
    public MergedBackend {
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(source, "source");
    }

    public boolean discovered() {
      return source.isPresent();
    }
  }

  /**
   * The service's backends.
   *
   * @param previous this function's last result for the service (empty at first), which pins keep from
   * @param healthCheck how probes check a discovered backend (the service's default check)
   */
  public static List<MergedBackend> merge(List<Backend> declared, List<DiscoveredBackend> discovered,
      List<MergedBackend> previous, Rule rule, HealthCheck healthCheck) {
    List<MergedBackend> out = new ArrayList<>();
    Set<String> taken = new HashSet<>();
    for (Backend b : declared) {
      out.add(new MergedBackend(b, Optional.empty(), true, false));
      taken.add(b.name());
    }
    List<MergedBackend> found = new ArrayList<>();
    for (DiscoveredBackend d : discovered) {
      if (rule.exclude().contains(d.name()) || !taken.add(d.name())) {
        continue;
      }
      Backend b = new Backend(d.name(), d.region(), d.jurisdiction(), d.address(), d.weight(), d.priority(),
          d.capacity(), healthCheck);
      found.add(new MergedBackend(b, Optional.of(d.source()), d.ready(), false));
    }
    for (MergedBackend p : previous) {
      String name = p.backend().name();
      if (p.discovered() && rule.pin().contains(name) && !rule.exclude().contains(name) && taken.add(name)) {
        found.add(new MergedBackend(p.backend(), p.source(), p.ready(), true));
      }
    }
    found.sort(Comparator.comparing(m -> m.backend().name()));
    out.addAll(found);
    return List.copyOf(out);
  }
}
