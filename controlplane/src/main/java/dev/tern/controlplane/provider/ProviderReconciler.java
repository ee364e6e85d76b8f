package dev.tern.controlplane.provider;

import dev.tern.controlplane.chaos.ProviderFaults;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.value.PropertyResolver;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Runs the providers on the leader: each bound service is reconciled when a new plan of it is
 * committed, and every {@code tern.providers.resync} regardless (drift). One reconcile per provider
 * and service at a time; a failed one is reported and tried again after a wait that doubles from
 * 1 s up to {@code tern.providers.max-backoff}. A provider that has failed a service for longer
 * than {@code tern.providers.sync-alert-after} opens an incident, once per episode.
 *
 * <p>While a {@code provider-fault} chaos run is in for a provider kind ({@link ProviderFaults}),
 * that kind's reconciles fail before any request leaves the node, as an API outage would.
 */
@Context
public final class ProviderReconciler implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ProviderReconciler.class.getName());
  private static final Duration TICK = Duration.ofMillis(200);
  private static final String ACTOR = "provider-reconciler";
  /** How many reconciles the history keeps, for chaos reports. */
  static final int HISTORY = 2000;

  /** One provider account's standing for one service, for the API and the console. */
  public record Status(String provider, String kind, String service, long appliedVersion, Optional<Instant> lastSync,
      Optional<String> lastError, long driftCorrected) {}

  /** One reconcile this node made as leader: {@code error} empty when it succeeded. */
  public record Sync(Instant at, String provider, String kind, String service, long planVersion,
      Optional<String> error) {}

  private final RaftNode node;
  private final ProviderSettings settings;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final ProviderFaults faults = new ProviderFaults();
  private final List<Bound> bound = new ArrayList<>();
  private final Set<String> due = ConcurrentHashMap.newKeySet();
  private final Map<String, Status> status = new ConcurrentHashMap<>();
  /** After a failure, when the next attempt may start, and the wait before the one after. */
  private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
  private final Map<String, Duration> backoff = new ConcurrentHashMap<>();
  /** Since when a provider has been failing a service, and whether that episode was recorded. */
  private final Map<String, Instant> failingSince = new ConcurrentHashMap<>();
  private final Set<String> alerted = ConcurrentHashMap.newKeySet();
  private final Deque<Sync> history = new ArrayDeque<>();
  private volatile boolean closed;
  private volatile Instant nextResync = Instant.EPOCH;

  /** A provider and the services it serves. */
  private record Bound(Provider provider, List<String> services) {
    String key(String service) {
      return provider.name() + "/" + service;
    }
  }

  ProviderReconciler(RaftNode node, ProviderSettings settings, Clock clock, MeterRegistry metrics) {
    this.node = node;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    for (ProviderAccount a : settings.accounts()) {
      bound.add(new Bound(a.open(), a.services()));
    }
    node.onApplied(c -> {
      if (c instanceof Command.PublishPlan p) {
        bound.stream().filter(b -> b.services().contains(p.plan().service())).forEach(b -> due.add(b.key(p.plan().service())));
      } else if (c instanceof Command.StartChaosRun) {
        // A provider fault is only felt when the provider is asked to act: every bound service is reconciled now.
        markAllDue();
      }
    });
    if (!bound.isEmpty()) {
      Thread.ofVirtual().name("providers").start(this::loop);
    }
  }

  /** The settings this reconciler runs with. */
  public ProviderSettings settings() {
    return settings;
  }

  /** Every provider's standing per service. */
  public List<Status> status() {
    return status.values().stream().sorted(Comparator.comparing(Status::provider).thenComparing(Status::service)).toList();
  }

  /** The reconciles this node made as leader since {@code since}, oldest first (the latest {@value #HISTORY}). */
  public List<Sync> history(Instant since) {
    synchronized (history) {
      return history.stream().filter(s -> !s.at().isBefore(since)).toList();
    }
  }

  /** The accounts of {@code kind}, or the accounts serving any of {@code services} when {@code kind} is empty. */
  public List<String> accounts(Optional<String> kind, Set<String> services) {
    return bound.stream().filter(b -> kind.map(k -> b.provider().kind().equals(k))
            .orElseGet(() -> b.services().stream().anyMatch(services::contains)))
        .map(b -> b.provider().name()).toList();
  }

  /**
   * Why the providers bound to {@code service} cannot serve it as its policy says, each reason
   * prefixed with the provider's name; empty when they all can.
   */
  public List<String> cannotExpress(Service service) {
    List<String> out = new ArrayList<>();
    for (Bound b : bound) {
      if (b.services().contains(service.name())) {
        b.provider().cannotExpress(service).forEach(r -> out.add(b.provider().name() + " (" + b.provider().kind()
            + "): " + r));
      }
    }
    return out;
  }

  /**
   * Whether every provider bound to {@code service} serves its plan now: the reason in words when
   * each has synced it and none is failing; empty otherwise (or when this node has not reconciled yet).
   */
  public Optional<String> synced(String service) {
    List<String> names = new ArrayList<>();
    for (Bound b : bound) {
      if (b.services().contains(service)) {
        Status s = status.get(b.key(service));
        if (s == null || s.lastError().isPresent() || s.lastSync().isEmpty()) {
          return Optional.empty();
        }
        names.add(b.provider().name() + " at v" + s.appliedVersion());
      }
    }
    return names.isEmpty() ? Optional.of("no provider serves " + service + " any more")
        : Optional.of("every provider synced again (" + String.join(", ", names) + ")");
  }

  /** What {@code provider} would change to serve the committed plan of {@code service}, without changing it. */
  public Optional<Provider.Result> dryRun(String provider, String service) {
    Bound b = bound.stream().filter(x -> x.provider().name().equals(provider)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no provider account named " + provider));
    if (!b.services().contains(service)) {
      throw new IllegalArgumentException(provider + " does not serve " + service);
    }
    Optional<ServiceState> state = node.state().service(service);
    return state.flatMap(ServiceState::plan).map(plan -> b.provider().reconcile(state.get().model(), plan, true));
  }

  private void markAllDue() {
    bound.forEach(b -> b.services().forEach(s -> due.add(b.key(s))));
  }

  private void loop() {
    while (!closed) {
      try {
        if (node.isLeader()) {
          round(clock.instant());
        }
        Thread.sleep(TICK);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warning(() -> "provider round failed: " + e);
      }
    }
  }

  private void round(Instant now) {
    if (!now.isBefore(nextResync)) {
      markAllDue();
      nextResync = now.plus(settings.resync());
    }
    for (Bound b : bound) {
      for (String service : b.services()) {
        String key = b.key(service);
        if (now.isBefore(notBefore.getOrDefault(key, Instant.EPOCH))) {
          continue;
        }
        if (due.remove(key)) {
          node.state().service(service).ifPresent(st -> st.plan().ifPresent(plan -> reconcile(b, st.model(), plan)));
        }
      }
    }
  }

  private void reconcile(Bound b, Service service, RoutingPlan plan) {
    Provider provider = b.provider();
    String key = b.key(service.name());
    Status before = status.get(key);
    long drift = before == null ? 0 : before.driftCorrected();
    try {
      Optional<String> chaos = faults.failing(node.state(), provider.kind());
      if (chaos.isPresent()) {
        throw new ProviderException("chaos run " + chaos.get() + ": provider-api-failure injected; no request was sent",
            true, null);
      }
      List<String> refused = provider.cannotExpress(service);
      if (!refused.isEmpty()) {
        throw new ProviderException("cannot express the policy: " + String.join("; ", refused), false, null);
      }
      Provider.Result o = provider.reconcile(service, plan, false);
      if (!o.changes().isEmpty()) {
        LOG.info(() -> provider.name() + ": " + plan.service() + " v" + plan.version() + ": " + o.changes().size()
            + " change" + (o.changes().size() == 1 ? "" : "s") + " applied" + (o.drift() ? " (drift corrected)" : "")
            + ": " + o.changes());
      }
      o.changes().forEach(c -> Counter.builder("tern.provider.changes").description("Changes applied by providers")
          .tag("provider", provider.name()).tag("kind", provider.kind()).tag("action", c.action()).register(metrics)
          .increment());
      if (o.drift()) {
        drift++;
        Counter.builder("tern.provider.drift").description("Hand edits found in a provider and corrected")
            .tag("provider", provider.name()).register(metrics).increment();
        // In the audit log, for everyone: someone changed the cloud by hand.
        node.submit(new Command.RecordProviderDrift(ACTOR, clock.instant().truncatedTo(ChronoUnit.MILLIS),
            plan.service(), provider.name(), o.changes().stream().map(Provider.Change::toString).toList()),
            Duration.ofSeconds(5)).whenComplete((r, e) -> {
              if (e != null) {
                LOG.warning(() -> "recording drift of " + provider.name() + " failed: " + e);
              }
            });
      }
      Instant at = clock.instant();
      status.put(key, new Status(provider.name(), provider.kind(), plan.service(), plan.version(), Optional.of(at),
          Optional.empty(), drift));
      remember(new Sync(at, provider.name(), provider.kind(), plan.service(), plan.version(), Optional.empty()));
      notBefore.remove(key);
      backoff.remove(key);
      failingSince.remove(key);
      alerted.remove(key);
    } catch (RuntimeException e) {
      Instant at = clock.instant();
      String error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
      Counter.builder("tern.provider.failures").description("Reconciles that failed (tried again after a backoff)")
          .tag("provider", provider.name()).register(metrics).increment();
      LOG.warning(() -> provider.name() + ": " + plan.service() + " not reconciled: " + error);
      status.put(key, new Status(provider.name(), provider.kind(), plan.service(),
          before == null ? 0 : before.appliedVersion(), before == null ? Optional.empty() : before.lastSync(),
          Optional.of(error), drift));
      remember(new Sync(at, provider.name(), provider.kind(), plan.service(), plan.version(), Optional.of(error)));
      Duration wait = backoff.merge(key, Duration.ofSeconds(1), (w, one) -> min(w.multipliedBy(2), settings.maxBackoff()));
      notBefore.put(key, at.plus(wait));
      due.add(key);
      Instant since = failingSince.computeIfAbsent(key, k -> at);
      if (!at.isBefore(since.plus(settings.syncAlertAfter())) && alerted.add(key)) {
        submitAlert(plan.service(), provider.name(), since, error);
      }
    }
  }

  private void submitAlert(String service, String provider, Instant since, String error) {
    String key = provider + "/" + service;
    node.submit(new Command.RecordProviderSyncFailing(ACTOR, clock.instant().truncatedTo(ChronoUnit.MILLIS), service,
        provider, since.truncatedTo(ChronoUnit.MILLIS), error), Duration.ofSeconds(5)).whenComplete((r, e) -> {
          if (e != null || r instanceof ApplyResult.Rejected) {
            alerted.remove(key); // Recorded on a later failure instead.
            LOG.warning(() -> "recording that " + provider + " fails " + service + " failed: " + (e != null ? e : r));
          }
        });
  }

  private void remember(Sync s) {
    synchronized (history) {
      history.addLast(s);
      while (history.size() > HISTORY) {
        history.removeFirst();
      }
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  @PreDestroy
  @Override
  public void close() {
    closed = true;
    bound.forEach(b -> b.provider().close());
  }

  /** The settings as a bean. */
  @Factory
  static final class Beans {
    @Singleton
    ProviderSettings settings(PropertyResolver p) {
      return ProviderSettings.from(p);
    }
  }
}
