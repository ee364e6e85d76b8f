package dev.tern.controlplane.api;

import dev.tern.controlplane.kubernetes.DiscoveredBackend;
import dev.tern.controlplane.kubernetes.KubernetesClusters;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The Kubernetes clusters discovery watches (docs/kubernetes-discovery.md), as this node and the replicated state see them. */
@Controller("/api/v1/kubernetes")
@ExecuteOn(TaskExecutors.BLOCKING)
final class KubernetesController {

  /**
   * One cluster.
   *
   * @param stale this node cannot list the cluster's API server (or has not yet): what it holds is as last seen
   * @param committedStale what the leader last committed: the flag the services' backends are kept under
   * @param committedAt when the leader last committed this cluster's discovery; null before the first commit
   * @param backends the backends the replicated state holds from this cluster
   */
  @Serdeable
  record ClusterView(String name, String cloud, String region, String jurisdiction, List<String> namespaces,
      boolean stale, Instant asOf, @Nullable Boolean committedStale, @Nullable Instant committedAt,
      List<BackendView> backends) {}

  /** A discovered backend of a service, with its source object. */
  @Serdeable
  record BackendView(String service, String name, String kind, String namespace, String object, String address,
      int weight, int priority, int capacity, boolean ready, List<String> problems) {}

  private final KubernetesClusters clusters;

  KubernetesController(KubernetesClusters clusters) {
    this.clusters = clusters;
  }

  @Get("/clusters")
  @RequiresRole(Role.VIEWER)
  List<ClusterView> list() {
    return clusters.status().stream().map(s -> {
      List<BackendView> backends = new ArrayList<>();
      s.committed().ifPresent(c -> c.services().forEach((service, list) -> list.forEach(b -> backends.add(view(service, b)))));
      return new ClusterView(s.cluster().name(), s.cluster().region().cloud().key(), s.cluster().region().name(),
          s.cluster().jurisdiction().code(), s.cluster().namespaces(), s.seen().stale(), s.seen().asOf(),
          s.committed().map(c -> c.stale()).orElse(null), s.committed().map(c -> c.at()).orElse(null), backends);
    }).toList();
  }

  private static BackendView view(String service, DiscoveredBackend b) {
    return new BackendView(service, b.name(), b.source().kind().name().toLowerCase(Locale.ROOT), b.source().namespace(),
        b.source().name(), b.address(), b.weight(), b.priority(), b.capacity(), b.ready(), b.problems());
  }
}
