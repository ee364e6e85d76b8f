package dev.tern.chaos.verdict;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What the cluster did during one run, as the runner recorded it from the replicated state: when
 * the fault went in and came out, which backends it hit, every plan committed, every page, and
 * each backend's jurisdiction. The verdicts are computed from this alone, so a report can be
 * recomputed and explained from its evidence.
 *
 * @param plansBefore the plan of each affected service in force at the injection
 * @param plans every plan committed from the injection to the end, in commit order
 * @param healedAt when the fault was reverted; empty if it never was (the run was cut short)
 * @param jurisdictions {@code service/backend} → jurisdiction code, for the residency check
 * @param verdicts every change of a target's health verdict during the run, in commit order
 * @param providers the provider accounts whose sync the run is judged on (for a provider fault,
 *     every account of that kind)
 * @param syncs every reconcile of those providers the leader made during the run, in order
 */
public record RunRecord(
    Instant injectedAt,
    Optional<Instant> healedAt,
    Instant endedAt,
    Set<String> targets,
    List<PlanSeen> plansBefore,
    List<PlanSeen> plans,
    List<PageSeen> pages,
    Map<String, String> jurisdictions,
    List<VerdictSeen> verdicts,
    Set<String> providers,
    List<SyncSeen> syncs) {

  /** A record without verdict changes or provider syncs. */
  public RunRecord(Instant injectedAt, Optional<Instant> healedAt, Instant endedAt, Set<String> targets,
      List<PlanSeen> plansBefore, List<PlanSeen> plans, List<PageSeen> pages, Map<String, String> jurisdictions) {
    this(injectedAt, healedAt, endedAt, targets, plansBefore, plans, pages, jurisdictions, List.of());
  }

  /** A record without provider syncs. */
  public RunRecord(Instant injectedAt, Optional<Instant> healedAt, Instant endedAt, Set<String> targets,
      List<PlanSeen> plansBefore, List<PlanSeen> plans, List<PageSeen> pages, Map<String, String> jurisdictions,
      List<VerdictSeen> verdicts) {
    this(injectedAt, healedAt, endedAt, targets, plansBefore, plans, pages, jurisdictions, verdicts, Set.of(), List.of());
  }

  public RunRecord {
    Objects.requireNonNull(injectedAt, "injectedAt");
    Objects.requireNonNull(healedAt, "healedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    targets = Set.copyOf(targets);
    plansBefore = List.copyOf(plansBefore);
    plans = List.copyOf(plans);
    pages = List.copyOf(pages);
    jurisdictions = Map.copyOf(jurisdictions);
    verdicts = List.copyOf(verdicts);
    providers = Set.copyOf(providers);
    syncs = List.copyOf(syncs);
  }

  /**
   * One reconcile of a provider for a service: {@code error} empty when it brought the provider to
   * serve plan {@code planVersion}.
   */
  public record SyncSeen(Instant at, String provider, String service, long planVersion, Optional<String> error) {
    public SyncSeen {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(error, "error");
    }
  }

  /** A target's health verdict changed: {@code backend} is {@code service/backend}, health HEALTHY, UNHEALTHY or UNKNOWN. */
  public record VerdictSeen(Instant at, String backend, String health) {
    public VerdictSeen {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(backend, "backend");
      Objects.requireNonNull(health, "health");
    }
  }

  /** One committed plan of one service: per client zone, the backends answering. */
  public record PlanSeen(Instant committedAt, String service, long version, Map<String, List<String>> answers) {
    public PlanSeen {
      Objects.requireNonNull(committedAt, "committedAt");
      answers = Map.copyOf(answers);
    }

    /** The {@code service/backend} names this plan answers with, in any zone. */
    public Set<String> backends() {
      return answers.values().stream().flatMap(List::stream).map(b -> service + "/" + b)
          .collect(java.util.stream.Collectors.toUnmodifiableSet());
    }
  }

  /** One incident paged for a service: when it opened and, if it did, when it resolved. */
  public record PageSeen(String service, Instant openedAt, Optional<Instant> resolvedAt, boolean fromChaos) {
    public PageSeen {
      Objects.requireNonNull(openedAt, "openedAt");
      Objects.requireNonNull(resolvedAt, "resolvedAt");
    }
  }
}
