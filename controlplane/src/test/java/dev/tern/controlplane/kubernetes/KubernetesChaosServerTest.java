package dev.tern.controlplane.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1DeploymentSpec;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerStatus;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceSpec;
import io.kubernetes.client.openapi.models.V1ServiceStatus;
import io.kubernetes.client.util.ClientBuilder;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A chaos run with {@code injector: kubernetes} on a running node, end to end: the node discovers the backend in a
 * cluster (fabric8's CRUD API server on loopback, reached through a kubeconfig; it answers lists but not
 * client-java's watch streams, so discovery lives on its relists), the runner commits the run, the injector scales
 * the backend's Deployment to zero in the cluster, and at the run's end puts the replicas back and removes its marks.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesChaosServerTest implements TestPropertyProvider {

  private KubernetesMockServer cluster;
  private ApiClient client;
  private Path kubeconfig;

  @Inject
  EmbeddedServer server;

  @Override
  public Map<String, String> getProperties() {
    try {
      cluster = new KubernetesMockServer(new Context(), new MockWebServer(), new java.util.HashMap<>(),
          new KubernetesCrudDispatcher(), false);
      cluster.init(InetAddress.getLoopbackAddress(), 0);
      String url = "http://127.0.0.1:" + cluster.getPort();
      client = new ClientBuilder().setBasePath(url).build();
      seed();
      kubeconfig = TestKubeconfig.write(url);
    } catch (IOException | ApiException e) {
      throw new IllegalStateException("could not set up the test cluster", e);
    }
    return TestKubeconfig.clusterProperties(kubeconfig, Map.of("namespaces", "shop"));
  }

  /** The backend: a LoadBalancer Service with an address, and the Deployment of three replicas behind it. */
  private void seed() throws ApiException {
    V1Service web = new V1Service().apiVersion("v1").kind("Service")
        .metadata(new V1ObjectMeta().namespace("shop").name("web").labels(Map.of("tern.dev/service", "shop"))
            .annotations(Map.of("tern.dev/backend", "fra-web")))
        .spec(new V1ServiceSpec().type("LoadBalancer").selector(Map.of("app", "web")))
        .status(new V1ServiceStatus().loadBalancer(new V1LoadBalancerStatus().ingress(List.of(
            new V1LoadBalancerIngress().ip("203.0.113.10")))));
    new CoreV1Api(client).createNamespacedService("shop", web).execute();
    new DiscoveryV1Api(client).createNamespacedEndpointSlice("shop", ClusterDiscoveryTest.slice("shop", "web", true))
        .execute();
    Map<String, String> pods = Map.of("app", "web");
    new AppsV1Api(client).createNamespacedDeployment("shop", new V1Deployment().apiVersion("apps/v1")
        .kind("Deployment").metadata(new V1ObjectMeta().namespace("shop").name("web"))
        .spec(new V1DeploymentSpec().replicas(3).selector(new V1LabelSelector().matchLabels(pods))
            .template(new V1PodTemplateSpec().metadata(new V1ObjectMeta().labels(pods)).spec(new V1PodSpec()))))
        .execute();
  }

  @AfterAll
  void stop() throws IOException {
    cluster.destroy();
    Files.deleteIfExists(kubeconfig);
  }

  @Test
  void a_kubernetes_outage_scales_the_backends_deployment_to_zero_for_the_run_and_restores_it() throws Exception {
    Http http = new Http(server.getURI());
    HttpResponse<String> put = http.send("PUT", "/api/v1/services/shop?reason=launch", "application/yaml", """
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: weighted
        backends:
          - {name: iad, cloud: aws, region: us-east-1, jurisdiction: US, address: 198.51.100.10}
        """, "Authorization", TestCredentials.bearer(Role.ADMIN));
    assertEquals(200, put.statusCode(), put.body());
    await(http, "/api/v1/services/shop/backends", b -> b.contains("\"name\":\"fra-web\""));

    String scenario = """
        kind: ChaosScenario
        name: fra-web-down
        hypothesis: Taking the Frankfurt deployment down in its cluster is reverted exactly.
        targets:
          backends: [shop/fra-web]
          blastRadius: {maxBackends: 1}
        fault:
          kind: outage
        duration: 4s
        injector: kubernetes
        expect:
          maxPages: 0
        """;
    HttpResponse<String> started = http.send("POST", "/api/v1/chaos/runs?reason=prove+k8s+outage",
        "application/yaml", scenario, "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals(200, started.statusCode(), started.body());
    Matcher id = Pattern.compile("\"runId\":\"([^\"]+)\"").matcher(started.body());
    assertTrue(id.find(), started.body());

    until(() -> replicas() == 0, "the deployment scaled to zero by the run");
    V1Deployment down = deployment();
    assertEquals("3", down.getMetadata().getAnnotations().get(KubernetesInjector.REPLICAS_ANNOTATION));
    assertTrue(down.getMetadata().getLabels().containsKey(KubernetesInjector.RUN_LABEL));

    String report = await(http, "/api/v1/chaos/runs/" + id.group(1) + "/report",
        b -> b.contains("fault reverted"));
    assertTrue(report.contains("fault injected: outage on shop/fra-web"), report);
    until(() -> replicas() == 3, "the replicas restored after the run");
    V1Deployment back = deployment();
    assertFalse(back.getMetadata().getLabels() != null
        && back.getMetadata().getLabels().containsKey(KubernetesInjector.RUN_LABEL), "the run's label removed");
    assertFalse(back.getMetadata().getAnnotations() != null
        && back.getMetadata().getAnnotations().containsKey(KubernetesInjector.REPLICAS_ANNOTATION),
        "the remembered count removed");
  }

  private V1Deployment deployment() {
    try {
      return new AppsV1Api(client).readNamespacedDeployment("web", "shop").execute();
    } catch (ApiException e) {
      throw new AssertionError(e);
    }
  }

  private int replicas() {
    return deployment().getSpec().getReplicas();
  }

  private static void until(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(30);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("not seen within 30 s: " + what);
      }
      Thread.sleep(100);
    }
  }

  private static String await(Http http, String path, Predicate<String> p) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(45);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      HttpResponse<String> r = http.get(path, "Authorization", TestCredentials.bearer(Role.VIEWER));
      last = r.body();
      if (r.statusCode() == 200 && p.test(last)) {
        return last;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never satisfied within 45 s at " + path + ": " + last);
  }
}
