package dev.tern.controlplane.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.tern.chaos.run.FaultInjector;
import dev.tern.chaos.run.TargetBackend;
import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1HTTPIngressPath;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressBackend;
import io.kubernetes.client.openapi.models.V1IngressRule;
import io.kubernetes.client.openapi.models.V1LabelSelector;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1NetworkPolicySpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.util.PatchUtils;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The {@code kubernetes} chaos injector: an outage of a discovered backend, made in its cluster. With
 * {@code chaos-outage: scale-to-zero} (the default) the Deployments and StatefulSets whose pods the backend's
 * Service selects are scaled to zero; with {@code deny-ingress} a NetworkPolicy that admits nothing is put on those
 * pods. A backend that is an Ingress is taken out through the Services its rules send traffic to.
 *
 * <p><b>State lives in the cluster.</b> Every object it changes is labelled {@code tern.dev/chaos-run=<run>}, and a
 * scaled workload keeps its replica count in the annotation {@code tern.dev/chaos-replicas}. The run id is derived
 * from the fault and the sorted target keys, so any node computes the same one: a new leader reverts a run the old
 * one injected without knowing how far it got, and {@link #sweep()} finds every stray fault by its label alone.
 *
 * <p><b>Revert</b> restores the recorded replica counts, removes the label and annotation, and deletes the
 * NetworkPolicies of the run; it is idempotent. It does not need the discovery snapshot.
 *
 * <p><b>Threading.</b> Stateless apart from the clients; calls for different runs may run concurrently.
 *
 * <p><b>Failure.</b> Every API error becomes an {@link InjectionException} naming the cluster and object. An
 * inject that fails part way leaves labelled changes that revert (or sweep) removes.
 */
public final class KubernetesInjector implements FaultInjector {

  /** The label on every object a chaos run changed or created; its value is the run id. */
  public static final String RUN_LABEL = "tern.dev/chaos-run";
  /** The annotation keeping a scaled workload's replica count from before the run. */
  public static final String REPLICAS_ANNOTATION = "tern.dev/chaos-replicas";
  static final String POLICY_PREFIX = "tern-chaos-";

  /**
   * One cluster the injector can act in.
   *
   * @param snapshot the cluster's latest discovery snapshot, to find a target's Service or Ingress
   */
  public record ClusterAccess(KubernetesSettings.Cluster cluster, ApiClient client,
      Supplier<DiscoveredBackends> snapshot) {
    public ClusterAccess {
      Objects.requireNonNull(cluster, "cluster");
      Objects.requireNonNull(client, "client");
      Objects.requireNonNull(snapshot, "snapshot");
    }
  }

  private final List<ClusterAccess> clusters;

  public KubernetesInjector(List<ClusterAccess> clusters) {
    this.clusters = List.copyOf(clusters);
  }

  /** False when no cluster is configured: every inject would fail. */
  public boolean configured() {
    return !clusters.isEmpty();
  }

  @Override
  public Injector kind() {
    return Injector.KUBERNETES;
  }

  /** The id a run of {@code fault} on {@code targets} is labelled with: the same on every node. */
  public static String runId(Fault fault, List<TargetBackend> targets) {
    String text = fault.kind() + "|" + String.join(",", targets.stream().map(TargetBackend::key).sorted().toList());
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  @Override
  public void inject(Fault fault, List<TargetBackend> targets) throws InjectionException {
    if (!(fault instanceof Fault.Outage)) {
      throw new InjectionException("the kubernetes injector injects outage only, not " + fault.kind());
    }
    String run = runId(fault, targets);
    for (TargetBackend t : targets) {
      Located at = locate(t);
      for (String service : services(at)) {
        Map<String, String> selector = selector(at, service);
        if (at.access().cluster().outage() == KubernetesSettings.OutageMode.DENY_INGRESS) {
          denyIngress(at, run, service, selector);
        } else {
          scaleToZero(at, run, selector);
        }
      }
    }
  }

  @Override
  public void revert(Fault fault, List<TargetBackend> targets) throws InjectionException {
    String selector = RUN_LABEL + "=" + runId(fault, targets);
    for (ClusterAccess c : clusters) {
      revertAll(c, selector);
    }
  }

  /**
   * Reverts every chaos change in every cluster, whatever run made it: for a fault whose run is no longer known
   * (a node that crashed before it could record the run, a run ended by hand).
   *
   * @return what was restored or removed, as {@code cluster/kind/namespace/name}
   */
  public List<String> sweep() throws InjectionException {
    List<String> done = new ArrayList<>();
    for (ClusterAccess c : clusters) {
      done.addAll(revertAll(c, RUN_LABEL));
    }
    return done;
  }

  /** A target's backend, found in a cluster's discovery snapshot. */
  private record Located(ClusterAccess access, DiscoveredBackend backend) {
    String where() {
      return backend.source().toString();
    }
  }

  private Located locate(TargetBackend t) throws InjectionException {
    for (ClusterAccess c : clusters) {
      Optional<DiscoveredBackend> b = c.snapshot().get().find(t.service(), t.backend());
      if (b.isPresent()) {
        return new Located(c, b.get());
      }
    }
    throw new InjectionException(t.key() + " is not a backend discovered in any configured Kubernetes cluster ("
        + String.join(", ", clusters.stream().map(c -> c.cluster().name()).toList())
        + "): the kubernetes injector can only take out discovered backends");
  }

  /** The Kubernetes Services whose pods make up the backend. */
  private static List<String> services(Located at) throws InjectionException {
    DiscoveredBackend.Source s = at.backend().source();
    if (s.kind() == DiscoveredBackend.Kind.SERVICE) {
      return List.of(s.name());
    }
    if (s.kind() == DiscoveredBackend.Kind.GATEWAY) {
      throw new InjectionException(at.where() + " is a Gateway, shared by the routes attached to it: the kubernetes"
          + " injector does not take Gateways out; target a backend that is the Service behind the route instead");
    }
    V1Ingress ingress = call(at.where(), "read", () -> new NetworkingV1Api(
        at.access().client()).readNamespacedIngress(s.name(), s.namespace()).execute());
    Set<String> names = new LinkedHashSet<>();
    if (ingress.getSpec() != null) {
      serviceOf(ingress.getSpec().getDefaultBackend()).ifPresent(names::add);
      for (V1IngressRule r : Optional.ofNullable(ingress.getSpec().getRules()).orElse(List.of())) {
        if (r.getHttp() != null) {
          for (V1HTTPIngressPath p : r.getHttp().getPaths()) {
            serviceOf(p.getBackend()).ifPresent(names::add);
          }
        }
      }
    }
    if (names.isEmpty()) {
      throw new InjectionException(at.where() + " sends traffic to no Service: nothing to take out");
    }
    return List.copyOf(names);
  }

  private static Optional<String> serviceOf(V1IngressBackend b) {
    return b == null || b.getService() == null ? Optional.empty() : Optional.ofNullable(b.getService().getName());
  }

  private static Map<String, String> selector(Located at, String service) throws InjectionException {
    String ns = at.backend().source().namespace();
    String where = at.access().cluster().name() + "/service/" + ns + "/" + service;
    V1Service s = call(where, "read", () -> new CoreV1Api(at.access().client()).readNamespacedService(service, ns)
        .execute());
    Map<String, String> selector = s.getSpec() == null ? null : s.getSpec().getSelector();
    if (selector == null || selector.isEmpty()) {
      throw new InjectionException(where + " has no pod selector: there are no pods Tern can take out");
    }
    return selector;
  }

  private static void scaleToZero(Located at, String run, Map<String, String> selector) throws InjectionException {
    ApiClient client = at.access().client();
    AppsV1Api apps = new AppsV1Api(client);
    String ns = at.backend().source().namespace();
    String cluster = at.access().cluster().name();
    List<KubernetesObject> workloads = new ArrayList<>();
    workloads.addAll(call(cluster + "/deployments/" + ns, "list",
        () -> apps.listNamespacedDeployment(ns).execute()).getItems());
    workloads.addAll(call(cluster + "/statefulsets/" + ns, "list",
        () -> apps.listNamespacedStatefulSet(ns).execute()).getItems());
    int scaled = 0;
    for (KubernetesObject w : workloads) {
      if (!selects(selector, template(w))) {
        continue;
      }
      scaled++;
      String where = cluster + "/" + kind(w) + "/" + ns + "/" + w.getMetadata().getName();
      String owner = labels(w).get(RUN_LABEL);
      if (run.equals(owner)) {
        continue;
      }
      if (owner != null) {
        throw new InjectionException(where + " is already held down by chaos run " + owner + ": revert that first");
      }
      JsonObject meta = new JsonObject();
      meta.add("labels", object(RUN_LABEL, run));
      meta.add("annotations", object(REPLICAS_ANNOTATION, Integer.toString(replicas(w))));
      JsonObject patch = new JsonObject();
      patch.add("metadata", meta);
      patch.add("spec", object("replicas", 0));
      patch(client, w, patch.toString(), V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, where);
    }
    if (scaled == 0) {
      throw new InjectionException(cluster + ": no Deployment or StatefulSet in " + ns + " has pods matching "
          + selector + ": nothing to scale to zero");
    }
  }

  private static void denyIngress(Located at, String run, String service, Map<String, String> selector)
      throws InjectionException {
    String ns = at.backend().source().namespace();
    String name = policyName(run, service);
    V1NetworkPolicy policy = new V1NetworkPolicy().apiVersion("networking.k8s.io/v1").kind("NetworkPolicy")
        .metadata(new V1ObjectMeta().name(name).namespace(ns).labels(Map.of(RUN_LABEL, run)))
        .spec(new V1NetworkPolicySpec().podSelector(new V1LabelSelector().matchLabels(selector))
            .policyTypes(List.of("Ingress")).ingress(List.of()));
    String where = at.access().cluster().name() + "/networkpolicy/" + ns + "/" + name;
    try {
      new NetworkingV1Api(at.access().client()).createNamespacedNetworkPolicy(ns, policy).execute();
    } catch (ApiException e) {
      if (e.getCode() != 409) {
        throw failure(where, "create", e);
      }
    }
  }

  static String policyName(String run, String service) {
    String name = POLICY_PREFIX + run + "-" + service;
    return name.length() <= 63 ? name : name.substring(0, 63).replaceAll("-+$", "");
  }

  private List<String> revertAll(ClusterAccess c, String selector) throws InjectionException {
    List<String> done = new ArrayList<>();
    AppsV1Api apps = new AppsV1Api(c.client());
    NetworkingV1Api net = new NetworkingV1Api(c.client());
    String cluster = c.cluster().name();
    List<KubernetesObject> workloads = new ArrayList<>();
    List<V1NetworkPolicy> policies = new ArrayList<>();
    if (c.cluster().namespaces().isEmpty()) {
      workloads.addAll(call(cluster + "/deployments", "list",
          () -> apps.listDeploymentForAllNamespaces().labelSelector(selector).execute()).getItems());
      workloads.addAll(call(cluster + "/statefulsets", "list",
          () -> apps.listStatefulSetForAllNamespaces().labelSelector(selector).execute()).getItems());
      policies.addAll(call(cluster + "/networkpolicies", "list",
          () -> net.listNetworkPolicyForAllNamespaces().labelSelector(selector).execute()).getItems());
    } else {
      for (String ns : c.cluster().namespaces()) {
        workloads.addAll(call(cluster + "/deployments/" + ns, "list",
            () -> apps.listNamespacedDeployment(ns).labelSelector(selector).execute()).getItems());
        workloads.addAll(call(cluster + "/statefulsets/" + ns, "list",
            () -> apps.listNamespacedStatefulSet(ns).labelSelector(selector).execute()).getItems());
        policies.addAll(call(cluster + "/networkpolicies/" + ns, "list",
            () -> net.listNamespacedNetworkPolicy(ns).labelSelector(selector).execute()).getItems());
      }
    }
    for (KubernetesObject w : workloads) {
      String where = cluster + "/" + kind(w) + "/" + w.getMetadata().getNamespace() + "/" + w.getMetadata().getName();
      // A JSON Patch, not a merge patch: "remove" drops the keys, and "test" makes sure the object still belongs
      // to the run we listed it for when the patch lands.
      JsonArray ops = new JsonArray();
      ops.add(op("test", "/metadata/labels/" + pointer(RUN_LABEL), labels(w).get(RUN_LABEL)));
      ops.add(op("remove", "/metadata/labels/" + pointer(RUN_LABEL), null));
      String saved = w.getMetadata().getAnnotations() == null ? null
          : w.getMetadata().getAnnotations().get(REPLICAS_ANNOTATION);
      if (saved != null) {
        int replicas;
        try {
          replicas = Integer.parseInt(saved);
        } catch (NumberFormatException e) {
          throw new InjectionException(where + " has " + REPLICAS_ANNOTATION + " '" + saved
              + "', not a replica count: set its replicas by hand, then remove the label " + RUN_LABEL);
        }
        ops.add(op("remove", "/metadata/annotations/" + pointer(REPLICAS_ANNOTATION), null));
        JsonObject replace = op("replace", "/spec/replicas", null);
        replace.addProperty("value", replicas);
        ops.add(replace);
      }
      patch(c.client(), w, ops.toString(), V1Patch.PATCH_FORMAT_JSON_PATCH, where);
      done.add(where);
    }
    for (V1NetworkPolicy p : policies) {
      String ns = p.getMetadata().getNamespace();
      String where = cluster + "/networkpolicy/" + ns + "/" + p.getMetadata().getName();
      try {
        net.deleteNamespacedNetworkPolicy(p.getMetadata().getName(), ns).execute();
      } catch (ApiException e) {
        if (e.getCode() != 404) {
          throw failure(where, "delete", e);
        }
      }
      done.add(where);
    }
    return done;
  }

  private static JsonObject op(String op, String path, String value) {
    JsonObject o = new JsonObject();
    o.addProperty("op", op);
    o.addProperty("path", path);
    if (value != null) {
      o.addProperty("value", value);
    }
    return o;
  }

  /** A label or annotation key as a JSON Pointer segment (RFC 6901). */
  private static String pointer(String key) {
    return key.replace("~", "~0").replace("/", "~1");
  }

  private static void patch(ApiClient client, KubernetesObject w, String patch, String format, String where)
      throws InjectionException {
    AppsV1Api apps = new AppsV1Api(client);
    String ns = w.getMetadata().getNamespace();
    String name = w.getMetadata().getName();
    V1Patch body = new V1Patch(patch);
    try {
      if (w instanceof V1Deployment) {
        PatchUtils.patch(V1Deployment.class, () -> apps.patchNamespacedDeployment(name, ns, body).buildCall(null),
            format, client);
      } else {
        PatchUtils.patch(V1StatefulSet.class, () -> apps.patchNamespacedStatefulSet(name, ns, body).buildCall(null),
            format, client);
      }
    } catch (ApiException e) {
      throw failure(where, "patch", e);
    }
  }

  private static JsonObject object(String key, Object value) {
    JsonObject o = new JsonObject();
    switch (value) {
      case Integer n -> o.addProperty(key, n);
      default -> o.addProperty(key, String.valueOf(value));
    }
    return o;
  }

  private static String kind(KubernetesObject w) {
    return w instanceof V1Deployment ? "deployment" : "statefulset";
  }

  private static Map<String, String> labels(KubernetesObject w) {
    return w.getMetadata().getLabels() == null ? Map.of() : w.getMetadata().getLabels();
  }

  private static int replicas(KubernetesObject w) {
    Integer n = switch (w) {
      case V1Deployment d -> d.getSpec() == null ? null : d.getSpec().getReplicas();
      case V1StatefulSet s -> s.getSpec() == null ? null : s.getSpec().getReplicas();
      default -> null;
    };
    return n == null ? 1 : n;
  }

  private static V1PodTemplateSpec template(KubernetesObject w) {
    return switch (w) {
      case V1Deployment d -> d.getSpec() == null ? null : d.getSpec().getTemplate();
      case V1StatefulSet s -> s.getSpec() == null ? null : s.getSpec().getTemplate();
      default -> null;
    };
  }

  private static boolean selects(Map<String, String> selector, V1PodTemplateSpec template) {
    Map<String, String> labels = template == null || template.getMetadata() == null
        || template.getMetadata().getLabels() == null ? Map.of() : template.getMetadata().getLabels();
    return labels.entrySet().containsAll(selector.entrySet());
  }

  @FunctionalInterface
  private interface ApiCall<T> {
    T run() throws ApiException;
  }

  private static <T> T call(String where, String verb, ApiCall<T> c) throws InjectionException {
    try {
      return c.run();
    } catch (ApiException e) {
      throw failure(where, verb, e);
    }
  }

  private static InjectionException failure(String where, String verb, ApiException e) {
    String status = e.getCode() == 0 ? "API server unreachable (" + e.getMessage() + ")" : "HTTP " + e.getCode();
    String hint = e.getCode() == 403 ? "; the service account lacks the RBAC verb (docs/kubernetes-discovery.md)" : "";
    return new InjectionException(where + ": " + verb + " failed: " + status + hint, e);
  }
}
