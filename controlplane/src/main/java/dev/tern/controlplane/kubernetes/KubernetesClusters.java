package dev.tern.controlplane.kubernetes;

import dev.tern.chaos.run.FaultInjector;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ReplicatedState.DiscoveredCluster;
import io.kubernetes.client.openapi.ApiClient;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.value.PropertyResolver;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The configured Kubernetes clusters ({@code tern.kubernetes.clusters}) on this node: one {@link ClusterDiscovery}
 * each, and the leader's loop that commits what they see.
 *
 * <p><b>Every node watches, only the leader commits.</b> Each node runs discovery so that a new leader has a warm
 * snapshot at once. The leader compares each cluster's snapshot with what the replicated state holds for it and,
 * when they differ, commits a {@link Command.RecordDiscovery}; the state machine merges the backends into their
 * services on every node (see {@code TernStateMachine}).
 *
 * <p><b>Never drop on an outage.</b> A stale snapshot (its API server cannot be listed) commits only the stale flag:
 * the services are the ones last committed, whatever the snapshot holds, so an API server that is down, or a node
 * that has just started and not listed yet, never removes a backend.
 *
 * <p><b>Threading.</b> The discoveries run on their own virtual threads and only signal; one virtual thread here
 * does every commit, on a signal or every second, so commits for one cluster are in order.
 *
 * <p><b>Failure.</b> A cluster whose client cannot be built (an unreadable kubeconfig) stops the node at start with
 * the reason. A commit that fails (no quorum, lost leadership) is retried on the next pass.
 */
@Context
public final class KubernetesClusters implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(KubernetesClusters.class.getName());
  static final String ACTOR = "kubernetes-discovery";
  private static final Duration PASS = Duration.ofSeconds(1);
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

  /** One cluster as this node sees it, and as the replicated state last recorded it. */
  public record Status(KubernetesSettings.Cluster cluster, DiscoveredBackends seen, Optional<DiscoveredCluster> committed) {}

  private record Watched(KubernetesSettings.Cluster cluster, ApiClient client, ClusterDiscovery discovery) {}

  private final RaftNode node;
  private final Clock clock;
  private final List<Watched> watched = new ArrayList<>();
  private final Semaphore changed = new Semaphore(0);
  private volatile boolean closed;

  KubernetesClusters(RaftNode node, Clock clock, PropertyResolver properties) {
    this.node = node;
    this.clock = clock;
    for (KubernetesSettings.Cluster c : KubernetesSettings.from(properties)) {
      ApiClient client;
      try {
        client = c.open();
      } catch (IOException e) {
        throw new UncheckedIOException("tern.kubernetes.clusters: cluster " + c.name() + ": " + e.getMessage(), e);
      }
      watched.add(new Watched(c, client, new ClusterDiscovery(c, client, clock, snapshot -> changed.release())));
    }
    if (watched.isEmpty()) {
      return;
    }
    watched.forEach(w -> w.discovery().start());
    node.onLeadershipChange(leader -> changed.release());
    Thread.ofVirtual().name("k8s-discovery-commit").start(this::loop);
    LOG.info(() -> "Kubernetes discovery watching " + watched.size() + " cluster(s): "
        + String.join(", ", watched.stream().map(w -> w.cluster().name()).toList()));
  }

  /** Every configured cluster, in configuration order. */
  public List<Status> status() {
    return watched.stream()
        .map(w -> new Status(w.cluster(), w.discovery().snapshot(), node.state().cluster(w.cluster().name())))
        .toList();
  }

  /** What the chaos injector acts through: each cluster's client and its latest snapshot. */
  public List<KubernetesInjector.ClusterAccess> access() {
    return watched.stream()
        .map(w -> new KubernetesInjector.ClusterAccess(w.cluster(), w.client(), w.discovery()::snapshot))
        .toList();
  }

  private void loop() {
    while (!closed) {
      try {
        changed.tryAcquire(PASS.toMillis(), TimeUnit.MILLISECONDS);
        changed.drainPermits();
        if (node.isLeader()) {
          watched.forEach(this::commitIfChanged);
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "Kubernetes discovery commit pass failed; retrying", e);
      }
    }
  }

  private void commitIfChanged(Watched w) {
    String name = w.cluster().name();
    DiscoveredBackends seen = w.discovery().snapshot();
    Optional<DiscoveredCluster> committed = node.state().cluster(name);
    Command.RecordDiscovery record = next(name, seen, committed, clock.instant());
    if (record == null) {
      return;
    }
    try {
      node.submit(record, COMMIT_TIMEOUT).join();
      if (committed.isPresent() && committed.get().stale() != record.stale()) {
        LOG.info(() -> "Kubernetes cluster " + name + (record.stale() ? " is stale: its API server cannot be listed; "
            + "its backends are kept as they were" : " is reachable again"));
      }
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, e, () -> "cluster " + name + ": discovery not committed; retrying in " + PASS.toSeconds()
          + " s: " + e.getMessage());
    }
  }

  /**
   * The command that brings the committed record of a cluster up to {@code seen}, or null when nothing changed. A
   * stale snapshot keeps the committed services and changes only the flag.
   */
  static Command.RecordDiscovery next(String cluster, DiscoveredBackends seen, Optional<DiscoveredCluster> committed,
      Instant now) {
    Map<String, List<DiscoveredBackend>> services = seen.stale()
        ? committed.map(DiscoveredCluster::services).orElse(Map.of())
        : seen.services();
    if (committed.isPresent() && committed.get().stale() == seen.stale()
        && committed.get().services().equals(services)) {
      return null;
    }
    return new Command.RecordDiscovery(ACTOR, now, cluster, seen.stale(), services);
  }

  @PreDestroy
  @Override
  public void close() {
    closed = true;
    watched.forEach(w -> w.discovery().close());
  }

  /** The {@code kubernetes} chaos injector, acting in the configured clusters. */
  @Factory
  static final class Beans {
    @Singleton
    FaultInjector kubernetesInjector(KubernetesClusters clusters) {
      return new KubernetesInjector(clusters.access());
    }
  }
}
