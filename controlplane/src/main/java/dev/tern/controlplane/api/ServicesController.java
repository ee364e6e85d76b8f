package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.provider.ProviderReconciler;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.model.Policy;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.HealthView;
import dev.tern.policy.routing.PlanDiff;
import dev.tern.policy.routing.RoutingEngine;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.validation.PolicyValidator;
import dev.tern.policy.validation.Violation;
import dev.tern.policy.yaml.ParsedPolicy;
import dev.tern.policy.yaml.PolicyParser;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Services and their policies: list, read, create or replace (with a dry run that shows the
 * validation result and the plan diff without committing), delete, and the current plan.
 */
@Controller("/api/v1/services")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ServicesController {

  /** One line of the service list. */
  @Serdeable
  record Summary(String name, String hostname, String method, long policyVersion, Long planVersion, int backends) {}

  /** One service's policy as written. */
  @Serdeable
  record Detail(String name, String hostname, long policyVersion, String yaml) {}

  /** What applying a policy would do, or did. */
  @Serdeable
  record Outcome(boolean valid, boolean committed, Long policyVersion, List<PolicyValidationController.ViolationView> violations,
      List<String> planDiff) {}

  private final RaftNode node;
  private final HealthBook book;
  private final Writes writes;
  private final ProviderReconciler providers;
  private final PolicyParser parser = new PolicyParser();
  private final RoutingEngine engine = new RoutingEngine();

  ServicesController(RaftNode node, HealthBook book, Writes writes, ProviderReconciler providers) {
    this.providers = providers;
    this.node = node;
    this.book = book;
    this.writes = writes;
  }

  @Get
  List<Summary> list() {
    return node.state().services().stream()
        .map(s -> new Summary(s.name(), s.model().hostname(), s.model().routing().key(), s.policyVersion(),
            s.plan().map(RoutingPlan::version).orElse(null), s.model().backends().size()))
        .toList();
  }

  @Get("/{name}")
  Detail get(String name) {
    ServiceState s = find(name);
    return new Detail(s.name(), s.model().hostname(), s.policyVersion(), s.yaml());
  }

  @Get("/{name}/plan")
  Views.Plan plan(String name) {
    return find(name).plan().map(Views.Plan::of)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "service " + name + " has no plan yet; the leader decides within a second"));
  }

  /**
   * Creates or replaces a service from one {@code kind: Service} YAML document. With {@code
   * dryRun=true} nothing is committed: the answer says whether the policy is valid and how the
   * plan would change. With {@code ifPolicyVersion=N} the change applies only if the service is still
   * at version N (0: it must not exist yet); otherwise 409, and nothing changes.
   */
  @Put(uri = "/{name}", consumes = {PolicyValidationController.APPLICATION_YAML, MediaType.TEXT_PLAIN})
  @RequiresRole(Role.ADMIN)
  Outcome put(String name, @Body String yaml, @Nullable @QueryValue String reason,
      @Nullable @QueryValue Boolean dryRun, @Nullable @QueryValue Long ifPolicyVersion, Caller caller) {
    List<Violation> violations = new ArrayList<>();
    Optional<Service> service = parseOne(name, yaml, violations);
    List<PolicyValidationController.ViolationView> views =
        violations.stream().map(PolicyValidationController.ViolationView::of).toList();
    if (service.isEmpty()) {
      if (Boolean.TRUE.equals(dryRun)) {
        return new Outcome(false, false, null, views, List.of());
      }
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY, "the policy is invalid: "
          + String.join("; ", violations.stream().limit(5).map(v -> v.format(name)).toList())
          + (violations.size() > 5 ? "; and " + (violations.size() - 5) + " more (use ?dryRun=true to see all)" : ""));
    }
    List<String> diff = previewDiff(service.get());
    if (Boolean.TRUE.equals(dryRun)) {
      return new Outcome(true, false, null, views, diff);
    }
    if (ifPolicyVersion != null && ifPolicyVersion < 0) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, "ifPolicyVersion is the service's policy version the edit"
          + " was made on (0 for a new service), got " + ifPolicyVersion);
    }
    long version = writes.commit(new Command.PutService(caller.name(), writes.now(), Writes.requireReason(reason), name, yaml,
        ifPolicyVersion == null ? Command.PutService.ANY_VERSION : ifPolicyVersion));
    return new Outcome(true, true, version, views, diff);
  }

  @Delete("/{name}")
  @RequiresRole(Role.ADMIN)
  Outcome delete(String name, @Nullable @QueryValue String reason, Caller caller) {
    find(name);
    long version = writes.commit(new Command.DeleteService(caller.name(), writes.now(), Writes.requireReason(reason), name));
    return new Outcome(true, true, version, List.of(), List.of());
  }

  private Optional<Service> parseOne(String name, String yaml, List<Violation> violations) {
    ParsedPolicy parsed = parser.parse(yaml);
    violations.addAll(parsed.violations());
    if (!parsed.isValid()) {
      return Optional.empty();
    }
    Policy policy = parsed.policy().get();
    if (policy.services().size() != 1 || !policy.services().getFirst().name().equals(name)) {
      violations.add(Violation.at("", "the body must hold exactly one kind: Service document named " + name
          + " (found " + policy.services().stream().map(Service::name).toList() + ")"));
      return Optional.empty();
    }
    Service service = policy.services().getFirst();
    for (ServiceState other : node.state().services()) {
      if (!other.name().equals(name)
          && PolicyValidator.hostnameKey(other.model().hostname()).equals(PolicyValidator.hostnameKey(service.hostname()))) {
        violations.add(Violation.at("services." + name + ".hostname",
            PolicyValidator.duplicateHostname(service.hostname(), other.name())));
        return Optional.empty();
      }
    }
    // A provider bound to the service that cannot express its policy refuses it, saying why.
    List<String> refused = providers.cannotExpress(service);
    refused.forEach(r -> violations.add(Violation.at("services." + name, "provider " + r)));
    return refused.isEmpty() ? Optional.of(service) : Optional.empty();
  }

  /** The plan change the new policy would cause right now, given current health. */
  private List<String> previewDiff(Service service) {
    Optional<ServiceState> current = node.state().service(service.name());
    Map<String, HealthVerdict> verdicts = new HashMap<>();
    current.ifPresent(s -> s.verdicts().forEach((b, v) ->
        verdicts.put(b, new HealthVerdict(b, v.health(), v.since(), v.lastUnhealthy(), List.of(), v.reason()))));
    HealthView view = new HealthView(verdicts, book.latency(service.name(), writes.now()),
        current.map(s -> s.drains().keySet()).orElse(java.util.Set.of()));
    Optional<RoutingPlan> previous = current.flatMap(ServiceState::plan);
    RoutingPlan next = engine.decide(CompiledService.of(service), node.state().policyVersion() + 1, view, previous, writes.now()).plan();
    return List.of(PlanDiff.between(previous, next).render().split("\n"));
  }

  private ServiceState find(String name) {
    return node.state().service(name)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no service named " + name));
  }
}
