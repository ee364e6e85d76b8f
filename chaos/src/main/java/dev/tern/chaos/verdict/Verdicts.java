package dev.tern.chaos.verdict;

import dev.tern.chaos.scenario.Expectations;
import dev.tern.chaos.scenario.Scenario;
import dev.tern.chaos.verdict.RunRecord.PageSeen;
import dev.tern.chaos.verdict.RunRecord.PlanSeen;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Judges a run: each expectation of the scenario, and residency always, against what the cluster
 * did. Pure: the same scenario and record give the same report, and every result carries the
 * evidence it was decided on.
 *
 * <table>
 *   <tr><th>Expectation</th><th>Passes when</th></tr>
 *   <tr><td>residency (always)</td><td>no plan committed during the run answers EU clients with a non-EU backend</td></tr>
 *   <tr><td>failoverWithin</td><td>each affected service commits a plan without the targets that answered, in time</td></tr>
 *   <tr><td>noFailover</td><td>no plan before the heal drops a target that answered</td></tr>
 *   <tr><td>noTrafficToTargetsAfter</td><td>from then until the heal, no plan in force names a target</td></tr>
 *   <tr><td>pageWithin</td><td>a page opens for an affected service in time</td></tr>
 *   <tr><td>pageResolvedAfterHeal</td><td>that page resolves after the heal, before the run ends</td></tr>
 *   <tr><td>failbackWithin</td><td>after the heal, a plan answers with every target that answered before, in time</td></tr>
 *   <tr><td>recoveredWithin</td><td>after the heal, every target that turned UNHEALTHY is HEALTHY again, in time</td></tr>
 *   <tr><td>maxPlanChanges</td><td>no more plans are committed during the run than allowed</td></tr>
 *   <tr><td>maxPages</td><td>no more incidents are paged for the affected services during the run than allowed</td></tr>
 *   <tr><td>syncedWithin</td><td>after the heal, every provider whose sync failed during the run syncs
 *     every service it failed for, in time (a provider that never failed passes and says so)</td></tr>
 * </table>
 *
 * <p>A target that was not answering when the fault went in cannot fail over or fail back; the
 * two expectations pass and say so.
 */
public final class Verdicts {

  static final String EU = "EU";

  private Verdicts() {}

  public static Report judge(Scenario scenario, RunRecord run) {
    Expectations e = scenario.expect();
    List<Report.Result> results = new ArrayList<>();
    results.add(residency(run));
    e.failoverWithin().ifPresent(d -> results.add(failoverWithin(run, d)));
    if (e.noFailover()) {
      results.add(noFailover(run));
    }
    e.noTrafficToTargetsAfter().ifPresent(d -> results.add(noTrafficAfter(run, d)));
    e.pageWithin().ifPresent(d -> results.add(pageWithin(run, d)));
    if (e.pageResolvedAfterHeal()) {
      results.add(pageResolved(run));
    }
    e.failbackWithin().ifPresent(d -> results.add(failbackWithin(run, d)));
    e.recoveredWithin().ifPresent(d -> results.add(recoveredWithin(run, d)));
    e.maxPlanChanges().ifPresent(n -> results.add(maxPlanChanges(run, n)));
    e.maxPages().ifPresent(n -> results.add(maxPages(run, n)));
    e.syncedWithin().ifPresent(d -> results.add(syncedWithin(run, d)));
    return new Report(scenario.name(), scenario.hypothesis(), results);
  }

  private static Report.Result syncedWithin(RunRecord run, Duration limit) {
    String name = "syncedWithin " + words(limit);
    if (run.providers().isEmpty()) {
      return new Report.Result(name, Report.Outcome.INCONCLUSIVE, "no provider account serves what the run hit;"
          + " nothing was checked");
    }
    if (run.healedAt().isEmpty()) {
      return new Report.Result(name, Report.Outcome.FAIL, "the fault was never healed");
    }
    Instant heal = run.healedAt().get();
    List<String> evidence = new ArrayList<>();
    for (String provider : run.providers().stream().sorted().toList()) {
      List<RunRecord.SyncSeen> mine = run.syncs().stream().filter(s -> s.provider().equals(provider)).toList();
      List<String> failedFor = mine.stream().filter(s -> s.error().isPresent()).map(RunRecord.SyncSeen::service)
          .distinct().sorted().toList();
      if (failedFor.isEmpty()) {
        evidence.add(provider + " never failed during the run (" + mine.size() + " sync" + (mine.size() == 1 ? "" : "s")
            + ")");
        continue;
      }
      long failures = mine.stream().filter(s -> s.error().isPresent()).count();
      for (String service : failedFor) {
        Optional<RunRecord.SyncSeen> synced = mine.stream()
            .filter(s -> s.service().equals(service) && s.error().isEmpty() && !s.at().isBefore(heal)).findFirst();
        if (synced.isEmpty()) {
          return new Report.Result(name, Report.Outcome.FAIL, provider + " did not sync " + service + " after the heal ("
              + failures + " failed attempt" + (failures == 1 ? "" : "s") + ", the last: "
              + mine.stream().filter(s -> s.error().isPresent()).reduce((a, b) -> b).flatMap(RunRecord.SyncSeen::error)
                  .orElse("") + ")");
        }
        Duration after = Duration.between(heal, synced.get().at());
        if (after.compareTo(limit) > 0) {
          return new Report.Result(name, Report.Outcome.FAIL, provider + " synced " + service + " " + words(after)
              + " after the heal, later than " + words(limit));
        }
        evidence.add(provider + " synced " + service + " v" + synced.get().planVersion() + " " + words(after)
            + " after the heal, after " + failures + " failed attempt" + (failures == 1 ? "" : "s"));
      }
    }
    return new Report.Result(name, Report.Outcome.PASS, String.join("; ", evidence));
  }

  private static Report.Result residency(RunRecord run) {
    int checked = 0;
    for (PlanSeen p : run.plans()) {
      checked++;
      for (String backend : p.answers().getOrDefault(EU, List.of())) {
        String jurisdiction = run.jurisdictions().getOrDefault(p.service() + "/" + backend, "unknown");
        if (!jurisdiction.equals(EU)) {
          return new Report.Result("residency", Report.Outcome.FAIL, "plan v" + p.version() + " of " + p.service()
              + " answered EU clients with " + p.service() + "/" + backend + " (" + jurisdiction + ") at " + at(run, p.committedAt()));
        }
      }
    }
    return new Report.Result("residency", Report.Outcome.PASS,
        checked + " plan" + (checked == 1 ? "" : "s") + " committed during the run; EU clients got EU backends only");
  }

  private static Report.Result failoverWithin(RunRecord run, Duration limit) {
    String name = "failoverWithin " + words(limit);
    Set<String> answering = answeringBefore(run);
    if (answering.isEmpty()) {
      return new Report.Result(name, Report.Outcome.PASS, "no target was answering when the fault went in");
    }
    return slowestWithin(name, limit, services(answering), service -> run.plans().stream()
            .filter(p -> p.service().equals(service) && disjoint(p.backends(), run.targets()))
            .findFirst()
            .map(p -> new Timed(p, Duration.between(run.injectedAt(), p.committedAt()))),
        service -> "no plan of " + service + " without " + String.join(", ", only(answering, service))
            + " was committed during the run");
  }

  private static Report.Result noFailover(RunRecord run) {
    Set<String> answering = answeringBefore(run);
    Instant until = run.healedAt().orElse(run.endedAt());
    for (PlanSeen p : run.plans()) {
      if (p.committedAt().isBefore(until)) {
        List<String> dropped = answering.stream()
            .filter(t -> t.startsWith(p.service() + "/") && !p.backends().contains(t)).sorted().toList();
        if (!dropped.isEmpty()) {
          return new Report.Result("noFailover", Report.Outcome.FAIL, "plan v" + p.version() + " of " + p.service()
              + " dropped " + String.join(", ", dropped) + " at " + at(run, p.committedAt()));
        }
      }
    }
    return new Report.Result("noFailover", Report.Outcome.PASS, answering.isEmpty()
        ? "no target was answering when the fault went in" : "the targets kept their traffic until the heal");
  }

  private static Report.Result noTrafficAfter(RunRecord run, Duration after) {
    String name = "noTrafficToTargetsAfter " + words(after);
    Instant from = run.injectedAt().plus(after);
    Instant until = run.healedAt().orElse(run.endedAt());
    for (String service : services(run.targets())) {
      List<PlanSeen> relevant = new ArrayList<>();
      inForce(run, service, from).ifPresent(relevant::add);
      run.plans().stream().filter(p -> p.service().equals(service) && p.committedAt().isAfter(from)
          && p.committedAt().isBefore(until)).forEach(relevant::add);
      for (PlanSeen p : relevant) {
        Set<String> named = new HashSet<>(p.backends());
        named.retainAll(run.targets());
        if (!named.isEmpty()) {
          return new Report.Result(name, Report.Outcome.FAIL, "plan v" + p.version() + " of " + service + ", in force after "
              + words(after) + ", still answers with " + String.join(", ", named.stream().sorted().toList()));
        }
      }
    }
    return new Report.Result(name, Report.Outcome.PASS, "no plan in force from " + words(after) + " to the heal names a target");
  }

  private static Report.Result pageWithin(RunRecord run, Duration limit) {
    String name = "pageWithin " + words(limit);
    Optional<PageSeen> page = firstPage(run);
    if (page.isEmpty()) {
      return new Report.Result(name, Report.Outcome.FAIL, "no page for " + String.join(", ", services(run.targets()))
          + " was opened during the run");
    }
    Duration took = Duration.between(run.injectedAt(), page.get().openedAt());
    return new Report.Result(name, took.compareTo(limit) <= 0 ? Report.Outcome.PASS : Report.Outcome.FAIL,
        "paged for " + page.get().service() + " after " + words(took) + (page.get().fromChaos() ? " (marked as a chaos test)" : ""));
  }

  private static Report.Result pageResolved(RunRecord run) {
    Optional<PageSeen> page = firstPage(run);
    if (page.isEmpty()) {
      return new Report.Result("pageResolvedAfterHeal", Report.Outcome.FAIL, "no page was opened, so none resolved");
    }
    if (run.healedAt().isEmpty()) {
      return new Report.Result("pageResolvedAfterHeal", Report.Outcome.FAIL, "the fault was never healed");
    }
    Optional<Instant> resolved = page.get().resolvedAt();
    if (resolved.isEmpty()) {
      return new Report.Result("pageResolvedAfterHeal", Report.Outcome.FAIL, "the page was still open when the run ended");
    }
    if (resolved.get().isBefore(run.healedAt().get())) {
      return new Report.Result("pageResolvedAfterHeal", Report.Outcome.FAIL,
          "the page resolved at " + at(run, resolved.get()) + ", before the heal at " + at(run, run.healedAt().get()));
    }
    return new Report.Result("pageResolvedAfterHeal", Report.Outcome.PASS,
        "resolved " + words(Duration.between(run.healedAt().get(), resolved.get())) + " after the heal");
  }

  private static Report.Result failbackWithin(RunRecord run, Duration limit) {
    String name = "failbackWithin " + words(limit);
    if (run.healedAt().isEmpty()) {
      return new Report.Result(name, Report.Outcome.FAIL, "the fault was never healed");
    }
    Instant healed = run.healedAt().get();
    Set<String> answering = answeringBefore(run);
    if (answering.isEmpty()) {
      return new Report.Result(name, Report.Outcome.PASS, "no target was answering when the fault went in");
    }
    return slowestWithin(name, limit, services(answering), service -> Stream.concat(inForce(run, service, healed).stream(),
                run.plans().stream().filter(p -> p.service().equals(service) && p.committedAt().isAfter(healed)))
            .filter(p -> p.backends().containsAll(only(answering, service)))
            .findFirst()
            .map(p -> new Timed(p, p.committedAt().isAfter(healed) ? Duration.between(healed, p.committedAt()) : Duration.ZERO)),
        service -> String.join(", ", only(answering, service)) + " not back in a plan of " + service
            + " by the end of the run");
  }

  private static Report.Result recoveredWithin(RunRecord run, Duration limit) {
    String name = "recoveredWithin " + words(limit);
    if (run.healedAt().isEmpty()) {
      return new Report.Result(name, Report.Outcome.FAIL, "the fault was never healed");
    }
    Instant healed = run.healedAt().get();
    List<String> failed = run.verdicts().stream().filter(v -> v.health().equals("UNHEALTHY"))
        .map(RunRecord.VerdictSeen::backend).distinct().sorted().toList();
    if (failed.isEmpty()) {
      return new Report.Result(name, Report.Outcome.PASS, "no target turned UNHEALTHY, so none had to recover");
    }
    Duration slowest = Duration.ZERO;
    List<String> evidence = new ArrayList<>();
    for (String backend : failed) {
      Optional<RunRecord.VerdictSeen> back = run.verdicts().stream()
          .filter(v -> v.backend().equals(backend) && v.health().equals("HEALTHY") && !v.at().isBefore(healed))
          .findFirst();
      if (back.isEmpty()) {
        return new Report.Result(name, Report.Outcome.FAIL, backend + " was not HEALTHY again by the end of the run");
      }
      Duration took = Duration.between(healed, back.get().at());
      slowest = took.compareTo(slowest) > 0 ? took : slowest;
      evidence.add(backend + " HEALTHY " + words(took) + " after the heal");
    }
    return new Report.Result(name, slowest.compareTo(limit) <= 0 ? Report.Outcome.PASS : Report.Outcome.FAIL,
        String.join("; ", evidence));
  }

  /** A service's plan that met an expectation, and how long it took to come. */
  private record Timed(PlanSeen plan, Duration took) {}

  /**
   * A time limit over every affected service: each must have its plan ({@code find}; else FAIL in
   * the words of {@code missing}), and the slowest must be within the limit.
   */
  private static Report.Result slowestWithin(String name, Duration limit, List<String> services,
      Function<String, Optional<Timed>> find, Function<String, String> missing) {
    Duration slowest = Duration.ZERO;
    List<String> evidence = new ArrayList<>();
    for (String service : services) {
      Optional<Timed> timed = find.apply(service);
      if (timed.isEmpty()) {
        return new Report.Result(name, Report.Outcome.FAIL, missing.apply(service));
      }
      slowest = timed.get().took().compareTo(slowest) > 0 ? timed.get().took() : slowest;
      evidence.add(service + " plan v" + timed.get().plan().version() + " after " + words(timed.get().took()));
    }
    return new Report.Result(name, slowest.compareTo(limit) <= 0 ? Report.Outcome.PASS : Report.Outcome.FAIL,
        String.join("; ", evidence));
  }

  private static Report.Result maxPlanChanges(RunRecord run, int max) {
    long changes = run.plans().size();
    return new Report.Result("maxPlanChanges " + max, changes <= max ? Report.Outcome.PASS : Report.Outcome.FAIL,
        changes + " plan" + (changes == 1 ? "" : "s") + " committed during the run");
  }

  private static Report.Result maxPages(RunRecord run, int max) {
    List<String> services = services(run.targets());
    long pages = run.pages().stream().filter(p -> !p.openedAt().isBefore(run.injectedAt())
        && (services.isEmpty() || services.contains(p.service()))).count();
    return new Report.Result("maxPages " + max, pages <= max ? Report.Outcome.PASS : Report.Outcome.FAIL,
        pages + " page" + (pages == 1 ? "" : "s") + " during the run");
  }

  /** The targets some plan answered with when the fault went in. */
  private static Set<String> answeringBefore(RunRecord run) {
    Set<String> answering = new HashSet<>();
    run.plansBefore().forEach(p -> answering.addAll(p.backends()));
    answering.retainAll(run.targets());
    return answering;
  }

  /** The plan of {@code service} in force at {@code t}: the last one committed at or before it. */
  private static Optional<PlanSeen> inForce(RunRecord run, String service, Instant t) {
    return Stream.concat(run.plansBefore().stream(), run.plans().stream())
        .filter(p -> p.service().equals(service) && !p.committedAt().isAfter(t))
        .max(Comparator.comparing(PlanSeen::committedAt).thenComparingLong(PlanSeen::version));
  }

  private static Optional<PageSeen> firstPage(RunRecord run) {
    List<String> services = services(run.targets());
    return run.pages().stream()
        .filter(p -> !p.openedAt().isBefore(run.injectedAt()) && (services.isEmpty() || services.contains(p.service())))
        .min(Comparator.comparing(PageSeen::openedAt));
  }

  private static List<String> services(Set<String> backends) {
    return backends.stream().map(b -> b.substring(0, b.indexOf('/'))).distinct().sorted().toList();
  }

  private static List<String> only(Set<String> backends, String service) {
    return backends.stream().filter(b -> b.startsWith(service + "/")).sorted().toList();
  }

  private static boolean disjoint(Set<String> a, Set<String> b) {
    return a.stream().noneMatch(b::contains);
  }

  private static String at(RunRecord run, Instant t) {
    return "+" + words(Duration.between(run.injectedAt(), t));
  }

  static String words(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + " ms";
    }
    return ms % 1000 == 0 ? (ms / 1000) + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
  }
}
