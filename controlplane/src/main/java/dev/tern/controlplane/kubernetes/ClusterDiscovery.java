package dev.tern.controlplane.kubernetes;

import com.google.gson.reflect.TypeToken;
import dev.tern.controlplane.kubernetes.DiscoveredBackend.Kind;
import dev.tern.controlplane.kubernetes.DiscoveredBackend.Source;
import io.kubernetes.client.common.KubernetesListObject;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.CustomObjectsApi;
import io.kubernetes.client.openapi.apis.DiscoveryV1Api;
import io.kubernetes.client.openapi.apis.NetworkingV1Api;
import io.kubernetes.client.openapi.models.V1EndpointSlice;
import io.kubernetes.client.openapi.models.V1EndpointSliceList;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1IngressList;
import io.kubernetes.client.openapi.models.V1IngressLoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1LoadBalancerIngress;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceList;
import io.kubernetes.client.util.Watch;
import java.io.IOException;
import java.lang.reflect.Type;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import okhttp3.Call;

/**
 * Discovers one cluster's backends: LoadBalancer Services, Ingresses and (where the Gateway API is installed)
 * Gateways labelled {@code tern.dev/service}, and the EndpointSlices that say whether a Service has a ready endpoint. Every change is delivered to the listener as a
 * new {@link DiscoveredBackends} snapshot.
 *
 * <p><b>List, then watch.</b> Each kind (per watched namespace) is listed, then watched from the list's
 * resourceVersion. A watch that ends is resumed from the last resourceVersion seen; a watch that fails, or an
 * {@code ERROR} event (410 Gone: the version is too old), leads to a full relist, as does the resync period. The
 * relist replaces what that feed knew, so anything deleted while the watch was down goes away then.
 *
 * <p><b>Staleness.</b> When a feed cannot list (the API server is down or refuses), the last known objects stay and
 * the snapshot is {@code stale}; backends are never dropped because the API is unreachable. Once every feed has
 * listed again the snapshot is fresh. Until each feed's first list the snapshot is stale too.
 *
 * <p><b>Threading.</b> {@link #start()} starts one virtual thread per feed; stores and the snapshot are guarded by
 * this object's lock, and the listener is called under it, one snapshot at a time, in order. {@link #close()} stops
 * the feeds and cancels their open calls.
 *
 * <p><b>Failure.</b> Nothing thrown reaches the caller after start: a failing feed retries with a doubling wait up
 * to the maximum, and says so in the log and in {@code stale}. Bad annotation values become a backend's
 * {@code problems}, with the default used.
 */
public final class ClusterDiscovery implements AutoCloseable {

  /** The label naming the Tern service an object is a backend of. */
  public static final String SERVICE_LABEL = "tern.dev/service";
  /** The annotation naming the backend; default {@code <cluster>-<namespace>-<name>}. */
  public static final String BACKEND_ANNOTATION = "tern.dev/backend";
  public static final String WEIGHT_ANNOTATION = "tern.dev/weight";
  public static final String PRIORITY_ANNOTATION = "tern.dev/priority";
  public static final String CAPACITY_ANNOTATION = "tern.dev/capacity";
  static final String SLICE_SERVICE_LABEL = "kubernetes.io/service-name";
  static final int DEFAULT_WEIGHT = 1;
  static final int DEFAULT_PRIORITY = 1;
  static final int DEFAULT_CAPACITY = 1000;

  private static final Logger LOG = Logger.getLogger(ClusterDiscovery.class.getName());

  private final KubernetesSettings.Cluster cluster;
  private final ApiClient client;
  private final Clock clock;
  private final Consumer<DiscoveredBackends> listener;
  private final Duration minRetry;
  private final Duration maxRetry;
  private final Duration callTimeout;
  private final CoreV1Api core;
  private final NetworkingV1Api networking;
  private final DiscoveryV1Api discovery;
  private final CustomObjectsApi custom;

  private final Object lock = new Object();
  private final Map<String, V1Service> services = new HashMap<>();
  private final Map<String, V1Ingress> ingresses = new HashMap<>();
  private final Map<String, V1EndpointSlice> slices = new HashMap<>();
  private final Map<String, GatewayResource> gateways = new HashMap<>();
  /** Feeds that have not listed since they started or last failed. */
  private final Set<String> unlisted = new HashSet<>();
  private final List<Thread> threads = new ArrayList<>();
  private final Set<Call> open = new HashSet<>();
  private volatile boolean running;
  private DiscoveredBackends last;

  /** Discovery with production timing: retries from 1 s up to 30 s, 15 s per list call. */
  public ClusterDiscovery(KubernetesSettings.Cluster cluster, ApiClient client, Clock clock,
      Consumer<DiscoveredBackends> listener) {
    this(cluster, client, clock, listener, Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(15));
  }

  ClusterDiscovery(KubernetesSettings.Cluster cluster, ApiClient client, Clock clock,
      Consumer<DiscoveredBackends> listener, Duration minRetry, Duration maxRetry, Duration callTimeout) {
    this.cluster = cluster;
    this.client = client;
    this.clock = clock;
    this.listener = listener;
    this.minRetry = minRetry;
    this.maxRetry = maxRetry;
    this.callTimeout = callTimeout;
    this.core = new CoreV1Api(client);
    this.networking = new NetworkingV1Api(client);
    this.discovery = new DiscoveryV1Api(client);
    this.custom = new CustomObjectsApi(client);
    this.last = DiscoveredBackends.initial(cluster.name(), clock.instant());
  }

  /** The latest snapshot (stale and empty before the first lists). */
  public DiscoveredBackends snapshot() {
    synchronized (lock) {
      return last;
    }
  }

  /** Starts the feeds; returns at once. */
  public void start() {
    List<String> scopes = cluster.namespaces().isEmpty() ? List.of("") : cluster.namespaces();
    List<Feed<?>> feeds = new ArrayList<>();
    for (String ns : scopes) {
      feeds.add(serviceFeed(ns));
      feeds.add(ingressFeed(ns));
      feeds.add(sliceFeed(ns));
      feeds.add(gatewayFeed(ns));
    }
    synchronized (lock) {
      running = true;
      feeds.forEach(f -> unlisted.add(f.id()));
      for (Feed<?> f : feeds) {
        threads.add(Thread.ofVirtual().name("k8s-discovery-" + cluster.name() + "-" + f.id()).start(() -> run(f)));
      }
    }
  }

  @Override
  public void close() {
    List<Thread> toJoin;
    synchronized (lock) {
      running = false;
      open.forEach(Call::cancel);
      toJoin = List.copyOf(threads);
    }
    toJoin.forEach(Thread::interrupt);
    for (Thread t : toJoin) {
      try {
        t.join(Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /**
   * How to list and watch one kind in one scope ({@code ""} = all namespaces), and where it is kept.
   *
   * @param optional the kind is a custom resource that may not be installed: a 404 means "none here", not an
   *     outage
   */
  private record Feed<T extends KubernetesObject>(String kind, String scope, Map<String, T> store,
      CallFactory list, WatchFactory watch, Type listType, Type watchType, boolean optional) {
    String id() {
      return kind + (scope.isEmpty() ? "" : "@" + scope);
    }
  }

  @FunctionalInterface
  private interface CallFactory {
    Call call() throws ApiException;
  }

  @FunctionalInterface
  private interface WatchFactory {
    Call call(String resourceVersion, int timeoutSeconds) throws ApiException;
  }

  private Feed<V1Service> serviceFeed(String ns) {
    return new Feed<>("services", ns, services,
        () -> ns.isEmpty()
            ? core.listServiceForAllNamespaces().labelSelector(SERVICE_LABEL).buildCall(null)
            : core.listNamespacedService(ns).labelSelector(SERVICE_LABEL).buildCall(null),
        (rv, t) -> ns.isEmpty()
            ? core.listServiceForAllNamespaces().labelSelector(SERVICE_LABEL).watch(true).resourceVersion(rv)
                .allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null)
            : core.listNamespacedService(ns).labelSelector(SERVICE_LABEL).watch(true).resourceVersion(rv)
                .allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null),
        V1ServiceList.class, new TypeToken<Watch.Response<V1Service>>() {}.getType(), false);
  }

  private Feed<V1Ingress> ingressFeed(String ns) {
    return new Feed<>("ingresses", ns, ingresses,
        () -> ns.isEmpty()
            ? networking.listIngressForAllNamespaces().labelSelector(SERVICE_LABEL).buildCall(null)
            : networking.listNamespacedIngress(ns).labelSelector(SERVICE_LABEL).buildCall(null),
        (rv, t) -> ns.isEmpty()
            ? networking.listIngressForAllNamespaces().labelSelector(SERVICE_LABEL).watch(true).resourceVersion(rv)
                .allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null)
            : networking.listNamespacedIngress(ns).labelSelector(SERVICE_LABEL).watch(true).resourceVersion(rv)
                .allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null),
        V1IngressList.class, new TypeToken<Watch.Response<V1Ingress>>() {}.getType(), false);
  }

  private Feed<V1EndpointSlice> sliceFeed(String ns) {
    return new Feed<>("endpointslices", ns, slices,
        () -> ns.isEmpty()
            ? discovery.listEndpointSliceForAllNamespaces().labelSelector(SLICE_SERVICE_LABEL).buildCall(null)
            : discovery.listNamespacedEndpointSlice(ns).labelSelector(SLICE_SERVICE_LABEL).buildCall(null),
        (rv, t) -> ns.isEmpty()
            ? discovery.listEndpointSliceForAllNamespaces().labelSelector(SLICE_SERVICE_LABEL).watch(true)
                .resourceVersion(rv).allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null)
            : discovery.listNamespacedEndpointSlice(ns).labelSelector(SLICE_SERVICE_LABEL).watch(true)
                .resourceVersion(rv).allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null),
        V1EndpointSliceList.class, new TypeToken<Watch.Response<V1EndpointSlice>>() {}.getType(), false);
  }

  /** Gateway API Gateways, when the cluster has the Gateway API installed. */
  private Feed<GatewayResource> gatewayFeed(String ns) {
    String g = GatewayResource.GROUP;
    String v = GatewayResource.VERSION;
    String p = GatewayResource.PLURAL;
    return new Feed<>("gateways", ns, gateways,
        () -> ns.isEmpty()
            ? custom.listClusterCustomObject(g, v, p).labelSelector(SERVICE_LABEL).buildCall(null)
            : custom.listNamespacedCustomObject(g, v, ns, p).labelSelector(SERVICE_LABEL).buildCall(null),
        (rv, t) -> ns.isEmpty()
            ? custom.listClusterCustomObject(g, v, p).labelSelector(SERVICE_LABEL).watch(true).resourceVersion(rv)
                .allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null)
            : custom.listNamespacedCustomObject(g, v, ns, p).labelSelector(SERVICE_LABEL).watch(true)
                .resourceVersion(rv).allowWatchBookmarks(true).timeoutSeconds(t).buildCall(null),
        GatewayResource.GatewayList.class, new TypeToken<Watch.Response<GatewayResource>>() {}.getType(), true);
  }

  /** A watch that must be replaced by a full list (an ERROR event, such as 410 Gone). */
  private static final class RelistNeeded extends Exception {
    RelistNeeded(String message) {
      super(message, null, false, false);
    }
  }

  private <T extends KubernetesObject> void run(Feed<T> feed) {
    Duration retry = minRetry;
    while (running) {
      String rv;
      try {
        rv = list(feed);
        retry = minRetry;
      } catch (ApiException | RuntimeException e) {
        if (!running) {
          return;
        }
        if (feed.optional() && e instanceof ApiException a && a.getCode() == 404) {
          absent(feed);
          if (!pause(cluster.resync())) {
            return;
          }
          continue;
        }
        String why = e instanceof ApiException a && a.getCode() != 0 ? "HTTP " + a.getCode() : String.valueOf(e);
        LOG.log(Level.WARNING, "Kubernetes cluster {0}: listing {1} failed ({2}); backends kept, marked stale,"
            + " retry in {3}", new Object[] {cluster.name(), feed.id(), why, retry});
        synchronized (lock) {
          unlisted.add(feed.id());
          publish();
        }
        if (!pause(retry)) {
          return;
        }
        retry = retry.multipliedBy(2).compareTo(maxRetry) > 0 ? maxRetry : retry.multipliedBy(2);
        continue;
      }
      try {
        Instant relistAt = clock.instant().plus(cluster.resync());
        while (running && clock.instant().isBefore(relistAt)) {
          int seconds = (int) Math.max(1, Duration.between(clock.instant(), relistAt).toSeconds());
          long began = System.nanoTime();
          rv = watch(feed, rv, seconds);
          // A watch the server (or a proxy) ends at once would otherwise be reopened in a tight loop.
          if (Duration.ofNanos(System.nanoTime() - began).compareTo(minRetry) < 0 && !pause(minRetry)) {
            return;
          }
        }
      } catch (RelistNeeded e) {
        LOG.fine(() -> cluster.name() + " " + feed.id() + ": " + e.getMessage() + "; listing again");
      } catch (ApiException | IOException | RuntimeException e) {
        // A broken watch is followed by a relist; only a failing list makes the snapshot stale.
        LOG.fine(() -> cluster.name() + " " + feed.id() + ": watch ended with " + e + "; listing again");
        if (!running || !pause(minRetry)) {
          return;
        }
      }
    }
  }

  /** An optional kind the API server does not serve: nothing of it here, and nothing stale; looked for again at resync. */
  private void absent(Feed<?> feed) {
    synchronized (lock) {
      boolean first = unlisted.contains(feed.id()) || !feed.store().isEmpty();
      feed.store().values().removeIf(o -> feed.scope().isEmpty() || feed.scope().equals(o.getMetadata()
          .getNamespace()));
      unlisted.remove(feed.id());
      publish();
      if (first) {
        LOG.info(() -> "Kubernetes cluster " + cluster.name() + " does not serve " + feed.kind() + " ("
            + GatewayResource.GROUP + "/" + GatewayResource.VERSION + " not installed); looking again every "
            + cluster.resync());
      }
    }
  }

  private static boolean pause(Duration d) {
    try {
      Thread.sleep(d);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  /** Lists the feed's scope, replaces what it knew there, and returns the list's resourceVersion. */
  private <T extends KubernetesObject> String list(Feed<T> feed) throws ApiException {
    Call call = feed.list().call();
    call.timeout().timeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS);
    KubernetesListObject list = this.<KubernetesListObject>execute(call, feed.listType());
    synchronized (lock) {
      feed.store().values().removeIf(o -> feed.scope().isEmpty() || feed.scope().equals(o.getMetadata()
          .getNamespace()));
      for (KubernetesObject o : list.getItems()) {
        @SuppressWarnings("unchecked")
        T item = (T) o;
        feed.store().put(key(item), item);
      }
      unlisted.remove(feed.id());
      publish();
    }
    return list.getMetadata() == null ? null : list.getMetadata().getResourceVersion();
  }

  private <R> R execute(Call call, Type type) throws ApiException {
    track(call, true);
    try {
      return client.<R>execute(call, type).getData();
    } finally {
      track(call, false);
    }
  }

  /** Applies the watch's events until it ends; returns the last resourceVersion seen. */
  private <T extends KubernetesObject> String watch(Feed<T> feed, String rv, int seconds)
      throws ApiException, IOException, RelistNeeded {
    Call call = feed.watch().call(rv, seconds);
    track(call, true);
    try (Watch<T> w = Watch.createWatch(client, call, feed.watchType())) {
      for (Watch.Response<T> event : w) {
        if ("ERROR".equals(event.type)) {
          throw new RelistNeeded(event.status == null ? "watch error" : "watch error " + event.status.getCode()
              + " " + event.status.getReason());
        }
        if (event.object == null || event.object.getMetadata() == null) {
          continue;
        }
        String next = event.object.getMetadata().getResourceVersion();
        rv = next == null ? rv : next;
        if ("BOOKMARK".equals(event.type)) {
          continue;
        }
        synchronized (lock) {
          if ("DELETED".equals(event.type)) {
            feed.store().remove(key(event.object));
          } else {
            feed.store().put(key(event.object), event.object);
          }
          publish();
        }
      }
      return rv;
    } finally {
      track(call, false);
    }
  }

  private void track(Call call, boolean add) {
    synchronized (lock) {
      if (add) {
        open.add(call);
        if (!running) {
          call.cancel();
        }
      } else {
        open.remove(call);
      }
    }
  }

  private static String key(KubernetesObject o) {
    return o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  /** Rebuilds the snapshot from the stores; tells the listener if it changed. Holds the lock. */
  private void publish() {
    DiscoveredBackends next = new DiscoveredBackends(cluster.name(), backends(), !unlisted.isEmpty(),
        clock.instant());
    if (!next.sameAs(last)) {
      last = next;
      try {
        listener.accept(next);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "discovery listener failed for cluster " + cluster.name(), e);
      }
    }
  }

  private Map<String, List<DiscoveredBackend>> backends() {
    Set<String> ready = new HashSet<>();
    for (V1EndpointSlice s : slices.values()) {
      boolean anyReady = s.getEndpoints() != null && s.getEndpoints().stream()
          .anyMatch(e -> e.getConditions() == null || !Boolean.FALSE.equals(e.getConditions().getReady()));
      Map<String, String> labels = s.getMetadata().getLabels();
      if (anyReady && labels != null && labels.get(SLICE_SERVICE_LABEL) != null) {
        ready.add(s.getMetadata().getNamespace() + "/" + labels.get(SLICE_SERVICE_LABEL));
      }
    }
    List<DiscoveredBackend> found = new ArrayList<>();
    Map<DiscoveredBackend, String> serviceOf = new HashMap<>();
    for (V1Service s : services.values()) {
      if (s.getSpec() == null || !"LoadBalancer".equals(s.getSpec().getType())) {
        continue;
      }
      List<V1LoadBalancerIngress> lb = s.getStatus() == null || s.getStatus().getLoadBalancer() == null
          ? null : s.getStatus().getLoadBalancer().getIngress();
      Optional<String> address = lb == null ? Optional.empty()
          : lb.stream().map(i -> i.getIp() != null ? i.getIp() : i.getHostname()).filter(a -> a != null).findFirst();
      backend(s, Kind.SERVICE, address, ready.contains(key(s))).ifPresent(b -> {
        found.add(b);
        serviceOf.put(b, s.getMetadata().getLabels().get(SERVICE_LABEL));
      });
    }
    for (V1Ingress i : ingresses.values()) {
      List<V1IngressLoadBalancerIngress> lb = i.getStatus() == null || i.getStatus().getLoadBalancer() == null
          ? null : i.getStatus().getLoadBalancer().getIngress();
      Optional<String> address = lb == null ? Optional.empty()
          : lb.stream().map(x -> x.getIp() != null ? x.getIp() : x.getHostname()).filter(a -> a != null).findFirst();
      backend(i, Kind.INGRESS, address, true).ifPresent(b -> {
        found.add(b);
        serviceOf.put(b, i.getMetadata().getLabels().get(SERVICE_LABEL));
      });
    }
    for (GatewayResource gw : gateways.values()) {
      backend(gw, Kind.GATEWAY, gw.address(), gw.programmed()).ifPresent(b -> {
        found.add(b);
        serviceOf.put(b, gw.getMetadata().getLabels().get(SERVICE_LABEL));
      });
    }
    found.sort(Comparator.comparing((DiscoveredBackend b) -> b.name()).thenComparing(b -> b.source().toString()));
    Map<String, Map<String, DiscoveredBackend>> byService = new TreeMap<>();
    for (DiscoveredBackend b : found) {
      Map<String, DiscoveredBackend> named = byService.computeIfAbsent(serviceOf.get(b), k -> new LinkedHashMap<>());
      DiscoveredBackend first = named.get(b.name());
      if (first == null) {
        named.put(b.name(), b);
      } else {
        List<String> problems = new ArrayList<>(first.problems());
        problems.add("backend name also claimed by " + b.source() + ", which is ignored: give it another "
            + BACKEND_ANNOTATION);
        named.put(b.name(), new DiscoveredBackend(first.name(), first.source(), first.region(), first.jurisdiction(),
            first.address(), first.weight(), first.priority(), first.capacity(), first.ready(), problems));
      }
    }
    Map<String, List<DiscoveredBackend>> out = new LinkedHashMap<>();
    byService.forEach((service, named) -> out.put(service, List.copyOf(named.values())));
    return out;
  }

  private Optional<DiscoveredBackend> backend(KubernetesObject o, Kind kind, Optional<String> address,
      boolean ready) {
    Map<String, String> labels = o.getMetadata().getLabels();
    if (labels == null || labels.get(SERVICE_LABEL) == null || labels.get(SERVICE_LABEL).isBlank()
        || address.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> annotations = o.getMetadata().getAnnotations() == null ? Map.of()
        : o.getMetadata().getAnnotations();
    String ns = o.getMetadata().getNamespace();
    String name = o.getMetadata().getName();
    String backendName = Optional.ofNullable(annotations.get(BACKEND_ANNOTATION)).map(String::strip)
        .filter(s -> !s.isEmpty()).orElse(cluster.name() + "-" + ns + "-" + name);
    List<String> problems = new ArrayList<>();
    int weight = number(annotations, WEIGHT_ANNOTATION, DEFAULT_WEIGHT, 0, 1000, problems);
    int priority = number(annotations, PRIORITY_ANNOTATION, DEFAULT_PRIORITY, 1, 100, problems);
    int capacity = number(annotations, CAPACITY_ANNOTATION, DEFAULT_CAPACITY, 1, 1_000_000_000, problems);
    return Optional.of(new DiscoveredBackend(backendName, new Source(cluster.name(), kind, ns, name),
        cluster.region(), cluster.jurisdiction(), address.get(), weight, priority, capacity, ready, problems));
  }

  private static int number(Map<String, String> annotations, String key, int otherwise, int min, int max,
      List<String> problems) {
    String v = annotations.get(key);
    if (v == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(v.strip());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below, like a number out of range
    }
    problems.add(key + " '" + v + "' is not a whole number from " + min + " to " + max + "; " + otherwise
        + " is used");
    return otherwise;
  }
}
