package dev.tern.controlplane.state;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One episode someone must know about, for one service: opened by the state machine from what it
 * applies (a failover, fail-open, no answer, probes blind), updated while it lasts, resolved when
 * its condition clears. Every node derives the same incidents from the same log, so a new leader
 * neither drops nor duplicates one; which routes have been told is recorded through Raft too.
 *
 * <table>
 *   <tr><th>kind</th><th>opens when</th><th>resolves when</th></tr>
 *   <tr><td>failover</td><td>a plan moved traffic away from backends that turned UNHEALTHY</td>
 *     <td>every backend that failed in the episode is HEALTHY again and no zone fails open</td></tr>
 *   <tr><td>fail-open</td><td>a zone's every eligible backend looked unhealthy, so the allowed ones are served anyway (the residency rule's fallback)</td><td>the same</td></tr>
 *   <tr><td>no-answer</td><td>a zone is answered with nothing (the residency rule says so)</td><td>the same</td></tr>
 *   <tr><td>blind</td><td>every backend of the service lost its verdict: no vantage quorum</td><td>the same</td></tr>
 *   <tr><td>guardrail</td><td>a guardrail kept unhealthy backends in service (recorded by the leader's decision)</td><td>the same</td></tr>
 *   <tr><td>provider-sync</td><td>a provider failed to serve the service's plan for longer than
 *     {@code tern.providers.sync-alert-after} (recorded by the leader's reconciler)</td><td>every provider
 *     bound to the service synced since</td></tr>
 *   <tr><td>leader-churn</td><td>three leader changes within ten minutes (service {@code cluster})</td><td>ten minutes without one</td></tr>
 * </table>
 *
 * @param failed the backends that turned UNHEALTHY in the episode, {@code backend}
 * @param seenBy the vantage points that saw them down
 * @param changes what moved, one line per zone change, across the episode
 * @param detectedAt when the first verdict of the episode changed
 * @param chaosRun the chaos run whose fault was in on the service when it opened: a test
 * @param timelineSequence the plan change that opened it, for the console's timeline (0: none)
 */
public record Incident(
    long id,
    String service,
    String kind,
    String severity,
    String summary,
    Instant openedAt,
    Optional<Instant> detectedAt,
    Optional<Instant> resolvedAt,
    List<String> failed,
    List<String> seenBy,
    List<String> changes,
    Optional<String> chaosRun,
    long timelineSequence,
    List<Update> updates,
    List<Delivery> deliveries) {

  /** Something that happened in the episode after it opened. */
  public record Update(Instant at, String what) {
    public Update {
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(what, "what");
    }
  }

  /**
   * One route told (or not) of the incident: {@code event} is {@code trigger} or {@code resolve},
   * {@code outcome} {@code delivered} or {@code failed: why}.
   */
  public record Delivery(String route, String event, Instant at, String outcome) {
    public Delivery {
      Objects.requireNonNull(route, "route");
      Objects.requireNonNull(event, "event");
      Objects.requireNonNull(at, "at");
      Objects.requireNonNull(outcome, "outcome");
    }

    public boolean delivered() {
      return outcome.equals("delivered");
    }
  }

  public Incident {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(severity, "severity");
    Objects.requireNonNull(summary, "summary");
    Objects.requireNonNull(openedAt, "openedAt");
    Objects.requireNonNull(detectedAt, "detectedAt");
    Objects.requireNonNull(resolvedAt, "resolvedAt");
    failed = List.copyOf(failed);
    seenBy = List.copyOf(seenBy);
    changes = List.copyOf(changes);
    Objects.requireNonNull(chaosRun, "chaosRun");
    updates = List.copyOf(updates);
    deliveries = List.copyOf(deliveries);
  }

  public boolean open() {
    return resolvedAt.isEmpty();
  }

  /** Whether {@code route} was told of {@code event} (a failed attempt does not count). */
  public boolean delivered(String route, String event) {
    return deliveries.stream().anyMatch(d -> d.route().equals(route) && d.event().equals(event) && d.delivered());
  }

  Incident updated(Instant at, String what, List<String> moreFailed, List<String> moreSeenBy, List<String> moreChanges) {
    List<Update> u = new ArrayList<>(updates);
    u.add(new Update(at, what));
    return new Incident(id, service, kind, severity, summary, openedAt, detectedAt, resolvedAt, union(failed, moreFailed),
        union(seenBy, moreSeenBy), concat(changes, moreChanges), chaosRun, timelineSequence, tail(u), deliveries);
  }

  Incident resolved(Instant at, String why) {
    List<Update> u = new ArrayList<>(updates);
    u.add(new Update(at, "resolved: " + why));
    return new Incident(id, service, kind, severity, summary, openedAt, detectedAt, Optional.of(at), failed, seenBy, changes,
        chaosRun, timelineSequence, tail(u), deliveries);
  }

  Incident withDelivery(Delivery d) {
    List<Delivery> all = new ArrayList<>(deliveries);
    all.add(d);
    // Failed attempts are kept only while few; delivered ones always.
    while (all.size() > 50) {
      int failedAt = -1;
      for (int i = 0; i < all.size(); i++) {
        if (!all.get(i).delivered()) {
          failedAt = i;
          break;
        }
      }
      if (failedAt < 0) {
        break;
      }
      all.remove(failedAt);
    }
    return new Incident(id, service, kind, severity, summary, openedAt, detectedAt, resolvedAt, failed, seenBy, changes,
        chaosRun, timelineSequence, updates, all);
  }

  private static List<Update> tail(List<Update> u) {
    return u.size() <= 100 ? u : u.subList(u.size() - 100, u.size());
  }

  private static List<String> union(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    b.stream().filter(x -> !out.contains(x)).forEach(out::add);
    return out;
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> out = new ArrayList<>(a);
    out.addAll(b);
    return out.size() <= 200 ? out : out.subList(out.size() - 200, out.size());
  }
}
