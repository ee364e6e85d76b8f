package dev.tern.controlplane.provider.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A wire-level stand-in for Azure Resource Manager's Traffic Manager API (api-version 2022-04-01)
 * on loopback: a real HTTP server that the real Azure SDK talks to, keeping profiles with their
 * embedded endpoints in memory, for any subscription and resource group.
 *
 * <p><b>What it accepts.</b> Only the documented shapes:
 * <ul>
 *   <li>{@code GET /subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.Network/trafficmanagerprofiles}
 *     (list, {@code {"value": [...]}}); {@code GET|PUT|PATCH|DELETE .../trafficmanagerprofiles/{name}};
 *     {@code GET|PUT|DELETE .../trafficmanagerprofiles/{name}/{type}/{endpoint}}, type one of
 *     {@code externalEndpoints}, {@code azureEndpoints}, {@code nestedEndpoints};
 *   <li>{@code api-version=2022-04-01} on every request; {@code Authorization: Bearer <token>};
 *     {@code Accept} naming {@code application/json}; {@code Content-Type: application/json} on PUT and PATCH;
 *   <li>profile bodies: {@code location: global} on create, only the documented properties
 *     ({@code profileStatus}, {@code trafficRoutingMethod}, {@code dnsConfig{relativeName,ttl}},
 *     {@code monitorConfig{protocol,port,...}} required on create, {@code endpoints[]}, ...), each of its type;
 *     relative DNS names unique across the fake (as in {@code trafficmanager.net});
 *   <li>endpoint bodies: only documented properties; {@code target} on external endpoints, a resource id in
 *     {@code targetResourceId} on Azure and nested ones (a nested one must name an existing profile);
 *     {@code weight} 1 to 1000; {@code endpointStatus} and {@code alwaysServe} {@code Enabled|Disabled};
 *     in a Geographic profile a non-empty {@code geoMapping} of known-shaped codes ({@code WORLD},
 *     {@code GEO-xx}, ISO countries, {@code US-CA}-style states), no code on two endpoints of one profile;
 *     none elsewhere; at most 200 endpoints per profile.
 * </ul>
 * Anything else gets Azure's error shape ({@code {"error":{"code","message"}}}, 400/401/404/409) and is
 * recorded in {@link #rejected()}, which tests assert stays empty.
 *
 * <p><b>Answers</b> are the documented JSON: {@code id}, {@code name}, {@code type}, {@code location},
 * {@code tags}, {@code properties.{profileStatus, trafficRoutingMethod, dnsConfig{relativeName, ttl, fqdn},
 * monitorConfig, endpoints[{id, name, type, properties}]}}; 201 on create, 200 on update, delete
 * {@code {"boolean": true}} (204 when there was nothing).
 *
 * <p><b>Hooks.</b> {@link #failNext(int, int)} answers the next requests with an error (429 with
 * {@code Retry-After}, 5xx, or a 4xx refusal); {@link #edit} changes a stored profile by hand (drift);
 * {@link #addProfile} puts a profile there as someone else would.
 *
 * <p><b>Pointing an account at it</b> ({@code tern.providers.azure-traffic-manager[]}):
 * {@code endpoint: <uri()>}, {@code access-token: <any non-blank text>}, {@code subscription-id} and
 * {@code resource-group} (any), {@code tenant-id} (optional), plus {@code name} and {@code services}.
 *
 * <p><b>Threading.</b> Requests are handled one at a time; the inspection methods are safe from any thread.
 */
public final class FakeTrafficManager implements AutoCloseable {

  public static final String API_VERSION = "2022-04-01";
  static final int MAX_ENDPOINTS = 200;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BASE = "(?i)/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/Microsoft\\.Network"
      + "/trafficmanagerprofiles";
  private static final Pattern LIST = Pattern.compile(BASE);
  private static final Pattern PROFILE = Pattern.compile(BASE + "/([^/]+)");
  private static final Pattern ENDPOINT = Pattern.compile(BASE + "/([^/]+)/([^/]+)/([^/]+)");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9-]{0,62}");
  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern GEO =
      Pattern.compile("WORLD|GEO-(EU|ME|NA|AS|AF|AN|SA|AP)|[A-Z]{2}|[A-Z]{2}-[A-Z]{2,3}");
  private static final Set<String> ROUTING = Set.of("Performance", "Priority", "Weighted", "Geographic", "MultiValue",
      "Subnet");
  private static final Set<String> PROFILE_KEYS = Set.of("id", "name", "type", "location", "tags", "properties");
  private static final Set<String> PROFILE_PROPERTIES = Set.of("profileStatus", "trafficRoutingMethod", "dnsConfig",
      "monitorConfig", "endpoints", "trafficViewEnrollmentStatus", "allowedEndpointRecordTypes", "maxReturn");
  private static final Set<String> ENDPOINT_KEYS = Set.of("id", "name", "type", "properties");
  private static final Set<String> ENDPOINT_PROPERTIES = Set.of("targetResourceId", "target", "endpointStatus",
      "weight", "priority", "endpointLocation", "endpointMonitorStatus", "minChildEndpoints", "minChildEndpointsIPv4",
      "minChildEndpointsIPv6", "geoMapping", "subnets", "customHeaders", "alwaysServe");
  private static final Map<String, String> ENDPOINT_TYPES = Map.of("externalendpoints", "externalEndpoints",
      "azureendpoints", "azureEndpoints", "nestedendpoints", "nestedEndpoints");

  private final HttpServer server;
  /** Profiles by lowercase {@code sub/rg/name}. */
  private final Map<String, ObjectNode> profiles = new LinkedHashMap<>();
  private final List<String> rejected = new ArrayList<>();
  private final List<String> log = new ArrayList<>();
  private int failStatus;
  private int failCount;

  /** A request Azure would refuse: answered with {@code status} and recorded. */
  private static final class Refused extends RuntimeException {
    final int status;
    final String code;

    Refused(int status, String code, String message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  private FakeTrafficManager(HttpServer server) {
    this.server = server;
  }

  /** Starts a fake on 127.0.0.1, on a free port. */
  public static FakeTrafficManager start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      FakeTrafficManager fake = new FakeTrafficManager(server);
      server.createContext("/", fake::handle);
      server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The base URL to give an account's {@code endpoint}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  /** Requests that did not match the documented API, with the reason; empty when the client behaved. */
  public synchronized List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** How many requests arrived (including injected failures and rejections). */
  public synchronized int requests() {
    return log.size();
  }

  /** Every request so far, as {@code METHOD path -> status}. */
  public synchronized List<String> requestLog() {
    return List.copyOf(log);
  }

  /** Answers the next {@code count} requests with {@code status} (429 carries {@code Retry-After: 1}). */
  public synchronized void failNext(int status, int count) {
    this.failStatus = status;
    this.failCount = count;
  }

  /** The names of the profiles in a resource group. */
  public synchronized Set<String> profileNames(String subscription, String resourceGroup) {
    String prefix = (subscription + "/" + resourceGroup + "/").toLowerCase(Locale.ROOT);
    Set<String> out = new TreeSet<>();
    profiles.forEach((k, v) -> {
      if (k.startsWith(prefix)) {
        out.add(v.get("name").asText());
      }
    });
    return out;
  }

  /** A stored profile as Azure would return it (a copy). */
  public synchronized Optional<JsonNode> profile(String subscription, String resourceGroup, String name) {
    return Optional.ofNullable(profiles.get(key(subscription, resourceGroup, name))).map(JsonNode::deepCopy);
  }

  /** Changes a stored profile by hand, as someone in the portal would (no validation). */
  public synchronized void edit(String subscription, String resourceGroup, String name, Consumer<ObjectNode> edit) {
    ObjectNode p = profiles.get(key(subscription, resourceGroup, name));
    if (p == null) {
      throw new IllegalArgumentException("no profile " + name);
    }
    edit.accept(p);
  }

  /** Puts a Weighted profile with {@code tags} and no endpoints there, as someone else would. */
  public synchronized void addProfile(String subscription, String resourceGroup, String name, Map<String, String> tags,
      String relativeName) {
    ObjectNode p = JSON.createObjectNode();
    p.put("id", id(subscription, resourceGroup, name));
    p.put("name", name);
    p.put("type", "Microsoft.Network/trafficManagerProfiles");
    p.put("location", "global");
    ObjectNode t = p.putObject("tags");
    tags.forEach(t::put);
    ObjectNode props = p.putObject("properties");
    props.put("profileStatus", "Enabled");
    props.put("trafficRoutingMethod", "Weighted");
    ObjectNode dns = props.putObject("dnsConfig");
    dns.put("relativeName", relativeName);
    dns.put("fqdn", relativeName + ".trafficmanager.net");
    dns.put("ttl", 60);
    props.putObject("monitorConfig").put("protocol", "HTTPS").put("port", 443).put("path", "/");
    props.putArray("endpoints");
    profiles.put(key(subscription, resourceGroup, name), p);
  }

  private void handle(HttpExchange x) throws IOException {
    byte[] body = x.getRequestBody().readAllBytes();
    String method = x.getRequestMethod();
    String path = x.getRequestURI().getRawPath();
    int status;
    String response;
    Map<String, String> headers = new HashMap<>();
    synchronized (this) {
      try {
        check(x);
        if (failCount > 0) {
          failCount--;
          throw new Refused(failStatus, switch (failStatus) {
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            case 403 -> "AuthorizationFailed";
            case 404 -> "ResourceNotFound";
            default -> failStatus >= 500 ? "InternalServerError" : "BadRequest";
          }, "injected failure");
        }
        Answer a = route(method, path, body.length == 0 ? null : parse(body));
        status = a.status;
        response = a.body == null ? "" : JSON.writeValueAsString(a.body);
      } catch (Refused r) {
        status = r.status;
        if (!"injected failure".equals(r.getMessage())) {
          rejected.add(method + " " + path + ": " + r.status + " " + r.code + " " + r.getMessage());
        }
        if (status == 429) {
          headers.put("Retry-After", "1");
        }
        ObjectNode error = JSON.createObjectNode();
        error.putObject("error").put("code", r.code).put("message", r.getMessage());
        response = JSON.writeValueAsString(error);
      }
      log.add(method + " " + path + " -> " + status);
    }
    headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
    x.getResponseHeaders().add("x-ms-request-id", java.util.UUID.randomUUID().toString());
    byte[] out = response.getBytes(StandardCharsets.UTF_8);
    if (out.length > 0) {
      x.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
    }
    x.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
    if (out.length > 0) {
      x.getResponseBody().write(out);
    }
    x.close();
  }

  private record Answer(int status, JsonNode body) {}

  private static void check(HttpExchange x) {
    String query = Optional.ofNullable(x.getRequestURI().getRawQuery()).orElse("");
    Map<String, String> params = new HashMap<>();
    for (String kv : query.split("&")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        params.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    if (!API_VERSION.equals(params.get("api-version"))) {
      throw new Refused(400, "InvalidApiVersionParameter", "api-version must be " + API_VERSION + ", was "
          + params.get("api-version"));
    }
    String auth = x.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.startsWith("Bearer ") || auth.length() <= "Bearer ".length()) {
      throw new Refused(401, "AuthenticationFailed", "Authorization: Bearer <token> is required");
    }
    String accept = x.getRequestHeaders().getFirst("Accept");
    if (accept == null || !accept.contains("application/json")) {
      throw new Refused(400, "BadRequest", "Accept must name application/json, was " + accept);
    }
    String method = x.getRequestMethod();
    if (method.equals("PUT") || method.equals("PATCH")) {
      String type = x.getRequestHeaders().getFirst("Content-Type");
      if (type == null || !type.startsWith("application/json")) {
        throw new Refused(415, "UnsupportedMediaType", "Content-Type must be application/json, was " + type);
      }
    }
  }

  private static JsonNode parse(byte[] body) {
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new Refused(400, "InvalidRequestContent", "the body is not JSON: " + e.getMessage());
    }
  }

  private Answer route(String method, String path, JsonNode body) {
    Matcher m = ENDPOINT.matcher(path);
    if (m.matches()) {
      return endpoint(method, m.group(1), m.group(2), m.group(3), m.group(4), m.group(5), body);
    }
    m = PROFILE.matcher(path);
    if (m.matches()) {
      return profile(method, m.group(1), m.group(2), m.group(3), body);
    }
    m = LIST.matcher(path);
    if (m.matches() && method.equals("GET")) {
      String prefix = (m.group(1) + "/" + m.group(2) + "/").toLowerCase(Locale.ROOT);
      ObjectNode out = JSON.createObjectNode();
      ArrayNode value = out.putArray("value");
      profiles.forEach((k, v) -> {
        if (k.startsWith(prefix)) {
          value.add(v.deepCopy());
        }
      });
      return new Answer(200, out);
    }
    throw new Refused(404, "NotFound", "no such API: " + method + " " + path);
  }

  private Answer profile(String method, String sub, String rg, String name, JsonNode body) {
    String key = key(sub, rg, name);
    ObjectNode existing = profiles.get(key);
    switch (method) {
      case "GET" -> {
        if (existing == null) {
          throw new Refused(404, "ResourceNotFound", "profile " + name + " not found");
        }
        return new Answer(200, existing);
      }
      case "DELETE" -> {
        if (existing == null) {
          return new Answer(204, null);
        }
        profiles.remove(key);
        return new Answer(200, JSON.createObjectNode().put("boolean", true));
      }
      case "PUT" -> {
        if (!NAME.matcher(name).matches()) {
          throw new Refused(400, "BadRequest", "profile name " + name + " is not 1-63 letters, digits and hyphens");
        }
        ObjectNode in = object(body, "body");
        keys(in, PROFILE_KEYS, "profile");
        if (!"global".equalsIgnoreCase(text(in, "location", "location"))) {
          throw new Refused(400, "LocationNotAvailableForResourceType",
              "a Traffic Manager profile's location is global");
        }
        ObjectNode props = object(in.get("properties"), "properties");
        ObjectNode monitor = object(props.get("monitorConfig"), "properties.monitorConfig");
        if (!Set.of("HTTP", "HTTPS", "TCP").contains(text(monitor, "protocol", "monitorConfig.protocol"))) {
          throw new Refused(400, "BadRequest", "monitorConfig.protocol is HTTP, HTTPS or TCP");
        }
        long port = integer(monitor, "port", "monitorConfig.port");
        if (port < 1 || port > 65535) {
          throw new Refused(400, "BadRequest", "monitorConfig.port is 1 to 65535");
        }
        ObjectNode stored = store(sub, rg, name, in, existing);
        profiles.put(key, stored);
        return new Answer(existing == null ? 201 : 200, stored);
      }
      case "PATCH" -> {
        if (existing == null) {
          throw new Refused(404, "ResourceNotFound", "profile " + name + " not found");
        }
        ObjectNode in = object(body, "body");
        keys(in, PROFILE_KEYS, "profile");
        ObjectNode merged = existing.deepCopy();
        if (in.has("tags")) {
          merged.set("tags", in.get("tags"));
        }
        if (in.has("properties")) {
          ObjectNode props = object(in.get("properties"), "properties");
          ObjectNode to = (ObjectNode) merged.get("properties");
          Iterator<Map.Entry<String, JsonNode>> it = props.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> f = it.next();
            if (f.getValue().isObject() && to.has(f.getKey()) && to.get(f.getKey()).isObject()) {
              ((ObjectNode) to.get(f.getKey())).setAll((ObjectNode) f.getValue());
            } else {
              to.set(f.getKey(), f.getValue());
            }
          }
        }
        ObjectNode stored = store(sub, rg, name, merged, existing);
        profiles.put(key, stored);
        return new Answer(200, stored);
      }
      default -> throw new Refused(405, "MethodNotAllowed", method + " on a profile");
    }
  }

  /** Validates a whole profile and gives it as Azure stores it. */
  private ObjectNode store(String sub, String rg, String name, ObjectNode in, ObjectNode existing) {
    ObjectNode props = object(in.get("properties"), "properties");
    keys(props, PROFILE_PROPERTIES, "properties");
    String routing = text(props, "trafficRoutingMethod", "properties.trafficRoutingMethod");
    if (!ROUTING.contains(routing)) {
      throw new Refused(400, "BadRequest", "trafficRoutingMethod " + routing + " is not one of " + ROUTING);
    }
    String status = props.has("profileStatus") ? status(props, "profileStatus") : "Enabled";
    ObjectNode dns = object(props.get("dnsConfig"), "properties.dnsConfig");
    String relative = text(dns, "relativeName", "dnsConfig.relativeName");
    if (!LABEL.matcher(relative).matches()) {
      throw new Refused(400, "BadRequest", "dnsConfig.relativeName " + relative + " is not a DNS label");
    }
    if (existing != null && !relative.equals(existing.at("/properties/dnsConfig/relativeName").asText())) {
      throw new Refused(400, "BadRequest", "dnsConfig.relativeName cannot be changed");
    }
    String mine = key(sub, rg, name);
    profiles.forEach((k, v) -> {
      if (!k.equals(mine) && relative.equalsIgnoreCase(v.at("/properties/dnsConfig/relativeName").asText())) {
        throw new Refused(409, "Conflict", "the relative DNS name " + relative + " is taken");
      }
    });
    long ttl = dns.has("ttl") ? integer(dns, "ttl", "dnsConfig.ttl") : 60;
    if (ttl < 0 || ttl > 2147483647L) {
      throw new Refused(400, "BadRequest", "dnsConfig.ttl is 0 to 2147483647");
    }
    Map<String, String> tags = new LinkedHashMap<>();
    if (in.has("tags") && !in.get("tags").isNull()) {
      ObjectNode t = object(in.get("tags"), "tags");
      t.fields().forEachRemaining(f -> {
        if (!f.getValue().isTextual()) {
          throw new Refused(400, "InvalidTagValue", "tag " + f.getKey() + " is not a string");
        }
        tags.put(f.getKey(), f.getValue().asText());
      });
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("id", id(sub, rg, name));
    out.put("name", name);
    out.put("type", "Microsoft.Network/trafficManagerProfiles");
    out.put("location", "global");
    ObjectNode t = out.putObject("tags");
    tags.forEach(t::put);
    ObjectNode p = out.putObject("properties");
    p.put("profileStatus", status);
    p.put("trafficRoutingMethod", routing);
    p.putObject("dnsConfig").put("relativeName", relative).put("fqdn", relative + ".trafficmanager.net")
        .put("ttl", ttl);
    ObjectNode monitor = props.has("monitorConfig") ? object(props.get("monitorConfig"), "monitorConfig").deepCopy()
        : existing == null ? JSON.createObjectNode() : (ObjectNode) existing.at("/properties/monitorConfig").deepCopy();
    monitor.put("profileMonitorStatus", status.equals("Enabled") ? "Online" : "Disabled");
    p.set("monitorConfig", monitor);
    ArrayNode endpoints = p.putArray("endpoints");
    JsonNode given = props.has("endpoints") ? props.get("endpoints")
        : existing == null ? JSON.createArrayNode() : existing.at("/properties/endpoints");
    if (!given.isArray()) {
      throw new Refused(400, "BadRequest", "properties.endpoints is an array");
    }
    if (given.size() > MAX_ENDPOINTS) {
      throw new Refused(400, "BadRequest", "a profile has at most " + MAX_ENDPOINTS + " endpoints");
    }
    Set<String> names = new HashSet<>();
    for (JsonNode e : given) {
      ObjectNode eo = object(e, "endpoint");
      keys(eo, ENDPOINT_KEYS, "endpoint");
      String en = text(eo, "name", "endpoints[].name");
      if (!names.add(en.toLowerCase(Locale.ROOT))) {
        throw new Refused(400, "BadRequest", "two endpoints named " + en);
      }
      String type = text(eo, "type", "endpoints[].type");
      if (!type.regionMatches(true, 0, "Microsoft.Network/trafficManagerProfiles/", 0, 41)) {
        throw new Refused(400, "BadRequest", "endpoint type " + type + " is not a Traffic Manager endpoint type");
      }
      endpoints.add(endpointJson(sub, rg, name, pathType(type.substring(41)), en,
          object(eo.get("properties"), "endpoints[].properties"), routing));
    }
    checkGeo(routing, endpoints);
    return out;
  }

  private Answer endpoint(String method, String sub, String rg, String name, String type, String endpointName,
      JsonNode body) {
    ObjectNode profile = profiles.get(key(sub, rg, name));
    if (profile == null) {
      throw new Refused(404, "ResourceNotFound", "profile " + name + " not found");
    }
    String pathType = pathType(type);
    ArrayNode endpoints = (ArrayNode) profile.at("/properties/endpoints");
    int at = -1;
    for (int i = 0; i < endpoints.size(); i++) {
      if (endpoints.get(i).get("name").asText().equalsIgnoreCase(endpointName)) {
        at = i;
      }
    }
    switch (method) {
      case "GET" -> {
        if (at < 0) {
          throw new Refused(404, "ResourceNotFound", "endpoint " + endpointName + " not found");
        }
        return new Answer(200, endpoints.get(at));
      }
      case "DELETE" -> {
        if (at < 0) {
          return new Answer(204, null);
        }
        endpoints.remove(at);
        return new Answer(200, JSON.createObjectNode().put("boolean", true));
      }
      case "PUT" -> {
        ObjectNode in = object(body, "body");
        keys(in, ENDPOINT_KEYS, "endpoint");
        if (in.has("name") && !in.get("name").asText().equals(endpointName)) {
          throw new Refused(400, "BadRequest", "the body's name differs from the path's");
        }
        if (in.has("type") && !in.get("type").asText().toLowerCase(Locale.ROOT).endsWith("/"
            + pathType.toLowerCase(Locale.ROOT))) {
          throw new Refused(400, "BadRequest", "the body's type differs from the path's");
        }
        String routing = profile.at("/properties/trafficRoutingMethod").asText();
        ObjectNode e = endpointJson(sub, rg, name, pathType, endpointName, object(in.get("properties"), "properties"),
            routing);
        ArrayNode next = endpoints.deepCopy();
        if (at >= 0) {
          if (!next.get(at).get("type").asText().toLowerCase(Locale.ROOT).endsWith("/"
              + pathType.toLowerCase(Locale.ROOT))) {
            throw new Refused(409, "Conflict", "endpoint " + endpointName + " exists with another type");
          }
          next.set(at, e);
        } else {
          if (next.size() >= MAX_ENDPOINTS) {
            throw new Refused(400, "BadRequest", "a profile has at most " + MAX_ENDPOINTS + " endpoints");
          }
          next.add(e);
        }
        checkGeo(routing, next);
        ((ObjectNode) profile.get("properties")).set("endpoints", next);
        return new Answer(at >= 0 ? 200 : 201, e);
      }
      default -> throw new Refused(405, "MethodNotAllowed", method + " on an endpoint");
    }
  }

  private ObjectNode endpointJson(String sub, String rg, String profile, String pathType, String name,
      ObjectNode props, String routing) {
    keys(props, ENDPOINT_PROPERTIES, "endpoint properties");
    if (!NAME.matcher(name).matches()) {
      throw new Refused(400, "BadRequest", "endpoint name " + name + " is not 1-63 letters, digits and hyphens");
    }
    ObjectNode p = JSON.createObjectNode();
    switch (pathType) {
      case "externalEndpoints" -> {
        p.put("target", text(props, "target", "properties.target"));
        if (props.has("targetResourceId")) {
          throw new Refused(400, "BadRequest", "an external endpoint has a target, not a targetResourceId");
        }
      }
      case "azureEndpoints", "nestedEndpoints" -> {
        String id = text(props, "targetResourceId", "properties.targetResourceId");
        if (!id.toLowerCase(Locale.ROOT).startsWith("/subscriptions/")) {
          throw new Refused(400, "BadRequest", "targetResourceId " + id + " is not a resource id");
        }
        if (pathType.equals("nestedEndpoints") && profiles.values().stream()
            .noneMatch(q -> q.get("id").asText().equalsIgnoreCase(id))) {
          throw new Refused(400, "BadRequest", "nested profile " + id + " does not exist");
        }
        if (props.has("target")) {
          throw new Refused(400, "BadRequest", "an " + pathType + " endpoint has a targetResourceId, not a target");
        }
        p.put("targetResourceId", id);
        if (pathType.equals("nestedEndpoints")) {
          p.put("minChildEndpoints", props.has("minChildEndpoints")
              ? integer(props, "minChildEndpoints", "minChildEndpoints") : 1);
        }
      }
      default -> throw new Refused(400, "BadRequest", "endpoint type " + pathType);
    }
    p.put("endpointStatus", props.has("endpointStatus") ? status(props, "endpointStatus") : "Enabled");
    p.put("alwaysServe", props.has("alwaysServe") ? status(props, "alwaysServe") : "Disabled");
    long weight = props.has("weight") ? integer(props, "weight", "properties.weight") : 1;
    if (weight < 1 || weight > 1000) {
      throw new Refused(400, "BadRequest", "weight is 1 to 1000, was " + weight);
    }
    p.put("weight", weight);
    if (props.has("priority")) {
      p.put("priority", integer(props, "priority", "properties.priority"));
    }
    p.put("endpointMonitorStatus",
        p.get("alwaysServe").asText().equals("Enabled") ? "Unmonitored" : "CheckingEndpoint");
    if (props.has("geoMapping") && !props.get("geoMapping").isNull()) {
      JsonNode geo = props.get("geoMapping");
      if (!geo.isArray()) {
        throw new Refused(400, "BadRequest", "geoMapping is an array of codes");
      }
      ArrayNode codes = p.putArray("geoMapping");
      for (JsonNode c : geo) {
        if (!c.isTextual() || !GEO.matcher(c.asText()).matches()) {
          throw new Refused(400, "BadRequest", "geoMapping code " + c + " is not a geographic code");
        }
        codes.add(c.asText());
      }
    }
    if (routing.equals("Geographic") && (!p.has("geoMapping") || p.get("geoMapping").isEmpty())) {
      throw new Refused(400, "BadRequest", "an endpoint of a Geographic profile needs a geoMapping");
    }
    if (!routing.equals("Geographic") && p.has("geoMapping") && !p.get("geoMapping").isEmpty()) {
      throw new Refused(400, "BadRequest", "geoMapping is only for Geographic profiles");
    }
    ObjectNode out = JSON.createObjectNode();
    out.put("id", id(sub, rg, profile) + "/" + pathType + "/" + name);
    out.put("name", name);
    out.put("type", "Microsoft.Network/trafficManagerProfiles/" + pathType);
    out.set("properties", p);
    return out;
  }

  private static void checkGeo(String routing, ArrayNode endpoints) {
    if (!routing.equals("Geographic")) {
      return;
    }
    Map<String, String> owner = new HashMap<>();
    for (JsonNode e : endpoints) {
      for (JsonNode c : e.at("/properties/geoMapping")) {
        String before = owner.put(c.asText(), e.get("name").asText());
        if (before != null) {
          throw new Refused(400, "BadRequest", "geographic code " + c.asText() + " is mapped to both " + before
              + " and " + e.get("name").asText());
        }
      }
    }
  }

  private static String pathType(String type) {
    String t = ENDPOINT_TYPES.get(type.toLowerCase(Locale.ROOT));
    if (t == null) {
      throw new Refused(400, "BadRequest", "endpoint type " + type + " is not externalEndpoints, azureEndpoints or"
          + " nestedEndpoints");
    }
    return t;
  }

  private static ObjectNode object(JsonNode n, String what) {
    if (n == null || !n.isObject()) {
      throw new Refused(400, "BadRequest", what + " is required and is an object");
    }
    return (ObjectNode) n;
  }

  private static String text(JsonNode n, String field, String what) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new Refused(400, "BadRequest", what + " is required and is a string");
    }
    return v.asText();
  }

  private static long integer(JsonNode n, String field, String what) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber()) {
      throw new Refused(400, "BadRequest", what + " is an integer");
    }
    return v.asLong();
  }

  private static String status(JsonNode n, String field) {
    String s = text(n, field, field);
    if (!s.equals("Enabled") && !s.equals("Disabled")) {
      throw new Refused(400, "BadRequest", field + " is Enabled or Disabled, was " + s);
    }
    return s;
  }

  private static void keys(JsonNode n, Set<String> allowed, String what) {
    n.fieldNames().forEachRemaining(f -> {
      if (!allowed.contains(f)) {
        throw new Refused(400, "BadRequest", what + " has an unknown property " + f);
      }
    });
  }

  private static String key(String sub, String rg, String name) {
    return (sub + "/" + rg + "/" + name).toLowerCase(Locale.ROOT);
  }

  private static String id(String sub, String rg, String name) {
    return "/subscriptions/" + sub + "/resourceGroups/" + rg + "/providers/Microsoft.Network/trafficManagerProfiles/"
        + name;
  }
}
