package dev.tern.policy.routing;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.CompiledService.ZoneRules;
import dev.tern.policy.routing.WeightedAnswer.Standing;
import dev.tern.policy.routing.ZoneAnswer.Mode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Decides one service's routing plan from its policy, its backends' health and the previous plan.
 *
 * <p><b>Determinism.</b> {@link #decide} is a pure function: time arrives as {@code now}, nothing
 * is random, every iteration follows declaration or zone order. The same inputs give the same
 * plan, on any node.
 *
 * <p><b>Threading.</b> Stateless; call it from any number of threads.
 *
 * <p><b>Failure.</b> It never throws for a valid service. Whatever health looks like, it returns
 * a plan; what a human must hear about comes back as {@link PlanWarning}s.
 *
 * <p>Order of the rules, each applied to what the one before left:
 *
 * <ol>
 *   <li><b>Residency</b>: a zone only ever considers the backends its residency rules allow.
 *   <li><b>Eligibility</b>: operator-drained backends are out; UNHEALTHY ones are out unless the
 *       guardrails hold them in (never drain more than {@code maxAutoDrainShare} of capacity or
 *       below {@code minHealthyBackends}; the earliest failures are drained first); a recovered
 *       backend returns only after {@code failbackDelay}; an UNKNOWN one keeps answering if it
 *       did, and does not start.
 *   <li><b>Method</b>: weighted, latency, geo or failover chooses among the eligible.
 *   <li><b>Capacity</b>: when the chosen backends cannot carry the zone's demand, the next
 *       candidates in the method's order join.
 *   <li><b>Fail open</b>: with nothing eligible, the zone is answered by its allowed backends as
 *       if healthy, or, where residency says {@code answer-nothing}, by nothing.
 *   <li><b>Change limit</b>: a change beyond {@code maxPlanChangesPerMinute} keeps the previous
 *       answers (a policy change is never held).
 * </ol>
 */
public final class RoutingEngine {

  private static final Duration CHANGE_WINDOW = Duration.ofMinutes(1);

  /** Why a backend is out of (or held in) service, before any zone looks at it. */
  private enum Status {
    HEALTHY,
    UNKNOWN,
    DRAINED_BY_OPERATOR,
    DRAINED_BY_HEALTH,
    GUARDRAIL_HELD
  }

  /** What one decision knows about the service as a whole. */
  private record Round(
      CompiledService compiled, Status[] status, HealthVerdict[] verdicts, HealthView view, boolean hasPrevious, Instant now) {}

  /** What one decision knows about one group of zones. */
  private record Zone(ClientZone zone, ZoneRules rules, List<Region> vantages, Optional<ZoneAnswer> before) {}

  /** Decides the plan of one service. */
  public Decision decide(
      CompiledService compiled,
      long policyVersion,
      HealthView view,
      Optional<RoutingPlan> previous,
      Instant now) {
    Service service = compiled.service();
    List<PlanWarning> warnings = new ArrayList<>();
    HealthVerdict[] verdicts = new HealthVerdict[compiled.backendCount()];
    for (int i = 0; i < verdicts.length; i++) {
      verdicts[i] = view.verdicts().get(compiled.backend(i).name());
    }
    Status[] status = statuses(compiled, view, verdicts, warnings);
    Optional<RoutingPlan> comparable =
        previous.filter(p -> p.service().equals(service.name()));
    Round round = new Round(compiled, status, verdicts, view, comparable.isPresent(), now);

    Map<ZoneKey, Decided> memo = new HashMap<>();
    List<ZoneAnswer> zones = new ArrayList<>(compiled.zones().size());
    for (int z = 0; z < compiled.zones().size(); z++) {
      ClientZone zone = compiled.zones().get(z);
      ZoneRules rules = compiled.rules(z);
      Optional<ZoneAnswer> before = previousZone(comparable, z, zone);
      List<Region> vantages =
          service.routing() instanceof RoutingMethod.Latency
              ? nearestVantages(zone, view.latency())
              : List.of();
      ZoneKey key = new ZoneKey(rules, before.map(ZoneAnswer::answers).orElse(null), vantages);
      Decided shared = memo.get(key);
      if (shared == null) {
        List<PlanWarning> zoneWarnings = new ArrayList<>(0);
        ZoneAnswer answer = decideZone(round, new Zone(zone, rules, vantages, before), zoneWarnings);
        shared = new Decided(answer, zoneWarnings);
        memo.put(key, shared);
        zones.add(answer);
        warnings.addAll(zoneWarnings);
      } else {
        ZoneAnswer a = shared.answer();
        zones.add(new ZoneAnswer(zone, a.mode(), a.answers(), a.explanation()));
        for (PlanWarning w : shared.warnings()) {
          warnings.add(new PlanWarning(w.kind(), w.service(), Optional.of(zone), w.message()));
        }
      }
    }
    return limitChanges(service, policyVersion, zones, comparable, verdicts, compiled, now, warnings);
  }

  /**
   * Zones with the same rules, the same previous answer and the same nearest vantages get the same
   * answer. Rules are canonical instances and previous answers are shared lists, so identity is
   * compared first; an equal but distinct list only costs a second computation.
   */
  private record ZoneKey(ZoneRules rules, List<WeightedAnswer> before, List<Region> vantages) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ZoneKey k && k.rules == rules && k.before == before && k.vantages.equals(vantages);
    }

    @Override
    public int hashCode() {
      return 31 * (31 * System.identityHashCode(rules) + System.identityHashCode(before)) + vantages.hashCode();
    }
  }

  /** A zone's answer with the warnings it raised, reused by zones with the same key. */
  private record Decided(ZoneAnswer answer, List<PlanWarning> warnings) {}

  private static Status[] statuses(
      CompiledService compiled, HealthView view, HealthVerdict[] verdicts, List<PlanWarning> warnings) {
    Service service = compiled.service();
    Guardrails guardrails = service.guardrails();
    int n = compiled.backendCount();
    Status[] status = new Status[n];
    long totalCapacity = 0;
    int inService = 0;
    List<Integer> unhealthy = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Backend b = compiled.backend(i);
      if (view.drained().contains(b.name())) {
        status[i] = Status.DRAINED_BY_OPERATOR;
        continue;
      }
      totalCapacity += b.capacity();
      inService++;
      Health h = verdicts[i] == null ? Health.UNKNOWN : verdicts[i].health();
      switch (h) {
        case HEALTHY -> status[i] = Status.HEALTHY;
        case UNKNOWN -> status[i] = Status.UNKNOWN;
        case UNHEALTHY -> unhealthy.add(i);
      }
    }
    unhealthy.sort(
        (a, b) -> {
          int bySince = verdicts[a].since().compareTo(verdicts[b].since());
          return bySince != 0 ? bySince : compiled.backend(a).name().compareTo(compiled.backend(b).name());
        });
    double drainable = guardrails.maxAutoDrainShare() * totalCapacity;
    long drainedCapacity = 0;
    int drainedCount = 0;
    List<String> held = new ArrayList<>();
    for (int i : unhealthy) {
      Backend b = compiled.backend(i);
      boolean withinShare = drainedCapacity + b.capacity() <= drainable + 1e-9;
      boolean aboveFloor = inService - drainedCount - 1 >= guardrails.minHealthyBackends();
      if (withinShare && aboveFloor) {
        status[i] = Status.DRAINED_BY_HEALTH;
        drainedCapacity += b.capacity();
        drainedCount++;
      } else {
        status[i] = Status.GUARDRAIL_HELD;
        held.add(
            b.name()
                + (withinShare
                    ? " (would leave fewer than " + guardrails.minHealthyBackends() + " backends in service)"
                    : " (would drain more than " + percent(guardrails.maxAutoDrainShare()) + " of capacity)"));
      }
    }
    if (!held.isEmpty()) {
      warnings.add(
          new PlanWarning(
              PlanWarning.Kind.GUARDRAIL_BLOCKED,
              service.name(),
              Optional.empty(),
              "unhealthy but kept in service by guardrails: " + String.join(", ", held)));
    }
    return status;
  }

  private ZoneAnswer decideZone(Round round, Zone z, List<PlanWarning> warnings) {
    CompiledService compiled = round.compiled();
    Status[] status = round.status();
    ZoneRules rules = z.rules();
    List<String> why = new ArrayList<>(4);
    if (rules.residencyBound()) {
      why.add("residency: " + rules.residency());
    }
    int[] order = rules.order();
    boolean[] eligible = new boolean[order.length];
    int eligibleCount = 0;
    for (int k = 0; k < order.length; k++) {
      int i = order[k];
      String out = exclusion(round, i, z.before());
      if (out == null) {
        eligible[k] = true;
        eligibleCount++;
      } else {
        why.add(out);
      }
    }

    if (eligibleCount == 0) {
      for (int k = 0; k < order.length; k++) {
        Status s = status[order[k]];
        if (s == Status.HEALTHY || s == Status.UNKNOWN) {
          eligible[k] = true;
          eligibleCount++;
        }
      }
      if (eligibleCount > 0) {
        why.add("nothing else may answer: waiting for failback or a verdict is waived");
      }
    }
    if (eligibleCount == 0) {
      return noneEligible(round, z, why, warnings);
    }
    Choice choice = choose(round, z, eligible, why);
    spreadForCapacity(compiled, z, eligible, choice, why, warnings);
    return new ZoneAnswer(z.zone(), Mode.NORMAL, answers(compiled, order, choice, status, false), why);
  }

  /** The previous plan's answer for a zone; plans of one policy list their zones in the same order. */
  private static Optional<ZoneAnswer> previousZone(Optional<RoutingPlan> previous, int index, ClientZone zone) {
    if (previous.isEmpty()) {
      return Optional.empty();
    }
    List<ZoneAnswer> zones = previous.get().zones();
    if (index < zones.size() && zones.get(index).zone().equals(zone)) {
      return Optional.of(zones.get(index));
    }
    return previous.get().zone(zone);
  }

  /** Null when the backend may answer in this zone; otherwise the reason it may not. */
  private static String exclusion(Round round, int i, Optional<ZoneAnswer> before) {
    CompiledService compiled = round.compiled();
    HealthVerdict verdict = round.verdicts()[i];
    boolean hasPrevious = round.hasPrevious();
    Instant now = round.now();
    Backend b = compiled.backend(i);
    return switch (round.status()[i]) {
      case DRAINED_BY_OPERATOR -> b.name() + " left out: drained by an operator";
      case DRAINED_BY_HEALTH ->
          b.name() + " left out: UNHEALTHY since " + verdict.since() + " (" + verdict.reason() + ")";
      case GUARDRAIL_HELD -> null;
      case UNKNOWN -> {
        if (!hasPrevious || before.map(z -> z.contains(b.name())).orElse(false)) {
          yield null;
        }
        yield b.name() + " left out: health UNKNOWN and not answering before; waits for a verdict";
      }
      case HEALTHY -> {
        Duration delay = compiled.service().health().failbackDelay();
        boolean recent = verdict.lastUnhealthy().isPresent() && verdict.since().plus(delay).isAfter(now);
        if (!recent || !hasPrevious || before.map(z -> z.contains(b.name())).orElse(false)) {
          yield null;
        }
        yield b.name() + " left out: healthy since " + verdict.since() + ", fails back at "
            + verdict.since().plus(delay);
      }
    };
  }

  /** The method's pick: indices into {@code order} and their raw weights. */
  private static final class Choice {
    final List<Integer> picked = new ArrayList<>(4);
    final List<Integer> weights = new ArrayList<>(4);

    void add(int orderIndex, int weight) {
      picked.add(orderIndex);
      weights.add(weight);
    }

    boolean has(int orderIndex) {
      return picked.contains(orderIndex);
    }
  }

  private static Choice choose(Round round, Zone z, boolean[] eligible, List<String> why) {
    CompiledService compiled = round.compiled();
    int[] order = z.rules().order();
    Choice c = new Choice();
    switch (compiled.service().routing()) {
      case RoutingMethod.Weighted w -> {
        for (int k = 0; k < order.length; k++) {
          if (eligible[k] && compiled.backend(order[k]).weight() > 0) {
            c.add(k, compiled.backend(order[k]).weight());
          }
        }
        if (c.picked.isEmpty()) {
          for (int k = 0; k < order.length; k++) {
            if (eligible[k]) {
              c.add(k, 1);
            }
          }
          why.add("weighted: only zero-weight backends are eligible; they share equally");
        } else {
          why.add("weighted: " + names(compiled, order, c) + " by configured weight");
        }
      }
      case RoutingMethod.Failover f -> {
        int tier = Integer.MAX_VALUE;
        for (int k = 0; k < order.length; k++) {
          if (eligible[k]) {
            tier = Math.min(tier, compiled.backend(order[k]).priority());
          }
        }
        addTier(compiled, order, eligible, tier, c);
        why.add("failover: tier " + tier + " answers (" + names(compiled, order, c) + ")");
      }
      case RoutingMethod.Geo g -> {
        for (int k = 0; k < order.length; k++) {
          if (eligible[k]) {
            c.add(k, 1);
            why.add("geo: " + compiled.backend(order[k]).name() + " is the first eligible entry of "
                + listOf(compiled, order));
            break;
          }
        }
      }
      case RoutingMethod.Latency l ->
          chooseByLatency(compiled, l, order, eligible, round.view().latency(), z.vantages(), z.before(), c, why);
    }
    return c;
  }

  private static void addTier(CompiledService compiled, int[] order, boolean[] eligible, int tier, Choice c) {
    boolean anyWeight = false;
    for (int k = 0; k < order.length; k++) {
      if (eligible[k] && compiled.backend(order[k]).priority() == tier && compiled.backend(order[k]).weight() > 0) {
        anyWeight = true;
      }
    }
    for (int k = 0; k < order.length; k++) {
      Backend b = compiled.backend(order[k]);
      if (eligible[k] && b.priority() == tier && !c.has(k)) {
        if (!anyWeight || b.weight() > 0) {
          c.add(k, anyWeight ? b.weight() : 1);
        }
      }
    }
  }

  private static void chooseByLatency(
      CompiledService compiled,
      RoutingMethod.Latency method,
      int[] order,
      boolean[] eligible,
      LatencyMatrix latency,
      List<Region> vantages,
      Optional<ZoneAnswer> before,
      Choice c,
      List<String> why) {
    double[] ms = latencies(compiled, order, latency, vantages);
    int best = -1;
    for (int k = 0; k < order.length; k++) {
      if (eligible[k] && !Double.isNaN(ms[k]) && (best < 0 || ms[k] < ms[best])) {
        best = k;
      }
    }
    if (best < 0) {
      for (int k = 0; k < order.length; k++) {
        if (eligible[k]) {
          c.add(k, Math.max(1, compiled.backend(order[k]).weight()));
        }
      }
      why.add("latency: no measurement from any vantage point yet; eligible backends share by weight");
      return;
    }
    double tolerance = method.tolerance().toNanos() / 1_000_000.0;
    String from = vantages.stream().map(Region::key).toList().toString();
    if (before.isPresent() && before.get().answers().size() == 1) {
      String current = before.get().answers().getFirst().backend();
      for (int k = 0; k < order.length; k++) {
        if (eligible[k] && compiled.backend(order[k]).name().equals(current)
            && !Double.isNaN(ms[k]) && ms[k] <= ms[best] + tolerance) {
          c.add(k, 1);
          why.add("latency: " + current + " stays (" + millis(ms[k]) + " from " + from + "; best "
              + millis(ms[best]) + ", within the " + millis(tolerance) + " tolerance)");
          return;
        }
      }
    }
    c.add(best, 1);
    why.add("latency: " + compiled.backend(order[best]).name() + " is fastest (" + millis(ms[best]) + " from " + from + ")");
  }

  /** Mean latency of each candidate over the given vantages; NaN where none measured it. */
  private static double[] latencies(CompiledService compiled, int[] order, LatencyMatrix latency, List<Region> vantages) {
    double[] out = new double[order.length];
    for (int k = 0; k < order.length; k++) {
      String name = compiled.backend(order[k]).name();
      double sum = 0;
      int count = 0;
      for (Region v : vantages) {
        OptionalDouble ms = latency.latency(v, name);
        if (ms.isPresent()) {
          sum += ms.getAsDouble();
          count++;
        }
      }
      out[k] = count == 0 ? Double.NaN : sum / count;
    }
    return out;
  }

  /**
   * The vantage points nearest a client zone: those inside the zone itself, else inside the
   * nearest zone above it that has any, else all of them.
   */
  static List<Region> nearestVantages(ClientZone zone, LatencyMatrix latency) {
    List<Region> all = latency.vantages();
    return NEAREST
        .computeIfAbsent(zone, z -> new java.util.concurrent.ConcurrentHashMap<>())
        .computeIfAbsent(all, vantages -> {
          for (ClientZone z : zone.lineage()) {
            List<Region> inside = new ArrayList<>();
            for (Region v : vantages) {
              if (z.contains(v.zone())) {
                inside.add(v);
              }
            }
            if (!inside.isEmpty()) {
              return List.copyOf(inside);
            }
          }
          return List.of();
        });
  }

  /**
   * Nearest vantages by zone and vantage set. Both come from small, slowly changing sets (client
   * zones of the policy, regions with probes), so this stays small; it only memoises a pure function.
   */
  private static final java.util.concurrent.ConcurrentHashMap<ClientZone, java.util.concurrent.ConcurrentHashMap<List<Region>, List<Region>>>
      NEAREST = new java.util.concurrent.ConcurrentHashMap<>();

  private static void spreadForCapacity(
      CompiledService compiled, Zone z, boolean[] eligible, Choice c, List<String> why, List<PlanWarning> warnings) {
    int[] order = z.rules().order();
    int demand = z.rules().demand();
    if (demand <= 0) {
      return;
    }
    long capacity = 0;
    for (int k : c.picked) {
      capacity += compiled.backend(order[k]).capacity();
    }
    if (capacity >= demand) {
      return;
    }
    List<String> added = new ArrayList<>();
    boolean failover = compiled.service().routing() instanceof RoutingMethod.Failover;
    for (int k = 0; k < order.length && capacity < demand; k++) {
      if (!eligible[k] || c.has(k)) {
        continue;
      }
      Backend b = compiled.backend(order[k]);
      if (failover) {
        int before = c.picked.size();
        addTier(compiled, order, eligible, b.priority(), c);
        for (int j = before; j < c.picked.size(); j++) {
          Backend joined = compiled.backend(order[c.picked.get(j)]);
          capacity += joined.capacity();
          added.add(joined.name());
        }
      } else {
        c.add(k, Math.max(1, b.weight()));
        capacity += b.capacity();
        added.add(b.name());
      }
    }
    String message =
        added.isEmpty()
            ? "demand " + demand + " exceeds the capacity " + capacity + " of every eligible backend"
            : "capacity: demand " + demand + " is more than the first choice can take; spread onto "
                + String.join(", ", added) + " (capacity now " + capacity + ")";
    why.add(message);
    warnings.add(new PlanWarning(PlanWarning.Kind.CAPACITY_SPREAD, compiled.service().name(), Optional.of(z.zone()), message));
  }

  private ZoneAnswer noneEligible(Round round, Zone z, List<String> why, List<PlanWarning> warnings) {
    CompiledService compiled = round.compiled();
    Status[] status = round.status();
    ZoneRules rules = z.rules();
    ClientZone zone = z.zone();
    String service = compiled.service().name();
    int[] order = rules.order();
    boolean[] allowed = new boolean[order.length];
    int allowedCount = 0;
    for (int k = 0; k < order.length; k++) {
      allowed[k] = status[order[k]] != Status.DRAINED_BY_OPERATOR;
      allowedCount += allowed[k] ? 1 : 0;
    }
    if (allowedCount == 0 || rules.whenNoneHealthy() == WhenNoneHealthy.ANSWER_NOTHING) {
      String message =
          allowedCount == 0
              ? "no backend may answer these clients (every allowed one is drained); answering nothing"
              : "no healthy backend may answer these clients; residency says answer-nothing,"
                  + " so they get no address";
      why.add(message);
      warnings.add(new PlanWarning(PlanWarning.Kind.RESIDENCY_FALLBACK, service, Optional.of(zone), message));
      return new ZoneAnswer(zone, Mode.NO_ANSWER, List.of(), why);
    }
    String message =
        "fail-open: every backend these clients may use looks unhealthy; serving them anyway"
            + (rules.residencyBound() ? " (within residency)" : "");
    why.add(message);
    warnings.add(
        new PlanWarning(
            rules.residencyBound() ? PlanWarning.Kind.RESIDENCY_FALLBACK : PlanWarning.Kind.FAIL_OPEN,
            service,
            Optional.of(zone),
            message));
    Choice choice = choose(round, z, allowed, why);
    return new ZoneAnswer(zone, Mode.FAIL_OPEN, answers(compiled, order, choice, status, true), why);
  }

  private static List<WeightedAnswer> answers(
      CompiledService compiled, int[] order, Choice c, Status[] status, boolean failOpen) {
    int n = c.picked.size();
    int[] raw = new int[n];
    for (int j = 0; j < n; j++) {
      raw[j] = c.weights.get(j);
    }
    int[] weights = Weights.normalize(raw, RoutingPlan.WEIGHT_TOTAL);
    List<WeightedAnswer> out = new ArrayList<>(n);
    for (int j = 0; j < n; j++) {
      int i = order[c.picked.get(j)];
      Backend b = compiled.backend(i);
      Standing standing =
          switch (status[i]) {
            case HEALTHY -> Standing.HEALTHY;
            case UNKNOWN -> Standing.UNKNOWN;
            case GUARDRAIL_HELD -> Standing.GUARDRAIL_HELD;
            case DRAINED_BY_HEALTH, DRAINED_BY_OPERATOR -> {
              if (!failOpen) {
                throw new IllegalStateException(b.name() + " answered while drained");
              }
              yield Standing.FAIL_OPEN;
            }
          };
      out.add(new WeightedAnswer(b.name(), b.address(), weights[j], standing));
    }
    return out;
  }

  private Decision limitChanges(
      Service service,
      long policyVersion,
      List<ZoneAnswer> zones,
      Optional<RoutingPlan> previous,
      HealthVerdict[] verdicts,
      CompiledService compiled,
      Instant now,
      List<PlanWarning> warnings) {
    if (previous.isEmpty()) {
      RoutingPlan first =
          new RoutingPlan(service.name(), service.hostname(), 1, policyVersion, service.ttl(), now, List.of(), zones);
      return new Decision(first, true, warnings);
    }
    RoutingPlan before = previous.get();
    Instant windowStart = now.minus(CHANGE_WINDOW);
    List<Instant> recent = new ArrayList<>(before.recentChanges().size() + 1);
    for (Instant t : before.recentChanges()) {
      if (t.isAfter(windowStart)) {
        recent.add(t);
      }
    }
    RoutingPlan candidate =
        new RoutingPlan(
            service.name(), service.hostname(), before.version(), policyVersion, service.ttl(),
            before.decidedAt(), recent, zones);
    if (candidate.sameAnswersAs(before) && service.ttl() == before.ttl()
        && service.hostname().equals(before.hostname())) {
      return new Decision(candidate, false, warnings);
    }
    boolean operatorChange = policyVersion != before.policyVersion();
    int limit = service.guardrails().maxPlanChangesPerMinute();
    if (!operatorChange && recent.size() >= limit) {
      String message =
          recent.size() + " plan changes in the last minute reached the limit of " + limit
              + "; the previous answers stay until " + recent.getFirst().plus(CHANGE_WINDOW);
      warnings.add(new PlanWarning(PlanWarning.Kind.RATE_LIMITED, service.name(), Optional.empty(), message));
      return new Decision(held(before, recent, verdicts, compiled, message), false, warnings);
    }
    recent.add(now);
    RoutingPlan next =
        new RoutingPlan(
            service.name(), service.hostname(), before.version() + 1, policyVersion, service.ttl(),
            now, recent, zones);
    return new Decision(next, true, warnings);
  }

  /** The previous plan, re-marked where an answering backend has since become unhealthy. */
  private static RoutingPlan held(
      RoutingPlan before, List<Instant> recent, HealthVerdict[] verdicts, CompiledService compiled, String message) {
    Map<String, Health> health = new HashMap<>();
    for (int i = 0; i < verdicts.length; i++) {
      health.put(compiled.backend(i).name(), verdicts[i] == null ? Health.UNKNOWN : verdicts[i].health());
    }
    List<ZoneAnswer> zones = new ArrayList<>(before.zones().size());
    for (ZoneAnswer z : before.zones()) {
      List<WeightedAnswer> answers = new ArrayList<>(z.answers().size());
      for (WeightedAnswer a : z.answers()) {
        boolean nowUnhealthy = health.getOrDefault(a.backend(), Health.UNKNOWN) == Health.UNHEALTHY;
        answers.add(
            nowUnhealthy && !a.standing().servesUnhealthy()
                ? new WeightedAnswer(a.backend(), a.address(), a.weight(), Standing.RATE_LIMITED)
                : a);
      }
      List<String> why = new ArrayList<>(z.explanation());
      why.add("held: " + message);
      zones.add(new ZoneAnswer(z.zone(), z.mode(), answers, why));
    }
    return new RoutingPlan(
        before.service(), before.hostname(), before.version(), before.policyVersion(), before.ttl(),
        before.decidedAt(), recent, zones);
  }

  private static String names(CompiledService compiled, int[] order, Choice c) {
    List<String> out = new ArrayList<>(c.picked.size());
    for (int k : c.picked) {
      out.add(compiled.backend(order[k]).name());
    }
    return String.join(", ", out);
  }

  private static String listOf(CompiledService compiled, int[] order) {
    List<String> out = new ArrayList<>(order.length);
    for (int i : order) {
      out.add(compiled.backend(i).name());
    }
    return out.toString();
  }

  private static String millis(double ms) {
    return Math.round(ms * 10) / 10.0 + " ms";
  }

  private static String percent(double share) {
    return Math.round(share * 100) + "%";
  }
}
