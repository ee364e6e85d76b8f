package dev.tern.controlplane.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.kubernetes.client.common.KubernetesObject;
import io.kubernetes.client.openapi.JSON;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A Kubernetes API server for the discovery watch path, on loopback: it lists cluster-wide collections and streams
 * watch events as the real one does (chunked JSON lines, {@code ADDED}/{@code MODIFIED}/{@code DELETED}, resumed
 * from a resourceVersion, {@code ERROR} 410 when that version is no longer kept). It can be stopped, which drops
 * every open watch like a crashed API server, and started again on the same port with the same objects.
 *
 * <p>Collections are served cluster-wide and per namespace; label selectors of the form {@code key} (exists) are
 * honoured, which is all discovery sends.
 */
final class WatchingApiServer implements AutoCloseable {

  /** A collection the server serves: its path and the kind and apiVersion of its list. */
  record Resource(String path, String listKind, String apiVersion) {}

  static final Resource SERVICES = new Resource("/api/v1/services", "ServiceList", "v1");
  static final Resource INGRESSES = new Resource("/apis/networking.k8s.io/v1/ingresses", "IngressList",
      "networking.k8s.io/v1");
  static final Resource SLICES = new Resource("/apis/discovery.k8s.io/v1/endpointslices", "EndpointSliceList",
      "discovery.k8s.io/v1");
  /** A custom resource: served only after {@link #install(Resource)}, as when its CRD is installed. */
  static final Resource GATEWAYS = new Resource("/apis/gateway.networking.k8s.io/v1/gateways", "GatewayList",
      "gateway.networking.k8s.io/v1");

  private record Event(String path, String type, JsonObject object, long version) {}

  private final Object lock = new Object();
  private final List<Resource> served = new java.util.concurrent.CopyOnWriteArrayList<>(List.of(SERVICES, INGRESSES,
      SLICES));
  private final Map<String, Map<String, JsonObject>> objects = new HashMap<>();
  private final List<Event> history = new ArrayList<>();
  private long version = 100;
  /** Watches from before this version get 410 Gone. */
  private long oldestKept = 0;
  private int generation;
  private int port;
  private HttpServer server;
  private ExecutorService executor;

  WatchingApiServer() throws IOException {
    start();
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** Starts (again) on the same port, with the objects it had. */
  void start() throws IOException {
    executor = Executors.newVirtualThreadPerTaskExecutor();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
    port = server.getAddress().getPort();
    server.setExecutor(executor);
    server.createContext("/", this::route);
    synchronized (lock) {
      generation++;
    }
    server.start();
  }

  /** Stops listening and drops every open watch, as a crashed API server does. */
  void stop() {
    synchronized (lock) {
      generation++;
      lock.notifyAll();
    }
    server.stop(0);
    executor.shutdownNow();
  }

  @Override
  public void close() {
    stop();
  }

  /** Serves {@code r} from now on (a CRD installed); until then its paths answer 404. */
  void install(Resource r) {
    served.add(r);
  }

  /** Creates or replaces an object; watchers see ADDED or MODIFIED. */
  void put(Resource r, KubernetesObject o) {
    JsonObject json = JSON.getGson().toJsonTree(o).getAsJsonObject();
    String key = o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
    synchronized (lock) {
      Map<String, JsonObject> store = objects.computeIfAbsent(r.path(), k -> new LinkedHashMap<>());
      String type = store.containsKey(key) ? "MODIFIED" : "ADDED";
      long v = ++version;
      json.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(v));
      store.put(key, json);
      history.add(new Event(r.path(), type, json, v));
      lock.notifyAll();
    }
  }

  /** Deletes an object; watchers see DELETED. */
  void delete(Resource r, String namespace, String name) {
    synchronized (lock) {
      JsonObject gone = objects.getOrDefault(r.path(), Map.of()).get(namespace + "/" + name);
      if (gone == null) {
        return;
      }
      objects.get(r.path()).remove(namespace + "/" + name);
      long v = ++version;
      JsonObject copy = gone.deepCopy();
      copy.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(v));
      history.add(new Event(r.path(), "DELETED", copy, v));
      lock.notifyAll();
    }
  }

  /**
   * Forgets the event history (as etcd compaction does) and ends every open watch, so watchers come back with a
   * version that is now too old and get 410 Gone. Changes made with {@code silently} after this are never streamed.
   */
  void compact() {
    synchronized (lock) {
      history.clear();
      oldestKept = version + 1;
      generation++;
      lock.notifyAll();
    }
  }

  /** Changes an object without any watch event (it only shows in a list), for the 410 path. */
  void putSilently(Resource r, KubernetesObject o) {
    JsonObject json = JSON.getGson().toJsonTree(o).getAsJsonObject();
    synchronized (lock) {
      json.getAsJsonObject("metadata").addProperty("resourceVersion", Long.toString(++version));
      oldestKept = version + 1;
      objects.computeIfAbsent(r.path(), k -> new LinkedHashMap<>())
          .put(o.getMetadata().getNamespace() + "/" + o.getMetadata().getName(), json);
    }
  }

  /** {@code /api/v1/services} or {@code /api/v1/namespaces/shop/services}, and the same for the other groups. */
  private void route(HttpExchange x) throws IOException {
    try (x) {
      String path = x.getRequestURI().getPath();
      for (Resource r : served) {
        int cut = r.path().lastIndexOf('/');
        String prefix = r.path().substring(0, cut) + "/namespaces/";
        String plural = r.path().substring(cut);
        String namespace = null;
        if (path.startsWith(prefix) && path.endsWith(plural)) {
          namespace = path.substring(prefix.length(), path.length() - plural.length());
        } else if (!path.equals(r.path())) {
          continue;
        }
        if (!"GET".equals(x.getRequestMethod())) {
          break;
        }
        Map<String, String> query = query(x.getRequestURI().getRawQuery());
        Scope scope = new Scope(query.getOrDefault("labelSelector", ""), namespace);
        if ("true".equals(query.get("watch"))) {
          watch(r, x, scope, Long.parseLong(query.getOrDefault("resourceVersion", "0")),
              Long.parseLong(query.getOrDefault("timeoutSeconds", "60")));
        } else {
          list(r, x, scope);
        }
        return;
      }
      x.sendResponseHeaders(404, -1);
    }
  }

  /** What a request asks for: a label that must exist (or none), and a namespace (or all). */
  private record Scope(String selector, String namespace) {
    boolean matches(JsonObject o) {
      JsonObject meta = o.getAsJsonObject("metadata");
      if (namespace != null && (meta == null || !namespace.equals(meta.get("namespace").getAsString()))) {
        return false;
      }
      if (selector.isEmpty()) {
        return true;
      }
      JsonObject labels = meta == null ? null : meta.getAsJsonObject("labels");
      return labels != null && labels.has(selector);
    }
  }

  private void list(Resource r, HttpExchange x, Scope scope) throws IOException {
    JsonObject list = new JsonObject();
    list.addProperty("kind", r.listKind());
    list.addProperty("apiVersion", r.apiVersion());
    JsonArray items = new JsonArray();
    synchronized (lock) {
      JsonObject meta = new JsonObject();
      meta.addProperty("resourceVersion", Long.toString(version));
      list.add("metadata", meta);
      objects.getOrDefault(r.path(), Map.of()).values().stream().filter(scope::matches)
          .forEach(items::add);
    }
    list.add("items", items);
    byte[] body = list.toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(200, body.length);
    x.getResponseBody().write(body);
  }

  private void watch(Resource r, HttpExchange x, Scope scope, long from, long timeoutSeconds)
      throws IOException {
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(200, 0);
    OutputStream out = x.getResponseBody();
    long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
    int sent = 0;
    int myGeneration;
    synchronized (lock) {
      myGeneration = generation;
      if (from < oldestKept - 1) {
        JsonObject status = new JsonObject();
        status.addProperty("kind", "Status");
        status.addProperty("apiVersion", "v1");
        status.addProperty("status", "Failure");
        status.addProperty("reason", "Expired");
        status.addProperty("message", "too old resource version: " + from);
        status.addProperty("code", 410);
        line(out, "ERROR", status);
        return;
      }
    }
    while (true) {
      List<Event> due = new ArrayList<>();
      synchronized (lock) {
        while (generation == myGeneration && sent == history.size() && System.nanoTime() < deadline) {
          try {
            lock.wait(50);
          } catch (InterruptedException e) {
            return;
          }
        }
        if (generation != myGeneration || System.nanoTime() >= deadline) {
          return;
        }
        for (; sent < history.size(); sent++) {
          Event e = history.get(sent);
          if (e.path().equals(r.path()) && e.version() > from && scope.matches(e.object())) {
            due.add(e);
          }
        }
      }
      for (Event e : due) {
        line(out, e.type(), e.object());
      }
    }
  }

  private static void line(OutputStream out, String type, JsonObject object) throws IOException {
    JsonObject event = new JsonObject();
    event.addProperty("type", type);
    event.add("object", object);
    out.write((event + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    if (raw == null) {
      return q;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }
}
