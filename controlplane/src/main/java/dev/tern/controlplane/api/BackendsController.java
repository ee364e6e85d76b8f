package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.decision.LatencyHistory;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.controlplane.state.ServiceState.Drain;
import dev.tern.policy.model.Backend;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Put;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/**
 * Backends with their health and evidence: every service's at once, or one service's; drain and
 * undrain by hand.
 */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class BackendsController {

  /** One backend: configuration, replicated verdict, manual drain, and this node's probe evidence. */
  @Serdeable
  record BackendStatus(String service, String name, String cloud, String region, String jurisdiction, String address, int weight,
      int priority, int capacity, String health, Instant since, String reason, List<String> downVantages,
      DrainView drain, List<Views.Evidence> evidence, @Nullable DiscoveredView discovered) {}

  /**
   * Where a discovered backend comes from (docs/kubernetes-discovery.md): absent for a backend the policy declares.
   *
   * @param ready false when its Service has no ready endpoint
   * @param pinned kept by the policy's {@code discovery.pin} although its cluster no longer reports it
   * @param clusterStale its cluster's API server cannot be listed: the backend is as last seen
   */
  @Serdeable
  record DiscoveredView(String cluster, String kind, String namespace, String name, boolean ready, boolean pinned,
      boolean clusterStale) {}

  /** One backend's probe results over the last minutes, per vantage point, in fixed buckets. */
  @Serdeable
  record LatencyView(String service, String backend, int bucketSeconds, Instant from, Instant to, List<SeriesView> series) {}

  /** One vantage point's buckets, oldest first; a bucket without checks is absent. */
  @Serdeable
  record SeriesView(String vantage, List<PointView> points) {}

  /** How many checks passed and failed in a bucket, and the mean and slowest latency of those that passed. */
  @Serdeable
  record PointView(Instant at, int ok, int failed, Double meanMs, Double maxMs) {}

  /** Who drained a backend, when and why. */
  @Serdeable
  record DrainView(String actor, Instant at, String reason) {}

  private final RaftNode node;
  private final HealthBook book;
  private final LatencyHistory history;
  private final Writes writes;

  BackendsController(RaftNode node, HealthBook book, LatencyHistory history, Writes writes) {
    this.node = node;
    this.book = book;
    this.history = history;
    this.writes = writes;
  }

  /** Every backend of every service, by service name then in policy order. */
  @Get("/backends")
  List<BackendStatus> all() {
    return node.state().services().stream()
        .sorted(java.util.Comparator.comparing(ServiceState::name))
        .flatMap(s -> s.model().backends().stream().map(b -> status(s, b)))
        .toList();
  }

  @Get("/services/{service}/backends")
  List<BackendStatus> list(String service) {
    ServiceState s = find(service);
    return s.model().backends().stream().map(b -> status(s, b)).toList();
  }

  /** The backend's latency and failures per vantage point over the last {@link LatencyHistory#window()}, from this node's observations. */
  @Get("/services/{service}/backends/{backend}/latency")
  LatencyView latency(String service, String backend) {
    ServiceState s = find(service);
    if (s.model().backend(backend).isEmpty()) {
      throw new HttpStatusException(HttpStatus.NOT_FOUND, "service " + service + " has no backend " + backend);
    }
    Instant now = writes.now();
    List<SeriesView> series = history.of(service, backend, now).stream()
        .map(v -> new SeriesView(v.vantage().key(), v.points().stream()
            .map(p -> new PointView(p.at(), p.ok(), p.failed(), p.ok() == 0 ? null : round(p.meanMillis()),
                p.ok() == 0 ? null : round(p.maxMillis())))
            .toList()))
        .toList();
    return new LatencyView(service, backend, (int) history.bucket().toSeconds(), now.minus(history.window()), now, series);
  }

  private static double round(double millis) {
    return Math.round(millis * 100) / 100.0;
  }

  /** Takes a backend out of service until undrained; the decision loop replans within a second. */
  @Put("/services/{service}/backends/{backend}/drain")
  @RequiresRole(Role.OPERATOR)
  BackendStatus drain(String service, String backend, @Nullable @QueryValue String reason, Caller caller) {
    return setDrain(service, backend, true, reason, caller);
  }

  @Delete("/services/{service}/backends/{backend}/drain")
  @RequiresRole(Role.OPERATOR)
  BackendStatus undrain(String service, String backend, @Nullable @QueryValue String reason, Caller caller) {
    return setDrain(service, backend, false, reason, caller);
  }

  private BackendStatus setDrain(String service, String backend, boolean drained, String reason, Caller caller) {
    ServiceState s = find(service);
    if (s.model().backend(backend).isEmpty()) {
      throw new HttpStatusException(HttpStatus.NOT_FOUND, "service " + service + " has no backend " + backend);
    }
    writes.commit(new Command.SetDrain(caller.name(), writes.now(), Writes.requireReason(reason), service, backend, drained));
    ServiceState after = find(service);
    return status(after, after.model().backend(backend).orElseThrow());
  }

  private BackendStatus status(ServiceState s, Backend b) {
    VerdictRecord v = s.verdicts().get(b.name());
    Drain d = s.drains().get(b.name());
    List<Views.Evidence> evidence = book.backend(s.name(), b.name())
        .map(h -> h.views().values().stream().map(Views.Evidence::of).toList())
        .orElse(List.of());
    return new BackendStatus(s.name(), b.name(), b.region().cloud().key(), b.region().name(), b.jurisdiction().code(), b.address(),
        b.weight(), b.priority(), b.capacity(), v == null ? "UNKNOWN" : v.health().name(), v == null ? null : v.since(),
        v == null ? "no verdict yet" : v.reason(), v == null ? List.of() : v.downVantages(),
        d == null ? null : new DrainView(d.actor(), d.at(), d.reason()), evidence, discovered(s, b));
  }

  private DiscoveredView discovered(ServiceState s, Backend b) {
    return s.discoveredBackend(b.name()).flatMap(m -> m.source().map(src -> new DiscoveredView(src.cluster(),
        src.kind().name().toLowerCase(java.util.Locale.ROOT), src.namespace(), src.name(), m.ready(), m.pinned(),
        node.state().cluster(src.cluster()).map(c -> c.stale()).orElse(true)))).orElse(null);
  }

  private ServiceState find(String name) {
    return node.state().service(name)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no service named " + name));
  }
}
