package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.decision.WhatIf;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.model.Backend;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.PlanDiff;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code POST /api/v1/what-if}: what the plans would become if some backends, whole regions or
 * whole clouds failed. It runs the decision engine on a copy of this node's view and commits
 * nothing, so a viewer may ask.
 */
@Controller("/api/v1")
final class WhatIfController {

  /** What to fail: backends as {@code service/backend}, regions as {@code cloud:region}, clouds by key. */
  @Serdeable
  record Scenario(@Nullable List<String> backends, @Nullable List<String> regions, @Nullable List<String> clouds) {}

  /** The answer: every service with a failed backend, and a reminder that nothing changed. */
  @Serdeable
  record Result(boolean committed, String note, boolean residencyHolds, List<ServiceOutcome> services) {}

  /** One service: today's plan, the what-if plan, the diff, residency per zone, and notes in words. */
  @Serdeable
  record ServiceOutcome(String service, boolean affected, List<String> failedBackends, Views.Plan current,
      Views.Plan whatIf, List<String> planDiff, List<ZoneResidencyView> residency, boolean residencyHolds,
      List<WarningView> warnings, List<String> notes) {}

  /** Whether one zone keeps the residency rule. */
  @Serdeable
  record ZoneResidencyView(String zone, boolean bound, boolean holds, String statement) {}

  /** What the what-if decision would page about. */
  @Serdeable
  record WarningView(String kind, String zone, String message) {}

  static final String NOTE = "Nothing was changed: this is the engine's answer on a copy of today's health.";

  private final RaftNode node;
  private final HealthBook book;
  private final Writes writes;
  private final WhatIf whatIf = new WhatIf();

  WhatIfController(RaftNode node, HealthBook book, Writes writes) {
    this.node = node;
    this.book = book;
    this.writes = writes;
  }

  @Post("/what-if")
  @ExecuteOn(TaskExecutors.BLOCKING)
  @RequiresRole(Role.VIEWER)
  Result whatIf(@Body Scenario scenario) {
    List<String> backends = scenario.backends() == null ? List.of() : scenario.backends();
    List<String> regions = scenario.regions() == null ? List.of() : scenario.regions();
    List<String> clouds = scenario.clouds() == null ? List.of() : scenario.clouds();
    if (backends.isEmpty() && regions.isEmpty() && clouds.isEmpty()) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST,
          "name at least one thing to fail: backends (service/backend), regions (cloud:region) or clouds (aws, azure, gcp)");
    }
    List<ServiceState> services = node.state().services().stream()
        .sorted(java.util.Comparator.comparing(ServiceState::name)).toList();
    Map<String, Set<String>> failed = failedBackends(services, backends, regions, clouds);
    Instant now = writes.now();
    List<ServiceOutcome> outcomes = new ArrayList<>();
    for (ServiceState s : services) {
      Set<String> mine = failed.getOrDefault(s.name(), Set.of());
      if (mine.isEmpty()) {
        continue;
      }
      outcomes.add(outcome(s, mine, now));
    }
    return new Result(false, NOTE, outcomes.stream().allMatch(ServiceOutcome::residencyHolds), outcomes);
  }

  private ServiceOutcome outcome(ServiceState s, Set<String> failed, Instant now) {
    Map<String, HealthVerdict> verdicts = new HashMap<>();
    s.verdicts().forEach((b, v) ->
        verdicts.put(b, new HealthVerdict(b, v.health(), v.since(), v.lastUnhealthy(), List.of(), v.reason())));
    WhatIf.Today today = new WhatIf.Today(CompiledService.of(s.model()), s.policyVersion(), verdicts,
        book.latency(s.name(), now), s.drains().keySet(), s.plan());
    WhatIf.Outcome o = whatIf.analyse(today, failed, now);
    PlanDiff diff = o.diff();
    List<String> lines = new ArrayList<>();
    diff.changes().forEach(z -> z.lines().forEach(l -> lines.add(z.zone().key() + ": " + l)));
    return new ServiceOutcome(s.name(), true, o.failed(), Views.Plan.of(o.current()), Views.Plan.of(o.whatIf()), lines,
        o.residency().stream().map(r -> new ZoneResidencyView(r.zone().key(), r.bound(), r.holds(), r.statement())).toList(),
        o.residencyHolds(),
        o.warnings().stream().map(w -> new WarningView(w.kind().name(), w.zone().map(z -> z.key()).orElse(null), w.message())).toList(),
        o.notes());
  }

  /** The failed backends by service; an unknown name is a 422 that says which. */
  private static Map<String, Set<String>> failedBackends(List<ServiceState> services, List<String> backends,
      List<String> regions, List<String> clouds) {
    Map<String, Set<String>> out = new HashMap<>();
    List<String> unknown = new ArrayList<>();
    for (String item : backends) {
      int slash = item == null ? -1 : item.indexOf('/');
      Optional<ServiceState> s = slash < 0 ? Optional.empty()
          : services.stream().filter(x -> x.name().equals(item.substring(0, slash))).findFirst();
      if (s.isEmpty() || s.get().model().backend(item.substring(slash + 1)).isEmpty()) {
        unknown.add("backend " + quote(item) + " (write service/backend, e.g. shop/aws-frankfurt)");
        continue;
      }
      out.computeIfAbsent(s.get().name(), k -> new LinkedHashSet<>()).add(item.substring(slash + 1));
    }
    for (String region : regions) {
      boolean found = false;
      for (ServiceState s : services) {
        for (Backend b : s.model().backends()) {
          if (b.region().key().equals(region)) {
            out.computeIfAbsent(s.name(), k -> new LinkedHashSet<>()).add(b.name());
            found = true;
          }
        }
      }
      if (!found) {
        unknown.add("region " + quote(region) + " (no backend is in it; write cloud:region, e.g. aws:eu-central-1)");
      }
    }
    for (String cloud : clouds) {
      Optional<Cloud> c = cloud == null ? Optional.empty() : Cloud.fromKey(cloud);
      if (c.isEmpty()) {
        unknown.add("cloud " + quote(cloud) + " (aws, azure or gcp)");
        continue;
      }
      for (ServiceState s : services) {
        for (Backend b : s.model().backends()) {
          if (b.region().cloud() == c.get()) {
            out.computeIfAbsent(s.name(), k -> new LinkedHashSet<>()).add(b.name());
          }
        }
      }
    }
    if (!unknown.isEmpty()) {
      throw new HttpStatusException(HttpStatus.UNPROCESSABLE_ENTITY, "unknown " + String.join("; ", unknown));
    }
    return out;
  }

  private static String quote(String s) {
    return s == null ? "null" : "'" + s + "'";
  }
}
