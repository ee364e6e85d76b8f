package dev.tern.controlplane.kubernetes;

import static dev.tern.controlplane.kubernetes.ClusterDiscoveryTest.service;
import static dev.tern.controlplane.kubernetes.ClusterDiscoveryTest.slice;
import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.AriaRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import io.micronaut.test.support.TestPropertyProvider;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Discovery wired into a running node: a labelled LoadBalancer Service in a cluster (an API server on loopback that
 * lists and streams watches as the real one does, reached through a kubeconfig) becomes a backend of its Tern
 * service through the replicated state, marked as discovered in the API, in the plan, followed through readiness,
 * shown with its mark in the console, kept while the API server is down, and removed once the API server says it
 * was deleted.
 */
@MicronautTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KubernetesDiscoveryServerTest implements TestPropertyProvider {

  private static final Duration WAIT = Duration.ofSeconds(45);

  private WatchingApiServer api;
  private Path kubeconfig;

  @Inject
  EmbeddedServer server;

  @Override
  public Map<String, String> getProperties() {
    try {
      api = new WatchingApiServer();
      kubeconfig = TestKubeconfig.write(api.url());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return TestKubeconfig.clusterProperties(kubeconfig, Map.of("context", TestKubeconfig.CONTEXT));
  }

  @AfterAll
  void stop() throws IOException {
    api.close();
    Files.deleteIfExists(kubeconfig);
  }

  private static final String POLICY = """
      kind: Service
      name: shop
      hostname: shop.gslb.example.com
      routing:
        method: weighted
      backends:
        - {name: iad, cloud: aws, region: us-east-1, jurisdiction: US, address: 198.51.100.10}
      discovery:
        exclude: [eks-fra-shop-canary]
      """;

  @Test
  void a_labelled_load_balancer_joins_its_service_is_kept_while_the_api_server_is_down_and_leaves_when_deleted()
      throws IOException {
    Http http = new Http(server.getURI());
    HttpResponse<String> put = http.send("PUT", "/api/v1/services/shop?reason=launch", "application/yaml", POLICY,
        "Authorization", TestCredentials.bearer(Role.ADMIN));
    assertEquals(200, put.statusCode(), put.body());

    api.put(WatchingApiServer.SERVICES, service("shop", "canary", "shop", Map.of(), "203.0.113.11"));
    api.put(WatchingApiServer.SERVICES, service("shop", "web", "shop", Map.of("tern.dev/backend", "fra-web",
        "tern.dev/weight", "40"), "203.0.113.10"));
    api.put(WatchingApiServer.SLICES, slice("shop", "web", true));

    // The Service and its EndpointSlice may be committed one after the other: wait for both.
    String backends = await(http, "/api/v1/services/shop/backends", b -> b.contains("\"name\":\"fra-web\"")
        && b.contains("\"ready\":true"));
    assertTrue(backends.contains("\"address\":\"203.0.113.10\"") && backends.contains("\"weight\":40"), backends);
    assertTrue(backends.contains("\"discovered\":{\"cluster\":\"eks-fra\",\"kind\":\"service\",\"namespace\":\"shop\","
        + "\"name\":\"web\",\"ready\":true,\"pinned\":false,\"clusterStale\":false}"), backends);
    assertFalse(backends.contains("canary"), "excluded by the policy: " + backends);
    assertTrue(backends.contains("\"name\":\"iad\"") && !backends.matches(".*\"name\":\"iad\"[^}]*\"discovered\".*"),
        "the declared backend carries no discovered mark: " + backends);
    // Probes find it healthy: the discovered backend enters the plan like a declared one.
    String plan = await(http, "/api/v1/services/shop/plan", b -> {
      observeHealthy(http, "fra-web");
      return b.contains("\"backend\":\"fra-web\"");
    });
    assertTrue(plan.contains("\"address\":\"203.0.113.10\""), plan);

    String clusters = await(http, "/api/v1/kubernetes/clusters", b -> b.contains("\"committedStale\":false"));
    assertTrue(clusters.contains("\"name\":\"eks-fra\"") && clusters.contains("\"region\":\"eu-central-1\"")
        && clusters.contains("\"jurisdiction\":\"EU\"") && clusters.contains("\"object\":\"web\""), clusters);

    api.put(WatchingApiServer.SLICES, slice("shop", "web", false));
    await(http, "/api/v1/services/shop/backends", b -> b.contains("\"ready\":false,\"pinned\":false"));
    consoleMarksTheDiscoveredBackend();

    api.stop();
    await(http, "/api/v1/kubernetes/clusters", b -> b.contains("\"committedStale\":true"));
    backends = get(http, "/api/v1/services/shop/backends");
    assertTrue(backends.contains("\"name\":\"fra-web\"") && backends.contains("\"clusterStale\":true"),
        "an unreachable API server never removes a backend: " + backends);
    assertTrue(get(http, "/api/v1/audit").contains("\"action\":\"discovery.stale\""));

    api.delete(WatchingApiServer.SERVICES, "shop", "web");
    api.start();
    await(http, "/api/v1/services/shop/backends", b -> !b.contains("fra-web"));
    await(http, "/api/v1/kubernetes/clusters", b -> b.contains("\"committedStale\":false"));
    String audit = get(http, "/api/v1/audit");
    assertTrue(audit.contains("\"action\":\"discovery.fresh\"") && audit.contains("\"action\":\"service.discovered\""),
        audit);
  }

  @Test
  void the_clusters_endpoint_needs_a_viewer() {
    Http http = new Http(server.getURI());
    assertEquals(401, http.get("/api/v1/kubernetes/clusters").statusCode());
    assertEquals(200, http.get("/api/v1/kubernetes/clusters", "Authorization", TestCredentials.bearer(Role.VIEWER))
        .statusCode());
  }

  /** The service page in headless Chromium: the discovered backend carries its mark, the declared one none. */
  private void consoleMarksTheDiscoveredBackend() throws IOException {
    Path chromium = Path.of("/usr/bin/chromium");
    assertTrue(Files.isExecutable(chromium), chromium + " is missing: .ci/run installs Debian's chromium");
    Path screenshots = Files.createDirectories(Path.of("target", "screenshots"));
    try (Playwright playwright = Playwright.create();
        Browser browser = playwright.chromium().launch(new BrowserType.LaunchOptions().setExecutablePath(chromium)
            .setHeadless(true).setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run")))) {
      Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1280, 900));
      page.navigate(server.getURI().toString());
      page.getByLabel("Username").fill(TestCredentials.VIEWER_USER);
      page.getByLabel("Password").fill(TestCredentials.VIEWER_PASSWORD);
      page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Log in")).click();
      page.waitForURL("**#/overview");
      page.evaluate("() => { location.hash = '#/service/shop'; }");
      Locator discovered = page.locator(".backend-card[data-backend=fra-web]");
      assertThat(discovered.locator(".k8s-badge")).hasText("k8s");
      assertThat(discovered.locator(".k8s-badge")).hasAttribute("title",
          "Discovered in Kubernetes cluster eks-fra: service shop/web");
      assertThat(discovered.locator(".k8s-warn")).hasText("no ready endpoint");
      assertThat(discovered.locator(".facts")).containsText("eks-fra · service shop/web · no ready endpoint");
      assertThat(page.locator(".backend-card[data-backend=iad] .k8s-badge")).hasCount(0);
      page.screenshot(new Page.ScreenshotOptions().setPath(screenshots.resolve("console-k8s-discovered.png"))
          .setFullPage(true));
    }
  }

  private static void observeHealthy(Http http, String backend) {
    String now = Instant.now().toString();
    String batch = """
        {"observations":[
          {"vantage":"aws:us-east-1","service":"shop","backend":"%1$s","at":"%2$s","ok":true,"latencyMs":20},
          {"vantage":"gcp:europe-west1","service":"shop","backend":"%1$s","at":"%2$s","ok":true,"latencyMs":12},
          {"vantage":"azure:westeurope","service":"shop","backend":"%1$s","at":"%2$s","ok":true,"latencyMs":9}
        ]}""".formatted(backend, now);
    HttpResponse<String> in = http.send("POST", "/api/v1/probes/observations", "application/json", batch,
        "Authorization", TestCredentials.bearer(Role.OPERATOR));
    assertEquals("{\"accepted\":3,\"unknownTarget\":0}", in.body());
  }

  private static String get(Http http, String path) {
    HttpResponse<String> r = http.get(path, "Authorization", TestCredentials.bearer(Role.VIEWER));
    assertEquals(200, r.statusCode(), r.body());
    return r.body();
  }

  private static String await(Http http, String path, Predicate<String> p) {
    Instant deadline = Instant.now().plus(WAIT);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      last = get(http, path);
      if (p.test(last)) {
        return last;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("never satisfied within " + WAIT.toSeconds() + " s at " + path + ": " + last);
  }
}
