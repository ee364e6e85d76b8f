package dev.tern.controlplane.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.chaos.run.FaultInjector.InjectionException;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.scenario.Fault;
import dev.tern.controlplane.kubernetes.DiscoveredBackend.Kind;
import dev.tern.controlplane.kubernetes.DiscoveredBackend.Source;
import dev.tern.controlplane.kubernetes.KubernetesInjector.ClusterAccess;
import dev.tern.controlplane.kubernetes.KubernetesSettings.OutageMode;
import dev.tern.policy.geo.Cloud;
import dev.tern.policy.geo.Region;
import dev.tern.policy.geo.RegionCatalog;
import dev.tern.policy.model.Jurisdiction;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1HTTPIngressRuleValue;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1IngressServiceBackend;
import io.kubernetes.client.openapi.models.V1IngressSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceBackendPort;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetSpec;
import io.kubernetes.client.util.ClientBuilder;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kubernetes injector against a Kubernetes API server in CRUD mode (fabric8's mock), driven by client-java:
 * what it changes is in the cluster, labelled, and reverted exactly, also by another injector (a new leader).
 */
class KubernetesInjectorTest {

  private static final Region FRA = RegionCatalog.find(Cloud.AWS, "eu-central-1").orElseThrow();
  private static final List<TargetBackend> TARGETS = List.of(new TargetBackend("shop", "fra-web", FRA));
  private static final Fault OUTAGE = new Fault.Outage();

  private KubernetesMockServer server;
  private ApiClient client;
  private AppsV1Api apps;

  @BeforeEach
  void start() throws Exception {
    server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
        new KubernetesCrudDispatcher(), false);
    server.init(InetAddress.getLoopbackAddress(), 0);
    client = client();
    apps = new AppsV1Api(client);
    new CoreV1Api(client).createNamespacedService("shop", new V1Service().apiVersion("v1").kind("Service")
        .metadata(new V1ObjectMeta().name("web").namespace("shop"))
        .spec(new V1ServiceSpec().type("LoadBalancer").selector(Map.of("app", "web")))).execute();
    apps.createNamespacedDeployment("shop", deployment("web", Map.of("app", "web", "tier", "front"), 3)).execute();
    apps.createNamespacedDeployment("shop", deployment("other", Map.of("app", "other"), 2)).execute();
    apps.createNamespacedStatefulSet("shop", new V1StatefulSet().apiVersion("apps/v1").kind("StatefulSet")
        .metadata(new V1ObjectMeta().name("web-cache").namespace("shop"))
        .spec(new V1StatefulSetSpec().replicas(2).serviceName("web").selector(new V1LabelSelector()
            .matchLabels(Map.of("app", "web"))).template(template(Map.of("app", "web")))))
        .execute();
  }

  @AfterEach
  void stop() {
    server.destroy();
  }

  @Test
  void an_outage_scales_the_selected_workloads_to_zero_and_revert_restores_their_replicas() throws Exception {
    KubernetesInjector injector = injector(OutageMode.SCALE_TO_ZERO, client);
    String run = KubernetesInjector.runId(OUTAGE, TARGETS);

    injector.inject(OUTAGE, TARGETS);
    V1Deployment web = apps.readNamespacedDeployment("web", "shop").execute();
    assertEquals(0, web.getSpec().getReplicas());
    assertEquals("3", web.getMetadata().getAnnotations().get(KubernetesInjector.REPLICAS_ANNOTATION));
    assertEquals(run, web.getMetadata().getLabels().get(KubernetesInjector.RUN_LABEL));
    assertEquals(0, apps.readNamespacedStatefulSet("web-cache", "shop").execute().getSpec().getReplicas());
    assertEquals(2, apps.readNamespacedDeployment("other", "shop").execute().getSpec().getReplicas(),
        "a workload the Service does not select is untouched");

    injector.inject(OUTAGE, TARGETS);
    assertEquals("3", apps.readNamespacedDeployment("web", "shop").execute().getMetadata().getAnnotations()
        .get(KubernetesInjector.REPLICAS_ANNOTATION), "injecting again keeps the count from before the run");

    injector.revert(OUTAGE, TARGETS);
    assertRestored();
    injector.revert(OUTAGE, TARGETS);
    assertRestored();
  }

  @Test
  void deny_ingress_puts_a_labelled_network_policy_on_the_backends_pods_and_revert_removes_it() throws Exception {
    KubernetesInjector injector = injector(OutageMode.DENY_INGRESS, client);
    NetworkingV1Api net = new NetworkingV1Api(client);
    String run = KubernetesInjector.runId(OUTAGE, TARGETS);

    injector.inject(OUTAGE, TARGETS);
    injector.inject(OUTAGE, TARGETS);
    List<V1NetworkPolicy> policies = net.listNamespacedNetworkPolicy("shop").execute().getItems();
    assertEquals(1, policies.size());
    V1NetworkPolicy p = policies.getFirst();
    assertEquals("tern-chaos-" + run + "-web", p.getMetadata().getName());
    assertEquals(run, p.getMetadata().getLabels().get(KubernetesInjector.RUN_LABEL));
    assertEquals(Map.of("app", "web"), p.getSpec().getPodSelector().getMatchLabels());
    assertEquals(List.of("Ingress"), p.getSpec().getPolicyTypes());
    assertTrue(p.getSpec().getIngress() == null || p.getSpec().getIngress().isEmpty(), "no ingress rule admits");
    assertEquals(3, apps.readNamespacedDeployment("web", "shop").execute().getSpec().getReplicas());

    injector.revert(OUTAGE, TARGETS);
    assertEquals(List.of(), net.listNamespacedNetworkPolicy("shop").execute().getItems());
  }

  @Test
  void a_new_leader_reverts_a_run_the_old_one_injected_from_what_is_in_the_cluster() throws Exception {
    injector(OutageMode.SCALE_TO_ZERO, client).inject(OUTAGE, TARGETS);

    ApiClient other = client();
    KubernetesInjector newLeader = new KubernetesInjector(List.of(new ClusterAccess(cluster(OutageMode.SCALE_TO_ZERO,
        List.of("shop")), other, () -> DiscoveredBackends.initial("eks-fra", Instant.EPOCH))));
    newLeader.revert(OUTAGE, TARGETS);
    assertRestored();
  }

  @Test
  void sweep_removes_stray_faults_of_any_run() throws Exception {
    injector(OutageMode.SCALE_TO_ZERO, client).inject(OUTAGE, TARGETS);
    new NetworkingV1Api(client).createNamespacedNetworkPolicy("shop", new V1NetworkPolicy()
        .apiVersion("networking.k8s.io/v1").kind("NetworkPolicy")
        .metadata(new V1ObjectMeta().name("tern-chaos-stray").namespace("shop")
            .labels(Map.of(KubernetesInjector.RUN_LABEL, "0123456789ab")))
        .spec(new V1NetworkPolicySpec().podSelector(new V1LabelSelector().matchLabels(Map.of("app", "web")))
            .policyTypes(List.of("Ingress")))).execute();

    List<String> swept = injector(OutageMode.SCALE_TO_ZERO, client()).sweep();
    assertEquals(3, swept.size(), swept::toString);
    assertRestored();
    assertEquals(List.of(), new NetworkingV1Api(client).listNamespacedNetworkPolicy("shop").execute().getItems());
    assertEquals(List.of(), injector(OutageMode.SCALE_TO_ZERO, client).sweep());
  }

  @Test
  void an_ingress_backend_is_taken_out_through_the_services_it_routes_to() throws Exception {
    new NetworkingV1Api(client).createNamespacedIngress("shop", new V1Ingress().apiVersion("networking.k8s.io/v1")
        .kind("Ingress").metadata(new V1ObjectMeta().name("front").namespace("shop"))
        .spec(new V1IngressSpec().rules(List.of(new V1IngressRule().host("shop.example.com").http(
            new V1HTTPIngressRuleValue().paths(List.of(new V1HTTPIngressPath().path("/").pathType("Prefix")
                .backend(new V1IngressBackend().service(new V1IngressServiceBackend().name("web")
                    .port(new V1ServiceBackendPort().number(80)))))))))))
        .execute();
    DiscoveredBackend front = new DiscoveredBackend("fra-front", new Source("eks-fra", Kind.INGRESS, "shop",
        "front"), FRA, Jurisdiction.EU, "lb.example.net", 1, 1, 1000, true, List.of());
    KubernetesInjector injector = new KubernetesInjector(List.of(new ClusterAccess(cluster(OutageMode.SCALE_TO_ZERO,
        List.of()), client, () -> new DiscoveredBackends("eks-fra", Map.of("shop", List.of(front)), false,
        Instant.EPOCH))));
    List<TargetBackend> targets = List.of(new TargetBackend("shop", "fra-front", FRA));

    injector.inject(OUTAGE, targets);
    assertEquals(0, apps.readNamespacedDeployment("web", "shop").execute().getSpec().getReplicas());
    assertEquals(2, apps.readNamespacedDeployment("other", "shop").execute().getSpec().getReplicas());
    injector.revert(OUTAGE, targets);
    assertRestored();
  }

  @Test
  void a_target_that_was_not_discovered_or_a_fault_it_cannot_make_is_refused() {
    KubernetesInjector injector = injector(OutageMode.SCALE_TO_ZERO, client);
    InjectionException unknown = assertThrows(InjectionException.class, () -> injector.inject(OUTAGE,
        List.of(new TargetBackend("shop", "fra-db", FRA))));
    assertTrue(unknown.getMessage().contains("shop/fra-db is not a backend discovered"), unknown.getMessage());
    InjectionException latency = assertThrows(InjectionException.class, () -> injector.inject(
        new Fault.AddedLatency(Duration.ofMillis(200)), TARGETS));
    assertTrue(latency.getMessage().contains("outage only"), latency.getMessage());

    DiscoveredBackend edge = new DiscoveredBackend("fra-edge", new Source("eks-fra", Kind.GATEWAY, "shop", "edge"),
        FRA, Jurisdiction.EU, "198.51.100.7", 1, 1, 1000, true, List.of());
    KubernetesInjector gateways = new KubernetesInjector(List.of(new ClusterAccess(cluster(OutageMode.SCALE_TO_ZERO,
        List.of()), client, () -> new DiscoveredBackends("eks-fra", Map.of("shop", List.of(edge)), false,
        Instant.EPOCH))));
    InjectionException gateway = assertThrows(InjectionException.class, () -> gateways.inject(OUTAGE,
        List.of(new TargetBackend("shop", "fra-edge", FRA))));
    assertTrue(gateway.getMessage().contains("eks-fra/gateway/shop/edge is a Gateway"), gateway.getMessage());
  }

  private void assertRestored() throws ApiException {
    V1Deployment web = apps.readNamespacedDeployment("web", "shop").execute();
    assertEquals(3, web.getSpec().getReplicas());
    assertUnmarked(web.getMetadata());
    V1StatefulSet cache = apps.readNamespacedStatefulSet("web-cache", "shop").execute();
    assertEquals(2, cache.getSpec().getReplicas());
    assertUnmarked(cache.getMetadata());
  }

  private static void assertUnmarked(V1ObjectMeta meta) {
    assertFalse(meta.getLabels() != null && meta.getLabels().containsKey(KubernetesInjector.RUN_LABEL),
        () -> "label left: " + meta.getLabels());
    assertFalse(meta.getAnnotations() != null && meta.getAnnotations().containsKey(
        KubernetesInjector.REPLICAS_ANNOTATION), () -> "annotation left: " + meta.getAnnotations());
  }

  private ApiClient client() {
    return new ClientBuilder().setBasePath("http://127.0.0.1:" + server.getPort()).build();
  }

  private static KubernetesSettings.Cluster cluster(OutageMode mode, List<String> namespaces) {
    return new KubernetesSettings.Cluster("eks-fra", Optional.empty(), Optional.empty(), true, FRA, Jurisdiction.EU,
        namespaces, Duration.ofMinutes(5), mode);
  }

  private static KubernetesInjector injector(OutageMode mode, ApiClient client) {
    DiscoveredBackend web = new DiscoveredBackend("fra-web", new Source("eks-fra", Kind.SERVICE, "shop", "web"), FRA,
        Jurisdiction.EU, "203.0.113.10", 1, 1, 1000, true, List.of());
    DiscoveredBackends snapshot = new DiscoveredBackends("eks-fra", Map.of("shop", List.of(web)), false,
        Instant.EPOCH);
    return new KubernetesInjector(List.of(new ClusterAccess(cluster(mode, List.of()), client, () -> snapshot)));
  }

  private static V1Deployment deployment(String name, Map<String, String> podLabels, int replicas) {
    return new V1Deployment().apiVersion("apps/v1").kind("Deployment")
        .metadata(new V1ObjectMeta().name(name).namespace("shop"))
        .spec(new V1DeploymentSpec().replicas(replicas).selector(new V1LabelSelector().matchLabels(podLabels))
            .template(template(podLabels)));
  }

  private static V1PodTemplateSpec template(Map<String, String> labels) {
    return new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(labels));
  }
}
