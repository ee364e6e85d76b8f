package dev.tern.controlplane.kubernetes;

import dev.tern.policy.geo.Region;
import dev.tern.policy.model.Jurisdiction;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One backend found in a Kubernetes cluster: a LoadBalancer Service's, an Ingress's or a Gateway's status address,
 * labelled {@code tern.dev/service=<service>}.
 *
 * @param name the backend's name in the service ({@code tern.dev/backend}, or {@code <cluster>-<namespace>-<name>})
 * @param source the cluster object it comes from
 * @param address the load balancer's IP address or hostname
 * @param weight from {@code tern.dev/weight}, else 1
 * @param priority from {@code tern.dev/priority}, else 1
 * @param capacity from {@code tern.dev/capacity}, else 1000
 * @param ready false when a Service has no ready endpoint (its EndpointSlices say so) or a Gateway is not
 *     {@code Programmed}; Ingresses are always ready
 * @param problems annotations that could not be read (the default was used), for the API and the console
 */
public record DiscoveredBackend(String name, Source source, Region region, Jurisdiction jurisdiction, String address,
    int weight, int priority, int capacity, boolean ready, List<String> problems) {

  /** The Kubernetes kinds a backend can come from. */
  public enum Kind {
    SERVICE,
    INGRESS,
    /** A Gateway API {@code Gateway}; ready when its {@code Programmed} condition is true. */
    GATEWAY
  }

  /** Where in a cluster a discovered backend comes from. */
  public record Source(String cluster, Kind kind, String namespace, String name) {
    public Source {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(namespace, "namespace");
      Objects.requireNonNull(name, "name");
    }

    /** {@code cluster/service/namespace/name}, for messages. */
    @Override
    public String toString() {
      return cluster + "/" + kind.name().toLowerCase(Locale.ROOT) + "/" + namespace + "/" + name;
    }
  }

  public DiscoveredBackend {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(region, "region");
    Objects.requireNonNull(jurisdiction, "jurisdiction");
    Objects.requireNonNull(address, "address");
    problems = List.copyOf(problems);
  }
}
