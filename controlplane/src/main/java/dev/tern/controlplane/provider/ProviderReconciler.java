package dev.tern.controlplane.provider;

import dev.tern.controlplane.cluster.RaftNode;
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
import java.util.ArrayList;
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
 * 1 s up to the resync interval.
 */
@Context
public final class ProviderReconciler implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(ProviderReconciler.class.getName());
  private static final Duration TICK = Duration.ofMillis(200);

  /** One provider account's standing for one service, for the API and the console. */
  public record Status(String provider, String kind, String service, long appliedVersion, Optional<Instant> lastSync,
      Optional<String> lastError, long driftCorrected) {}

  private final RaftNode node;
  private final ProviderSettings settings;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final List<Bound> bound = new ArrayList<>();
  private final Set<String> due = ConcurrentHashMap.newKeySet();
  private final Map<String, Status> status = new ConcurrentHashMap<>();
  /** After a failure, when the next attempt may start, and the wait before the one after. */
  private final Map<String, Instant> notBefore = new ConcurrentHashMap<>();
  private final Map<String, Duration> backoff = new ConcurrentHashMap<>();
  private volatile boolean closed;
  private volatile Instant nextResync = Instant.EPOCH;

  /** A provider and the services it serves. */
  private record Bound(Provider provider, List<String> services) {}

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
        bound.stream().filter(b -> b.services().contains(p.plan().service()))
            .forEach(b -> due.add(b.provider().name() + "/" + p.plan().service()));
      }
    });
    if (!bound.isEmpty()) {
      Thread.ofVirtual().name("providers").start(this::loop);
    }
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

  /** Every provider's standing per service. */
  public List<Status> status() {
    return status.values().stream().sorted(java.util.Comparator.comparing(Status::provider).thenComparing(Status::service))
        .toList();
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
      bound.forEach(b -> b.services().forEach(s -> due.add(b.provider().name() + "/" + s)));
      nextResync = now.plus(settings.resync());
    }
    for (Bound b : bound) {
      for (String service : b.services()) {
        String key = b.provider().name() + "/" + service;
        if (now.isBefore(notBefore.getOrDefault(key, Instant.EPOCH))) {
          continue;
        }
        if (due.remove(key)) {
          node.state().service(service).ifPresent(st -> st.plan().ifPresent(plan -> reconcile(b.provider(), st.model(),
              plan, key)));
        }
      }
    }
  }

  private void reconcile(Provider provider, Service service, RoutingPlan plan, String key) {
    Status before = status.get(key);
    long drift = before == null ? 0 : before.driftCorrected();
    try {
      List<String> refused = provider.cannotExpress(service);
      if (!refused.isEmpty()) {
        throw new ProviderException("cannot express the policy: " + String.join("; ", refused), false, null);
      }
      Provider.Result o = provider.reconcile(service, plan, false);
      o.changes().forEach(c -> Counter.builder("tern.provider.changes").description("Record changes applied by providers")
          .tag("provider", provider.name()).tag("kind", provider.kind()).tag("action", c.action()).register(metrics).increment());
      if (o.drift()) {
        drift++;
        Counter.builder("tern.provider.drift").description("Hand edits found in a provider and corrected")
            .tag("provider", provider.name()).register(metrics).increment();
      }
      status.put(key, new Status(provider.name(), provider.kind(), plan.service(), plan.version(), Optional.of(clock.instant()),
          Optional.empty(), drift));
      notBefore.remove(key);
      backoff.remove(key);
    } catch (RuntimeException e) {
      Counter.builder("tern.provider.failures").description("Reconciles that failed (retried next round)")
          .tag("provider", provider.name()).register(metrics).increment();
      LOG.warning(() -> provider.name() + ": " + plan.service() + " not reconciled: " + e.getMessage());
      status.put(key, new Status(provider.name(), provider.kind(), plan.service(), before == null ? 0 : before.appliedVersion(),
          before == null ? Optional.empty() : before.lastSync(), Optional.of(e.getMessage()), drift));
      // Tried again after a wait that doubles from 1 s up to the resync interval.
      Duration wait = backoff.merge(key, Duration.ofSeconds(1), (w, one) -> w.multipliedBy(2).compareTo(settings.resync()) > 0
          ? settings.resync() : w.multipliedBy(2));
      notBefore.put(key, clock.instant().plus(wait));
      due.add(key);
    }
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
