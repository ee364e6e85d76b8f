package dev.tern.controlplane.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.kubernetes.DiscoveredBackend.Kind;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Jurisdiction;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.models.V1Endpoint;
import io.kubernetes.client.openapi.models.V1EndpointConditions;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1IngressStatus;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.util.ClientBuilder;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Discovery against an API server on loopback that lists and streams watch events as the real one does: what the
 * cluster says becomes backends within a second, and an API server that goes away leaves them in place, stale.
 */
class ClusterDiscoveryTest {

  private static final KubernetesSettings.Cluster CLUSTER = new KubernetesSettings.Cluster("eks-fra", Optional.empty(),
      Optional.empty(), true, RegionCatalog.find(Cloud.AWS, "eu-central-1").orElseThrow(), Jurisdiction.EU, List.of(),
      Duration.ofMinutes(5), KubernetesSettings.OutageMode.SCALE_TO_ZERO);

  private WatchingApiServer api;
  private ClusterDiscovery discovery;
  private final List<DiscoveredBackends> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    api = new WatchingApiServer();
    discovery = new ClusterDiscovery(CLUSTER, clientOf(api), Clock.systemUTC(), seen::add, Duration.ofMillis(50),
        Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  private static ApiClient clientOf(WatchingApiServer api) {
    return new ClientBuilder().setBasePath(api.url()).setReadTimeout(Duration.ofSeconds(30)).build();
  }

  @AfterEach
  void stop() {
    discovery.close();
    api.close();
  }

  @Test
  void a_labelled_load_balancer_becomes_a_backend_and_follows_its_address_readiness_and_deletion() {
    discovery.start();
    awaitSnapshot(s -> !s.stale());

    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.10"));
    api.put(WatchingApiServer.SLICES, slice("shop", "web", true));
    DiscoveredBackend b = awaitBackend("shop", "eks-fra-shop-web", x -> x.ready());
    assertEquals("203.0.113.10", b.address());
    assertEquals(new DiscoveredBackend.Source("eks-fra", Kind.SERVICE, "shop", "web"), b.source());
    assertEquals("aws:eu-central-1", b.region().key());
    assertEquals(Jurisdiction.EU, b.jurisdiction());
    assertEquals(List.of(1, 1, 1000), List.of(b.weight(), b.priority(), b.capacity()));

    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.99"));
    awaitBackend("shop", "eks-fra-shop-web", x -> x.address().equals("203.0.113.99"));

    api.put(WatchingApiServer.SLICES, slice("shop", "web", false));
    assertEquals("203.0.113.99", awaitBackend("shop", "eks-fra-shop-web", x -> !x.ready()).address());

    api.delete(WatchingApiServer.SERVICES, "shop", "web");
    awaitSnapshot(s -> s.of("shop").isEmpty());
  }

  @Test
  void a_gateway_is_discovered_once_the_gateway_api_is_installed_and_is_ready_while_programmed() {
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.10"));
    discovery.start();
    // No Gateway API in the cluster: its 404 is "no gateways", not an outage.
    DiscoveredBackends before = awaitSnapshot(s -> !s.stale() && s.of("shop").size() == 1);
    assertEquals(List.of("eks-fra-shop-web"), names(before));

    api.install(WatchingApiServer.GATEWAYS);
    api.put(WatchingApiServer.GATEWAYS, gateway("shop", "edge", "shop", "198.51.100.7", true));
    // The gateway feed looks again at resync; a fresh discovery sees it at once.
    discovery.close();
    discovery = new ClusterDiscovery(CLUSTER, clientOf(api), Clock.systemUTC(), seen::add, Duration.ofMillis(50),
        Duration.ofMillis(200), Duration.ofSeconds(2));
    discovery.start();
    DiscoveredBackend gw = awaitBackend("shop", "eks-fra-shop-edge", DiscoveredBackend::ready);
    assertEquals(Kind.GATEWAY, gw.source().kind());
    assertEquals("198.51.100.7", gw.address());

    api.put(WatchingApiServer.GATEWAYS, gateway("shop", "edge", "shop", "198.51.100.7", false));
    awaitBackend("shop", "eks-fra-shop-edge", b -> !b.ready());
    api.delete(WatchingApiServer.GATEWAYS, "shop", "edge");
    awaitSnapshot(s -> s.find("shop", "eks-fra-shop-edge").isEmpty() && !s.stale());
  }

  @Test
  void annotations_name_and_weigh_a_backend_and_bad_values_are_reported_with_the_default_used() {
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of("tern.dev/backend", "fra-web",
        "tern.dev/weight", "40", "tern.dev/priority", "2", "tern.dev/capacity", "many"), "203.0.113.10"));
    api.put(WatchingApiServer.INGRESSES, ingress("shop", "front", "shop", "lb.example.net"));
    V1Service clusterIp = service("shop", "internal", "shop", Map.of(), null);
    clusterIp.getSpec().setType("ClusterIP");
    api.put(WatchingApiServer.SERVICES, clusterIp);
    api.put(WatchingApiServer.SERVICES, service("shop", "pending", "shop", Map.of(), null));
    discovery.start();

    DiscoveredBackends s = awaitSnapshot(x -> !x.stale() && x.of("shop").size() == 2);
    DiscoveredBackend web = s.find("shop", "fra-web").orElseThrow();
    assertEquals(List.of(40, 2, 1000), List.of(web.weight(), web.priority(), web.capacity()));
    assertEquals(1, web.problems().size());
    assertTrue(web.problems().getFirst().contains("tern.dev/capacity 'many'"), web.problems()::toString);
    assertFalse(web.ready(), "no EndpointSlice, so no ready endpoint");
    DiscoveredBackend front = s.find("shop", "eks-fra-shop-front").orElseThrow();
    assertEquals("lb.example.net", front.address());
    assertEquals(Kind.INGRESS, front.source().kind());
    assertTrue(front.ready());
  }

  @Test
  void an_api_server_that_goes_down_leaves_the_backends_stale_and_its_return_makes_them_fresh() throws IOException {
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.10"));
    api.put(WatchingApiServer.SERVICES, service("shop", "old", "shop", Map.of(), "203.0.113.11"));
    discovery.start();
    awaitSnapshot(s -> !s.stale() && s.of("shop").size() == 2);

    api.stop();
    DiscoveredBackends down = awaitSnapshot(DiscoveredBackends::stale);
    assertEquals(List.of("eks-fra-shop-old", "eks-fra-shop-web"), names(down));

    api.delete(WatchingApiServer.SERVICES, "shop", "old");
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.20"));
    List<DiscoveredBackends> whileDown = List.copyOf(seen.subList(seen.indexOf(down), seen.size()));
    api.start();
    DiscoveredBackends back = awaitSnapshot(s -> !s.stale());
    assertEquals(List.of("eks-fra-shop-web"), names(back));
    assertEquals("203.0.113.20", back.of("shop").getFirst().address());
    assertTrue(whileDown.stream().allMatch(x -> x.stale() && x.of("shop").size() == 2),
        "while the API server was away the backends were kept: " + whileDown);
  }

  @Test
  void a_watch_whose_version_is_gone_is_replaced_by_a_full_list() {
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.10"));
    discovery.start();
    awaitBackend("shop", "eks-fra-shop-web", x -> true);

    api.putSilently(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.77"));
    api.compact();
    awaitBackend("shop", "eks-fra-shop-web", x -> x.address().equals("203.0.113.77"));
  }

  private static List<String> names(DiscoveredBackends s) {
    return s.of("shop").stream().map(DiscoveredBackend::name).toList();
  }

  @Test
  void with_namespaces_only_those_are_watched() throws IOException {
    discovery.close();
    KubernetesSettings.Cluster scoped = new KubernetesSettings.Cluster("eks-fra", Optional.empty(), Optional.empty(),
        true, CLUSTER.region(), Jurisdiction.EU, List.of("shop", "pay"), Duration.ofMinutes(5),
        KubernetesSettings.OutageMode.SCALE_TO_ZERO);
    ApiClient client = new ClientBuilder().setBasePath(api.url()).setReadTimeout(Duration.ofSeconds(30)).build();
    discovery = new ClusterDiscovery(scoped, client, Clock.systemUTC(), seen::add, Duration.ofMillis(50),
        Duration.ofMillis(200), Duration.ofSeconds(2));
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.10"));
    api.put(WatchingApiServer.SERVICES, service("other", "web", "shop", Map.of(), "203.0.113.66"));
    discovery.start();
    awaitSnapshot(s -> !s.stale() && s.of("shop").size() == 1);

    api.put(WatchingApiServer.SERVICES, service("pay", "api", "shop", Map.of(), "203.0.113.20"));
    api.put(WatchingApiServer.SERVICES, service("other", "api", "shop", Map.of(), "203.0.113.67"));
    api.delete(WatchingApiServer.SERVICES, "shop", "web");
    DiscoveredBackends s = awaitSnapshot(x -> x.find("shop", "eks-fra-shop-web").isEmpty()
        && x.find("shop", "eks-fra-pay-api").isPresent());
    assertEquals(List.of("eks-fra-pay-api"), names(s));
  }

  @Test
  void close_stops_every_feed() {
    discovery.start();
    awaitSnapshot(s -> !s.stale());
    discovery.close();
    int before = seen.size();
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of(), "203.0.113.10"));
    try {
      Thread.sleep(300);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertEquals(before, seen.size(), "no snapshot after close");
  }

  private DiscoveredBackends awaitSnapshot(Predicate<DiscoveredBackends> p) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      DiscoveredBackends s = discovery.snapshot();
      if (p.test(s)) {
        return s;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("no such snapshot within 10 s; last: " + discovery.snapshot());
  }

  private DiscoveredBackend awaitBackend(String service, String name, Predicate<DiscoveredBackend> p) {
    return awaitSnapshot(s -> s.find(service, name).filter(p).isPresent()).find(service, name).orElseThrow();
  }

  static V1Service service(String ns, String name, String ternService, Map<String, String> annotations,
      String ip) {
    V1Service s = new V1Service().apiVersion("v1").kind("Service")
        .metadata(new V1ObjectMeta().namespace(ns).name(name).labels(Map.of("tern.dev/service", ternService))
            .annotations(new HashMap<>(annotations)))
        .spec(new V1ServiceSpec().type("LoadBalancer").selector(Map.of("app", name)));
    if (ip != null) {
      s.status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus().ingress(List.of(
          new V1LoadBalancerIngress().ip(ip)))));
    }
    return s;
  }

  static V1Ingress ingress(String ns, String name, String ternService, String hostname) {
    return new V1Ingress().apiVersion("networking.k8s.io/v1").kind("Ingress")
        .metadata(new V1ObjectMeta().namespace(ns).name(name).labels(Map.of("tern.dev/service", ternService)))
        .status(new V1IngressStatus().loadBalancer(new V1IngressLoadBalancerStatus().ingress(List.of(
            new V1IngressLoadBalancerIngress().hostname(hostname)))));
  }

  /** A Gateway as the API server stores it: labelled, with a status address and a Programmed condition. */
  static GatewayResource gateway(String ns, String name, String ternService, String address, boolean programmed) {
    String json = """
        {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
         "metadata": {"namespace": "%s", "name": "%s", "labels": {"tern.dev/service": "%s"}},
         "spec": {"gatewayClassName": "shared", "listeners": [{"name": "https", "port": 443, "protocol": "HTTPS"}]},
         "status": {"addresses": [{"type": "IPAddress", "value": "%s"}],
                    "conditions": [{"type": "Accepted", "status": "True"}, {"type": "Programmed", "status": "%s"}]}}
        """.formatted(ns, name, ternService, address, programmed ? "True" : "False");
    return io.kubernetes.client.openapi.JSON.getGson().fromJson(json, GatewayResource.class);
  }

  static V1EndpointSlice slice(String ns, String service, boolean ready) {
    return new V1EndpointSlice().apiVersion("discovery.k8s.io/v1").kind("EndpointSlice").addressType("IPv4")
        .metadata(new V1ObjectMeta().namespace(ns).name(service + "-abcde")
            .labels(Map.of("kubernetes.io/service-name", service)))
        .endpoints(List.of(new V1Endpoint().addresses(List.of("10.1.2.3"))
            .conditions(new V1EndpointConditions().ready(ready))));
  }
}
