package dev.tern.controlplane.state;

import dev.tern.controlplane.kubernetes.BackendMerge.MergedBackend;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Everything replicated about one service: its policy (as written and as parsed), manual drains,
 * the latest health verdicts and the current plan.
 *
 * <p>{@code model} is the effective service: the policy's own backends followed by those
 * Kubernetes discovery added ({@code discovered}, keyed by backend name, with where each came
 * from); see {@link dev.tern.controlplane.kubernetes.BackendMerge}.
 *
 * @param policyVersion the cluster policy version at which this service last changed
 */
public record ServiceState(
    String name,
    String yaml,
    Service model,
    long policyVersion,
    Map<String, Drain> drains,
    Map<String, VerdictRecord> verdicts,
    Optional<RoutingPlan> plan,
    Map<String, MergedBackend> discovered) {

  /** A service whose backends are all declared in its policy. */
  public ServiceState(String name, String yaml, Service model, long policyVersion, Map<String, Drain> drains,
      Map<String, VerdictRecord> verdicts, Optional<RoutingPlan> plan) {
    this(name, yaml, model, policyVersion, drains, verdicts, plan, Map.of());
  }

  /** A backend taken out of service by an operator. */
  public record Drain(String actor, Instant at, String reason) {
    public Drain {
      Objects.requireNonNull(actor, "actor");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(reason, "reason");
    }
  }

  public ServiceState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(model, "model");
    drains = Collections.unmodifiableMap(new TreeMap<>(drains));
    verdicts = Collections.unmodifiableMap(new TreeMap<>(verdicts));
    Objects.requireNonNull(plan, "plan");
    discovered = Collections.unmodifiableMap(new TreeMap<>(discovered));
  }

  /** How {@code backend} came into the service, when Kubernetes discovery brought it. */
  public Optional<MergedBackend> discoveredBackend(String backend) {
    return Optional.ofNullable(discovered.get(backend));
  }

  ServiceState withPlan(RoutingPlan next) {
    return new ServiceState(name, yaml, model, policyVersion, drains, verdicts, Optional.of(next), discovered);
  }

  ServiceState withDrains(Map<String, Drain> next) {
    return new ServiceState(name, yaml, model, policyVersion, next, verdicts, plan, discovered);
  }

  ServiceState withVerdicts(Map<String, VerdictRecord> next) {
    return new ServiceState(name, yaml, model, policyVersion, drains, next, plan, discovered);
  }
}
