package dev.tern.controlplane.provider;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.provider.route53.Route53Diff;
import dev.tern.controlplane.provider.route53.Route53Provider;
import dev.tern.controlplane.provider.route53.SdkRoute53Api;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ServiceState;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.route53.Route53Client;

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
  public record Status(String provider, String service, long appliedVersion, Optional<Instant> lastSync,
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
  private final List<AutoCloseable> clients = new ArrayList<>();
  private volatile boolean closed;
  private volatile Instant nextResync = Instant.EPOCH;

  /** A provider and the services it serves. */
  private record Bound(Route53Provider provider, List<String> services) {}

  ProviderReconciler(RaftNode node, ProviderSettings settings, Clock clock, MeterRegistry metrics) {
    this.node = node;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    for (ProviderSettings.Route53Account a : settings.route53()) {
      Route53Client client = route53Client(a);
      clients.add(client);
      bound.add(new Bound(new Route53Provider(a.name(), a.hostedZoneId(), a.owner(), a.policy(), new SdkRoute53Api(client),
          Duration.ofMillis(500)), a.services()));
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

  private static Route53Client route53Client(ProviderSettings.Route53Account a) {
    AwsCredentialsProvider credentials = a.credentials()
        .<AwsCredentialsProvider>map(c -> StaticCredentialsProvider.create(
            AwsBasicCredentials.create(c.accessKeyId(), c.secretAccessKey())))
        .orElseGet(() -> DefaultCredentialsProvider.builder().build());
    var builder = Route53Client.builder().region(Region.of(a.region())).httpClient(UrlConnectionHttpClient.create())
        .credentialsProvider(credentials);
    a.endpoint().ifPresent(builder::endpointOverride);
    return builder.build();
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
          node.state().service(service).flatMap(ServiceState::plan).ifPresent(plan -> reconcile(b.provider(), plan, key));
        }
      }
    }
  }

  private void reconcile(Route53Provider provider, RoutingPlan plan, String key) {
    Status before = status.get(key);
    long drift = before == null ? 0 : before.driftCorrected();
    try {
      Route53Provider.Outcome o = provider.reconcile(plan, false);
      o.changes().forEach(c -> Counter.builder("tern.provider.changes").description("Record changes applied by providers")
          .tag("provider", provider.name()).tag("action", c.action()).register(metrics).increment());
      if (o.drift()) {
        drift++;
        Counter.builder("tern.provider.drift").description("Hand edits found in a provider and corrected")
            .tag("provider", provider.name()).register(metrics).increment();
      }
      status.put(key, new Status(provider.name(), plan.service(), plan.version(), Optional.of(clock.instant()),
          Optional.empty(), drift));
      notBefore.remove(key);
      backoff.remove(key);
    } catch (RuntimeException e) {
      Counter.builder("tern.provider.failures").description("Reconciles that failed (retried next round)")
          .tag("provider", provider.name()).register(metrics).increment();
      LOG.warning(() -> provider.name() + ": " + plan.service() + " not reconciled: " + e.getMessage());
      status.put(key, new Status(provider.name(), plan.service(), before == null ? 0 : before.appliedVersion(),
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
    for (AutoCloseable c : clients) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.fine(() -> "closing a provider client: " + e);
      }
    }
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
