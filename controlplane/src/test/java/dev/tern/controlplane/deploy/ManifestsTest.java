package dev.tern.controlplane.deploy;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.tern.controlplane.cluster.ClusterConfig;
import dev.tern.controlplane.cluster.ClusterSettings;
import io.micronaut.context.env.PropertySource;
import io.micronaut.context.env.PropertySourcePropertyResolver;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * Renders every Kustomization under deploy/ with {@code kubectl kustomize} (offline: it needs no
 * cluster) and checks what the manifests promise: three Raft members on volumes, the security
 * context of every container, health probes on the endpoint Tern serves, DNS on 53 UDP and TCP,
 * and RBAC with exactly the least verbs. kubectl must be on the PATH with an embedded kustomize that
 * understands {@code labels:} and {@code patches:}: kubectl 1.22 or later (kustomize v4.2+). Debian's
 * kubernetes-client 1.20 embeds kustomize v2.0.3, which fails on them.
 */
final class ManifestsTest {

  private static final Path REPO = Path.of("").toAbsolutePath().getParent();
  private static final Map<String, List<Map<String, Object>>> RENDERED = new ConcurrentHashMap<>();

  /** The cross-cloud overlays: one member each, named for the cloud. */
  private static final List<String> CLOUDS = List.of("aws", "azure", "gcp");

  @Test
  void base_runs_three_members_started_together_each_with_a_volume_for_the_raft_log() {
    Map<String, Object> sts = only("base", "StatefulSet");
    Map<String, Object> spec = map(sts, "spec");
    Map<String, Object> container = containers(sts).getFirst();
    Map<String, Object> claim = maps(spec, "volumeClaimTemplates").getFirst();
    String dataDir = (String) map(map(ternConfig("base"), "tern"), "cluster").get("data-dir");
    assertAll(
        () -> assertEquals(3, spec.get("replicas")),
        () -> assertEquals("Parallel", spec.get("podManagementPolicy")),
        () -> assertEquals("tern-peers", spec.get("serviceName")),
        () -> assertEquals(List.of("ReadWriteOnce"), map(claim, "spec").get("accessModes")),
        () -> assertTrue(dataDir.startsWith(mountPath(container, (String) map(claim, "metadata").get("name")) + "/"),
            "tern.cluster.data-dir " + dataDir + " must lie on the claimed volume"),
        () -> assertEquals(List.of("server", "--config", "/etc/tern/config/tern.yml"), container.get("args")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/one-cluster", "overlays/aws", "overlays/azure", "overlays/gcp"})
  void every_container_runs_non_root_on_a_read_only_root_filesystem_without_privileges(String dir) {
    List<Map<String, Object>> workloads = workloads(dir);
    assertEquals(2, workloads.size(), "the control plane and the probe agent");
    for (Map<String, Object> workload : workloads) {
      String name = name(workload);
      Map<String, Object> pod = podSpec(workload);
      Map<String, Object> podSecurity = map(pod, "securityContext");
      assertAll(name,
          () -> assertEquals(true, podSecurity.get("runAsNonRoot")),
          () -> assertTrue(((Integer) podSecurity.get("runAsUser")) > 0, "a numeric non-root user"),
          () -> assertEquals("RuntimeDefault", map(podSecurity, "seccompProfile").get("type")),
          () -> assertEquals(false, pod.get("enableServiceLinks"),
              "service links would put TERN_DNS_PORT=tcp://... into Tern's configuration"),
          () -> assertFalse(pod.containsKey("hostNetwork") || pod.containsKey("hostPID")),
          () -> assertTrue(maps(pod, "volumes").stream().noneMatch(v -> v.containsKey("hostPath"))));
      for (Map<String, Object> container : maps(pod, "containers")) {
        Map<String, Object> security = map(container, "securityContext");
        String tmpVolume = volumeAt(container, "/tmp");
        assertAll(name + "/" + container.get("name"),
            () -> assertEquals(true, security.get("readOnlyRootFilesystem")),
            () -> assertEquals(false, security.get("allowPrivilegeEscalation")),
            () -> assertEquals(List.of("ALL"), map(security, "capabilities").get("drop")),
            () -> assertFalse(map(security, "capabilities").containsKey("add"), "no capability added back"),
            () -> assertFalse(security.containsKey("privileged")),
            () -> assertTrue(volume(pod, tmpVolume).containsKey("emptyDir"), "/tmp is a writable emptyDir"));
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/aws"})
  void liveness_and_readiness_ask_the_health_endpoint_tern_serves(String dir) {
    for (Map<String, Object> workload : workloads(dir)) {
      for (Map<String, Object> container : containers(workload)) {
        Set<String> portNames = new TreeSet<>(maps(container, "ports").stream()
            .map(p -> (String) p.get("name")).toList());
        for (String probe : List.of("livenessProbe", "readinessProbe")) {
          Map<String, Object> httpGet = map(map(container, probe), "httpGet");
          assertAll(name(workload) + " " + probe,
              // GET /health is the one health endpoint of both `tern server` and `tern probe`.
              () -> assertEquals("/health", httpGet.get("path")),
              () -> assertTrue(portNames.contains((String) httpGet.get("port")),
                  "probe port " + httpGet.get("port") + " is one of the container's ports " + portNames));
        }
      }
    }
    Map<String, Object> server = map(ternConfig(dir), "micronaut", "server");
    Map<String, Object> http = port(containers(only(dir, "StatefulSet")).getFirst(), "http");
    assertAll("the API listens where kubelet and the Services look",
        () -> assertEquals("0.0.0.0", server.get("host")),
        () -> assertEquals(server.get("port"), http.get("containerPort")));
  }

  @Test
  void a_voluntary_disruption_takes_at_most_one_member() {
    Map<String, Object> pdb = only("base", "PodDisruptionBudget");
    Map<String, Object> spec = map(pdb, "spec");
    assertEquals(1, spec.get("maxUnavailable"));
    assertEquals(map(map(map(only("base", "StatefulSet"), "spec"), "template"), "metadata").get("labels"),
        map(spec, "selector").get("matchLabels"), "the budget covers exactly the control-plane pods");
  }

  @Test
  void members_spread_across_zones_and_never_share_a_node() {
    Map<String, Object> pod = podSpec(only("base", "StatefulSet"));
    Map<String, Object> spread = maps(pod, "topologySpreadConstraints").getFirst();
    Map<String, Object> antiAffinity =
        maps(map(map(pod, "affinity"), "podAntiAffinity"), "requiredDuringSchedulingIgnoredDuringExecution").getFirst();
    assertAll(
        () -> assertEquals("topology.kubernetes.io/zone", spread.get("topologyKey")),
        () -> assertEquals(1, spread.get("maxSkew")),
        () -> assertEquals("DoNotSchedule", spread.get("whenUnsatisfiable")),
        () -> assertEquals("kubernetes.io/hostname", antiAffinity.get("topologyKey")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/aws"})
  void dns_is_served_on_53_over_udp_and_tcp_from_the_unprivileged_port_tern_binds(String dir) {
    Map<String, Object> service = named(dir, "Service", "tern-dns");
    Map<String, Object> container = containers(only(dir, "StatefulSet")).getFirst();
    Map<String, Object> dns = map(ternConfig(dir), "tern", "dns");
    Set<String> protocols = new TreeSet<>();
    for (Map<String, Object> servicePort : maps(map(service, "spec"), "ports")) {
      Map<String, Object> target = port(container, (String) servicePort.get("targetPort"));
      protocols.add((String) servicePort.get("protocol"));
      assertAll(String.valueOf(servicePort.get("name")),
          () -> assertEquals(53, servicePort.get("port")),
          () -> assertEquals(servicePort.get("protocol"), target.get("protocol")),
          () -> assertEquals(dns.get("port"), target.get("containerPort")),
          () -> assertTrue(((Integer) target.get("containerPort")) > 1023, "no NET_BIND_SERVICE needed"));
    }
    assertAll(
        () -> assertEquals(Set.of("TCP", "UDP"), protocols),
        () -> assertEquals("LoadBalancer", map(service, "spec").get("type")),
        () -> assertEquals("Local", map(service, "spec").get("externalTrafficPolicy"),
            "the resolver's source address decides the client zone"),
        () -> assertEquals("0.0.0.0", dns.get("host")));
  }

  @Test
  void members_find_each_other_by_stable_names_published_before_they_are_ready() {
    Map<String, Object> peers = map(named("base", "Service", "tern-peers"), "spec");
    Map<String, Object> container = containers(only("base", "StatefulSet")).getFirst();
    List<String> members = Arrays.asList(env(container, "TERN_CLUSTER_MEMBERS").split(","));
    int raftPort = (Integer) port(container, "raft").get("containerPort");
    assertAll(
        () -> assertEquals("None", peers.get("clusterIP")),
        () -> assertEquals(true, peers.get("publishNotReadyAddresses")),
        () -> assertEquals(Set.of(raftPort, raftPort + 100, 8080),
            Set.copyOf(maps(peers, "ports").stream().map(p -> p.get("port")).toList()),
            "the cluster port, FD_SOCK2's port (cluster port + 100) and the API for probe agents"),
        () -> assertEquals(raftPort + 100, port(container, "raft-fd").get("containerPort")),
        () -> assertEquals("$(POD_NAME)", env(container, "TERN_CLUSTER_NODE_ID")),
        () -> assertEquals(List.of(
            "tern-0@tern-0.tern-peers.$(POD_NAMESPACE).svc.cluster.local:" + raftPort,
            "tern-1@tern-1.tern-peers.$(POD_NAMESPACE).svc.cluster.local:" + raftPort,
            "tern-2@tern-2.tern-peers.$(POD_NAMESPACE).svc.cluster.local:" + raftPort), members));
  }

  @ParameterizedTest
  @ValueSource(strings = {"aws", "azure", "gcp"})
  void each_cloud_runs_one_member_named_for_it_among_all_three(String cloud) {
    String dir = "overlays/" + cloud;
    Map<String, Object> sts = only(dir, "StatefulSet");
    Map<String, Object> container = containers(sts).getFirst();
    List<String> members = Arrays.asList(env(container, "TERN_CLUSTER_MEMBERS").split(","));
    List<String> probeTargets =
        Arrays.asList(env(containers(only(dir, "Deployment")).getFirst(), "TERN_CONTROL_PLANE").split(","));
    assertAll(
        () -> assertEquals(1, map(sts, "spec").get("replicas")),
        () -> assertEquals(cloud, env(container, "TERN_CLUSTER_NODE_ID")),
        () -> assertEquals(CLOUDS, members.stream().map(m -> m.substring(0, m.indexOf('@'))).toList()),
        () -> assertTrue(members.contains(cloud + "@tern-0.tern-peers.tern.svc.cluster.local:7800"),
            "its own entry is the name in its /etc/hosts: " + members),
        () -> assertEquals(3, probeTargets.size(), "the probe reports to every member: " + probeTargets),
        () -> assertTrue(env(containers(only(dir, "Deployment")).getFirst(), "TERN_PROBE_REGION")
            .startsWith(cloud + ":")));
  }

  @Test
  void the_cloud_members_share_the_wan_timings_and_one_cluster_keeps_the_defaults() {
    Map<String, Object> aws = timingEnv("overlays/aws");
    ClusterConfig.Timing timing = ClusterSettings.timing(new PropertySourcePropertyResolver(
        PropertySource.of("env", aws, PropertySource.PropertyConvention.ENVIRONMENT_VARIABLE)));
    assertAll(
        () -> assertEquals(aws, timingEnv("overlays/azure"), "every member has the same timings"),
        () -> assertEquals(aws, timingEnv("overlays/gcp"), "every member has the same timings"),
        () -> assertEquals(new ClusterConfig.Timing(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(8),
            Duration.ofMillis(600), Duration.ofMillis(300)), timing, "docs/kubernetes.md's values for ~100 ms RTT"),
        () -> assertEquals(Map.of(), timingEnv("base")),
        () -> assertEquals(Map.of(), timingEnv("overlays/one-cluster")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/one-cluster", "overlays/gcp"})
  void rbac_grants_exactly_the_least_verbs_discovery_and_the_chaos_injector_need(String dir) {
    // What ClusterDiscovery and KubernetesInjector call: list and watch for the feeds, get for the
    // injector's reads of a Service and an Ingress, list and patch for scaling by label selector.
    Set<String> discovery = new TreeSet<>(List.of(
        "/services get", "/services list", "/services watch",
        "networking.k8s.io/ingresses get", "networking.k8s.io/ingresses list", "networking.k8s.io/ingresses watch",
        "discovery.k8s.io/endpointslices list", "discovery.k8s.io/endpointslices watch",
        "gateway.networking.k8s.io/gateways list", "gateway.networking.k8s.io/gateways watch"));
    Set<String> chaos = new TreeSet<>(List.of(
        "apps/deployments list", "apps/deployments patch",
        "apps/statefulsets list", "apps/statefulsets patch",
        "networking.k8s.io/networkpolicies create", "networking.k8s.io/networkpolicies delete",
        "networking.k8s.io/networkpolicies list"));
    List<Map<String, Object>> roles =
        Stream.concat(all(dir, "ClusterRole").stream(), all(dir, "Role").stream()).toList();
    assertEquals(Set.of("tern-discovery", "tern-chaos"), Set.copyOf(roles.stream().map(ManifestsTest::name).toList()),
        "no other role");
    assertEquals(discovery, grants(named(dir, "ClusterRole", "tern-discovery")));
    assertEquals(chaos, grants(named(dir, "ClusterRole", "tern-chaos")));

    String namespace = dir.startsWith("overlays/") ? "tern" : "default";
    for (Map<String, Object> binding : Stream.concat(all(dir, "ClusterRoleBinding").stream(),
        all(dir, "RoleBinding").stream()).toList()) {
      assertEquals(List.of(Map.of("kind", "ServiceAccount", "name", "tern-controlplane", "namespace", namespace)),
          binding.get("subjects"), name(binding) + " binds the control plane's account alone, in its namespace");
    }
    Map<String, Object> probePod = podSpec(only(dir, "Deployment"));
    assertAll("the probe agent needs no API access",
        () -> assertEquals("tern-probe", probePod.get("serviceAccountName")),
        () -> assertEquals(false, probePod.get("automountServiceAccountToken")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/azure"})
  void secrets_reach_the_pods_only_as_read_only_files(String dir) {
    for (Map<String, Object> workload : workloads(dir)) {
      Map<String, Object> pod = podSpec(workload);
      for (Map<String, Object> container : maps(pod, "containers")) {
        assertFalse(container.containsKey("envFrom"), name(workload));
        for (Map<String, Object> variable : maps(container, "env")) {
          Object from = variable.get("valueFrom");
          assertTrue(from == null || !((Map<?, ?>) from).containsKey("secretKeyRef"),
              name(workload) + " " + variable.get("name") + " is not read from a Secret into the environment");
        }
      }
    }
    Map<String, Object> server = containers(only(dir, "StatefulSet")).getFirst();
    String secretFile = env(server, "MICRONAUT_CONFIG_FILES");
    String secretVolume = volumeAt(server, secretFile.substring(0, secretFile.lastIndexOf('/')));
    Map<String, Object> probe = containers(only(dir, "Deployment")).getFirst();
    @SuppressWarnings("unchecked")
    List<String> probeArgs = (List<String>) probe.get("args");
    String tokenFile = probeArgs.stream().filter(a -> a.startsWith("--token-file=")).findFirst().orElseThrow()
        .substring("--token-file=".length());
    String tokenVolume = volumeAt(probe, tokenFile.substring(0, tokenFile.lastIndexOf('/')));
    assertAll(
        () -> assertEquals("tern-node", map(volume(podSpec(only(dir, "StatefulSet")), secretVolume), "secret")
            .get("secretName")),
        () -> assertEquals("tern-probe", map(volume(podSpec(only(dir, "Deployment")), tokenVolume), "secret")
            .get("secretName")),
        () -> assertFalse(map(ternConfig(dir), "tern", "cluster").containsKey("secret"), "no secret in the ConfigMap"),
        () -> assertFalse(map(ternConfig(dir), "tern").containsKey("security"), "no tokens in the ConfigMap"));
  }

  // --- rendering and navigation ---

  private static List<Map<String, Object>> rendered(String dir) {
    return RENDERED.computeIfAbsent(dir, ManifestsTest::render);
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> render(String dir) {
    Path kustomization = REPO.resolve("deploy").resolve(dir);
    assertTrue(Files.isRegularFile(kustomization.resolve("kustomization.yaml")),
        "no Kustomization in " + kustomization);
    Process process;
    Path stderr;
    try {
      stderr = Files.createTempFile("kustomize", ".err");
      stderr.toFile().deleteOnExit();
      process = new ProcessBuilder("kubectl", "kustomize", kustomization.toString())
          .redirectError(stderr.toFile())
          .start();
    } catch (IOException e) {
      return fail("kubectl is not on the PATH; install kubectl 1.22 or later (its kustomize v4.2+ renders the"
          + " manifests offline with `kubectl kustomize`): " + e.getMessage());
    }
    try {
      String yaml = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        return fail("kubectl kustomize " + kustomization + " failed (it needs kubectl 1.22+ with"
            + " kustomize v4.2+, not Debian's kubernetes-client 1.20; `kubectl version --client` shows both): "
            + Files.readString(stderr).strip());
      }
      List<Map<String, Object>> documents = new ArrayList<>();
      for (Object document : new Yaml().loadAll(yaml)) {
        if (document != null) {
          documents.add((Map<String, Object>) document);
        }
      }
      return documents;
    } catch (IOException e) {
      return fail("reading kubectl's output: " + e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return fail("interrupted");
    }
  }

  private static List<Map<String, Object>> all(String dir, String kind) {
    return rendered(dir).stream().filter(d -> kind.equals(d.get("kind"))).toList();
  }

  private static Map<String, Object> only(String dir, String kind) {
    List<Map<String, Object>> found = all(dir, kind);
    assertEquals(1, found.size(), "one " + kind + " in " + dir);
    return found.getFirst();
  }

  private static Map<String, Object> named(String dir, String kind, String name) {
    return all(dir, kind).stream().filter(d -> name.equals(name(d))).findFirst()
        .orElseGet(() -> fail("no " + kind + " " + name + " in " + dir));
  }

  private static String name(Map<String, Object> object) {
    return (String) map(object, "metadata").get("name");
  }

  private static List<Map<String, Object>> workloads(String dir) {
    return rendered(dir).stream()
        .filter(d -> Set.of("StatefulSet", "Deployment", "DaemonSet", "Job", "CronJob").contains(d.get("kind")))
        .toList();
  }

  private static Map<String, Object> podSpec(Map<String, Object> workload) {
    return map(workload, "spec", "template", "spec");
  }

  private static List<Map<String, Object>> containers(Map<String, Object> workload) {
    return maps(podSpec(workload), "containers");
  }

  /** The control plane's tern.yml, from the generated ConfigMap. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> ternConfig(String dir) {
    Map<String, Object> configMap = only(dir, "ConfigMap");
    return (Map<String, Object>) new Yaml().load((String) map(configMap, "data").get("tern.yml"));
  }

  private static Map<String, Object> port(Map<String, Object> container, String name) {
    return maps(container, "ports").stream().filter(p -> name.equals(p.get("name"))).findFirst()
        .orElseGet(() -> fail("no port " + name + " on container " + container.get("name")));
  }

  private static String env(Map<String, Object> container, String name) {
    return maps(container, "env").stream().filter(e -> name.equals(e.get("name")))
        .map(e -> (String) e.get("value")).filter(Objects::nonNull).findFirst()
        .orElseGet(() -> fail("no value for " + name + " on container " + container.get("name")));
  }

  /** The control-plane container's {@code TERN_CLUSTER_TIMING_*} variables. */
  private static Map<String, Object> timingEnv(String dir) {
    Map<String, Object> timing = new TreeMap<>();
    for (Map<String, Object> e : maps(containers(only(dir, "StatefulSet")).getFirst(), "env")) {
      if (((String) e.get("name")).startsWith("TERN_CLUSTER_TIMING_")) {
        timing.put((String) e.get("name"), e.get("value"));
      }
    }
    return timing;
  }

  private static String mountPath(Map<String, Object> container, String volume) {
    return maps(container, "volumeMounts").stream().filter(m -> volume.equals(m.get("name")))
        .map(m -> (String) m.get("mountPath")).findFirst()
        .orElseGet(() -> fail("volume " + volume + " is not mounted"));
  }

  private static String volumeAt(Map<String, Object> container, String path) {
    return maps(container, "volumeMounts").stream().filter(m -> path.equals(m.get("mountPath")))
        .map(m -> (String) m.get("name")).findFirst()
        .orElseGet(() -> fail("nothing is mounted at " + path + " in container " + container.get("name")));
  }

  private static Map<String, Object> volume(Map<String, Object> pod, String name) {
    return maps(pod, "volumes").stream().filter(v -> name.equals(v.get("name"))).findFirst()
        .orElseGet(() -> fail("no volume " + name));
  }

  /** Every (group/resource, verb) pair a role grants, e.g. {@code apps/deployments/scale patch}. */
  @SuppressWarnings("unchecked")
  private static Set<String> grants(Map<String, Object> role) {
    Set<String> grants = new TreeSet<>();
    for (Map<String, Object> rule : maps(role, "rules")) {
      assertFalse(rule.containsKey("resourceNames") || rule.containsKey("nonResourceURLs"), name(role));
      for (String group : (List<String>) rule.get("apiGroups")) {
        for (String resource : (List<String>) rule.get("resources")) {
          for (String verb : (List<String>) rule.get("verbs")) {
            assertFalse(verb.equals("*") || resource.equals("*") || group.equals("*"), "no wildcard in " + name(role));
            grants.add(group + "/" + resource + " " + verb);
          }
        }
      }
    }
    return grants;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> object, String... path) {
    Map<String, Object> current = object;
    for (String key : path) {
      Object next = current.get(key);
      assertNotNull(next, "missing " + key + " in " + current.keySet());
      current = (Map<String, Object>) next;
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Map<String, Object> object, String key) {
    Object list = object.get(key);
    assertNotNull(list, "missing " + key + " in " + object.keySet());
    return (List<Map<String, Object>>) list;
  }
}
