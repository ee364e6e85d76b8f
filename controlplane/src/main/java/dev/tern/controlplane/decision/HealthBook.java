package dev.tern.controlplane.decision;

import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.controlplane.state.ReplicatedState;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.BackendHealth;
import dev.tern.policy.health.HealthEvaluator;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.policy.model.HealthSettings;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Every probe observation this node has received, folded into per-backend health. Every node keeps
 * one, so that a new leader decides at once from a warm view; observations never go through Raft.
 *
 * <p>Thread-safe: ingestion (API threads) and evaluation (the decision loop) may run at once; each
 * backend's state is replaced atomically.
 */
public final class HealthBook {

  private final ReplicatedState state;
  private final Map<String, Map<String, BackendHealth>> book = new ConcurrentHashMap<>();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong unknownTarget = new AtomicLong();
  private volatile Set<Region> isolated = Set.of();

  public HealthBook(ReplicatedState state) {
    this.state = state;
  }

  /** Folds observations in; those for services or backends the policy does not have are counted and dropped. */
  public int ingest(List<ProbeObservation> observations) {
    int taken = 0;
    for (ProbeObservation o : observations) {
      Optional<ServiceState> service = state.service(o.service());
      if (service.isEmpty() || service.get().model().backend(o.backend()).isEmpty()) {
        unknownTarget.incrementAndGet();
        continue;
      }
      HealthSettings settings = service.get().model().health();
      book.computeIfAbsent(o.service(), k -> new ConcurrentHashMap<>())
          .compute(o.backend(), (k, before) ->
              HealthEvaluator.observe(before == null ? BackendHealth.initial(k, o.at()) : before, o, settings));
      taken++;
    }
    accepted.addAndGet(taken);
    return taken;
  }

  /**
   * Re-evaluates every backend of every service at {@code now}, setting aside vantage points that
   * look cut off; returns the evaluated states by service and backend.
   */
  public Map<String, Map<String, BackendHealth>> evaluate(Instant now) {
    List<BackendHealth> all = new ArrayList<>();
    book.values().forEach(m -> all.addAll(m.values()));
    Set<Region> cutOff = HealthEvaluator.isolatedVantages(all, now, staleAfter());
    isolated = cutOff;
    Map<String, Map<String, BackendHealth>> out = new LinkedHashMap<>();
    for (ServiceState s : state.services()) {
      Map<String, BackendHealth> backends = book.computeIfAbsent(s.name(), k -> new ConcurrentHashMap<>());
      backends.keySet().removeIf(name -> s.model().backend(name).isEmpty());
      Map<String, BackendHealth> evaluated = new LinkedHashMap<>();
      for (var backend : s.model().backends()) {
        BackendHealth next = backends.compute(backend.name(), (k, before) ->
            HealthEvaluator.evaluate(before == null ? BackendHealth.initial(k, now) : before, now, s.model().health(), cutOff));
        evaluated.put(backend.name(), next);
      }
      out.put(s.name(), evaluated);
    }
    book.keySet().removeIf(name -> state.service(name).isEmpty());
    return out;
  }

  /**
   * Takes the cluster's committed verdicts as this book's own, each vantage's view kept (a backend
   * without one is UNKNOWN as of {@code now}). A node judges only while it leads, so its book's
   * verdicts are those of the last time it led, maybe long ago, while other leaders moved the
   * cluster's on. Called as a term begins: a backend whose health then differs turns at the next
   * evaluation, with {@code since} at that time, after every plan the cluster decided meanwhile.
   */
  public void adoptCommittedVerdicts(Instant now) {
    for (ServiceState s : state.services()) {
      Map<String, BackendHealth> backends = book.computeIfAbsent(s.name(), k -> new ConcurrentHashMap<>());
      for (var backend : s.model().backends()) {
        Optional<VerdictRecord> committed = Optional.ofNullable(s.verdicts().get(backend.name()));
        HealthVerdict verdict = committed.map(v -> new HealthVerdict(v.backend(), v.health(), v.since(),
            v.lastUnhealthy(), List.of(), v.reason())).orElse(HealthVerdict.unknown(backend.name(), now));
        backends.compute(backend.name(), (k, before) ->
            new BackendHealth(k, before == null ? Map.of() : before.views(), verdict));
      }
    }
  }

  /** The latency matrix of one service at {@code now}, from this node's observations. */
  public LatencyMatrix latency(String service, Instant now) {
    Optional<ServiceState> s = state.service(service);
    Map<String, BackendHealth> backends = book.get(service);
    if (s.isEmpty() || backends == null) {
      return LatencyMatrix.EMPTY;
    }
    return HealthEvaluator.latencies(backends, now, s.get().model().health());
  }

  /** What this node knows of one backend, if anything. */
  public Optional<BackendHealth> backend(String service, String backend) {
    return Optional.ofNullable(book.get(service)).map(m -> m.get(backend));
  }

  /**
   * One vantage point as this node hears it.
   *
   * @param lastSeen its newest observation of any backend
   * @param stale true when even that is older than the services' {@code staleAfter}
   * @param isolated true when the last evaluation set it aside as cut off
   * @param backends how many backends it reports on
   */
  public record Vantage(Region region, Instant lastSeen, boolean stale, boolean isolated, int backends) {}

  /**
   * Every vantage point this node has observations from, by key. Reads the book's immutable
   * per-backend states, so it may run while observations arrive.
   */
  public List<Vantage> vantages(Instant now) {
    Map<Region, Instant> lastSeen = new java.util.HashMap<>();
    Map<Region, Integer> backends = new java.util.HashMap<>();
    for (Map<String, BackendHealth> service : book.values()) {
      for (BackendHealth b : service.values()) {
        for (var view : b.views().values()) {
          lastSeen.merge(view.vantage(), view.lastSeen(), (x, y) -> x.isAfter(y) ? x : y);
          backends.merge(view.vantage(), 1, Integer::sum);
        }
      }
    }
    Instant oldest = now.minus(staleAfter());
    Set<Region> cutOff = isolated;
    return lastSeen.entrySet().stream()
        .sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Region::key)))
        .map(e -> new Vantage(e.getKey(), e.getValue(), e.getValue().isBefore(oldest), cutOff.contains(e.getKey()),
            backends.get(e.getKey())))
        .toList();
  }

  /** The vantage points the last evaluation set aside as cut off. */
  public Set<Region> isolated() {
    return isolated;
  }

  public long accepted() {
    return accepted.get();
  }

  public long droppedUnknownTarget() {
    return unknownTarget.get();
  }

  private java.time.Duration staleAfter() {
    return state.services().stream()
        .map(s -> s.model().health().staleAfter())
        .max(java.time.Duration::compareTo)
        .orElse(HealthSettings.DEFAULTS.staleAfter());
  }
}
