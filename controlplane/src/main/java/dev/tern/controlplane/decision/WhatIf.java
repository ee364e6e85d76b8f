package dev.tern.controlplane.decision;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.CompiledService.ZoneRules;
import dev.tern.policy.routing.Decision;
import dev.tern.policy.routing.HealthView;
import dev.tern.policy.routing.PlanDiff;
import dev.tern.policy.routing.PlanWarning;
import dev.tern.policy.routing.RoutingEngine;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What one service's plan would become if some of its backends were UNHEALTHY: the decision
 * engine the leader uses, run on a copy of today's health with those backends failed, and nothing
 * committed.
 *
 * <p>The answer is the plan the decision loop would converge on, not its next tick: the plan-change
 * limit is left out of the computation (a change it would hold back in reality is reported as a
 * note instead), and the engine is run again on its own result until the plan stops changing.
 * Guardrails on what health may drain (share of capacity, fewest backends in service) do apply,
 * as they would in reality; the engine's warnings say when one held a backend in.
 *
 * <p>Pure: time arrives as a parameter; thread-safe as it keeps no state.
 */
public final class WhatIf {

  /** Enough rounds for any plan to settle: each round only removes what the last one still kept. */
  private static final int MAX_ROUNDS = 4;
  private static final Duration CHANGE_WINDOW = Duration.ofMinutes(1);

  private final RoutingEngine engine = new RoutingEngine();

  /**
   * Today's knowledge of one service.
   *
   * @param verdicts the replicated verdicts by backend name
   * @param committed the plan in force, if any
   */
  public record Today(
      CompiledService compiled,
      long policyVersion,
      Map<String, HealthVerdict> verdicts,
      LatencyMatrix latency,
      Set<String> drained,
      Optional<RoutingPlan> committed) {

    public Today {
      Objects.requireNonNull(compiled, "compiled");
      verdicts = Map.copyOf(verdicts);
      Objects.requireNonNull(latency, "latency");
      drained = Set.copyOf(drained);
      Objects.requireNonNull(committed, "committed");
    }
  }

  /**
   * Whether one zone's what-if answer keeps the residency rule.
   *
   * @param bound true when a residency rule binds the zone
   * @param holds true when every answering backend is of an allowed jurisdiction (always, for the
   *     engine never breaks it; said so the console can show it)
   * @param statement one sentence for a human, e.g. "EU clients stay on EU backends: yes"
   */
  public record ZoneResidency(ClientZone zone, boolean bound, boolean holds, String statement) {}

  /**
   * The outcome for one service.
   *
   * @param current the plan in force (or, before the first plan, what the engine decides today)
   * @param whatIf the converged plan with {@code failed} UNHEALTHY
   * @param failed the service's backends assumed UNHEALTHY, in policy order
   * @param warnings what the decision would page about (fail-open, residency fallback, guardrails)
   * @param notes where reality would differ from the converged plan, in words
   */
  public record Outcome(
      RoutingPlan current,
      RoutingPlan whatIf,
      List<String> failed,
      PlanDiff diff,
      List<ZoneResidency> residency,
      List<PlanWarning> warnings,
      List<String> notes) {

    public Outcome {
      failed = List.copyOf(failed);
      residency = List.copyOf(residency);
      warnings = List.copyOf(warnings);
      notes = List.copyOf(notes);
    }

    /** True when every residency-bound zone stays within its jurisdictions. */
    public boolean residencyHolds() {
      return residency.stream().allMatch(ZoneResidency::holds);
    }
  }

  /** The plan {@code today}'s service would converge on if {@code failed} (backend names) were UNHEALTHY. */
  public Outcome analyse(Today today, Set<String> failed, Instant now) {
    CompiledService compiled = today.compiled();
    List<String> failedInOrder = new ArrayList<>();
    Map<String, HealthVerdict> verdicts = new HashMap<>(today.verdicts());
    for (int i = 0; i < compiled.backendCount(); i++) {
      String name = compiled.backend(i).name();
      if (!failed.contains(name)) {
        continue;
      }
      failedInOrder.add(name);
      HealthVerdict was = verdicts.get(name);
      if (was == null || was.health() != Health.UNHEALTHY) {
        verdicts.put(name, new HealthVerdict(name, Health.UNHEALTHY, now,
            was == null ? Optional.empty() : was.lastUnhealthy(), List.of(), "what-if: assumed UNHEALTHY"));
      }
    }
    RoutingPlan current = today.committed().orElseGet(() ->
        engine.decide(compiled, today.policyVersion(),
            new HealthView(today.verdicts(), today.latency(), today.drained()), Optional.empty(), now).plan());

    HealthView view = new HealthView(verdicts, today.latency(), today.drained());
    Optional<RoutingPlan> previous = today.committed().map(WhatIf::withoutRecentChanges);
    Decision decision = engine.decide(compiled, today.policyVersion(), view, previous, now);
    for (int round = 1; round < MAX_ROUNDS && decision.changed(); round++) {
      Decision next = engine.decide(compiled, today.policyVersion(), view,
          Optional.of(withoutRecentChanges(decision.plan())), now);
      if (!next.changed()) {
        break;
      }
      decision = next;
    }
    RoutingPlan whatIf = decision.plan();
    PlanDiff diff = PlanDiff.between(Optional.of(current), whatIf);

    List<String> notes = new ArrayList<>();
    today.committed().ifPresent(plan -> {
      int limit = compiled.service().guardrails().maxPlanChangesPerMinute();
      List<Instant> recent = plan.recentChanges().stream().filter(t -> t.isAfter(now.minus(CHANGE_WINDOW))).toList();
      if (!diff.isEmpty() && recent.size() >= limit) {
        notes.add("In reality the plan-change limit would hold this change back: " + recent.size()
            + " changes in the last minute reached the limit of " + limit + ", so the current answers stay until "
            + recent.getFirst().plus(CHANGE_WINDOW) + ".");
      }
    });
    for (PlanWarning w : decision.warnings()) {
      if (w.kind() == PlanWarning.Kind.GUARDRAIL_BLOCKED) {
        notes.add("A guardrail blocks part of this move: " + w.message() + ".");
      }
    }
    return new Outcome(current, whatIf, failedInOrder, diff, residency(compiled, whatIf), decision.warnings(), notes);
  }

  private static List<ZoneResidency> residency(CompiledService compiled, RoutingPlan plan) {
    List<ZoneResidency> out = new ArrayList<>(plan.zones().size());
    for (ZoneAnswer zone : plan.zones()) {
      int index = compiled.zones().indexOf(zone.zone());
      List<ResidencyRule> rules = compiled.service().residencyFor(zone.zone());
      if (index < 0 || rules.isEmpty()) {
        out.add(new ZoneResidency(zone.zone(), false, true,
            "No residency rule binds " + zone.zone().key() + " clients."));
        continue;
      }
      ZoneRules zoneRules = compiled.rules(index);
      Set<String> allowed = new HashSet<>();
      for (int i : zoneRules.allowed()) {
        allowed.add(compiled.backend(i).name());
      }
      boolean holds = zone.answers().stream().map(WeightedAnswer::backend).allMatch(allowed::contains);
      // Every binding rule must allow a jurisdiction, as CompiledService works it out.
      TreeSet<String> jurisdictions = null;
      for (ResidencyRule r : rules) {
        TreeSet<String> codes = new TreeSet<>(r.allowed().stream().map(Jurisdiction::code).toList());
        if (jurisdictions == null) {
          jurisdictions = codes;
        } else {
          jurisdictions.retainAll(codes);
        }
      }
      out.add(new ZoneResidency(zone.zone(), true, holds,
          zone.zone().key() + " clients stay on " + String.join("/", jurisdictions) + " backends: " + (holds ? "yes" : "no")
              + (zone.answers().isEmpty() ? " (they get no address)" : "")));
    }
    return out;
  }

  private static RoutingPlan withoutRecentChanges(RoutingPlan p) {
    return new RoutingPlan(p.service(), p.hostname(), p.version(), p.policyVersion(), p.ttl(), p.decidedAt(), List.of(),
        p.zones());
  }
}
