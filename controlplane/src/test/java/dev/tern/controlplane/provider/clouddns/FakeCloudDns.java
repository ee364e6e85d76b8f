package dev.tern.controlplane.provider.clouddns;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Google Cloud DNS v1 on loopback, speaking its REST JSON wire protocol so that the real generated
 * client ({@code google-api-services-dns}) is exercised: record sets listed page by page, changes
 * submitted and followed, kept in memory. It accepts only the documented request shapes; anything
 * else is answered with an error <em>and</em> recorded in {@link #rejected()}, which tests assert
 * stays empty.
 *
 * <p>Point a {@code tern.providers.cloud-dns[]} entry at it with:
 *
 * <pre>
 *   name: cloud-dns-test
 *   project: {@link #PROJECT}            # tern-test
 *   managed-zone: {@link #ZONE}          # gslb
 *   endpoint: fake.uri()                 # http://127.0.0.1:PORT/
 *   access-token: {@link #ACCESS_TOKEN}  # the only bearer token it accepts
 *   services: [shop]
 * </pre>
 *
 * The zone's DNS name is {@link #DNS_NAME} ({@code gslb.example.com.}); more zones with
 * {@link #addZone(String, String, String)}.
 *
 * <p>What it checks, as Cloud DNS does:
 *
 * <ul>
 *   <li>paths {@code /dns/v1/projects/{p}/managedZones/{z}/rrsets} (GET), {@code .../changes} (POST),
 *       {@code .../changes/{id}} (GET); only the documented query parameters ({@code pageToken},
 *       {@code maxResults}, {@code name}, {@code type} on the list); an unknown project or zone is 404;
 *   <li>{@code Authorization: Bearer} with {@link #ACCESS_TOKEN} (else 401); a POST's
 *       {@code Content-Type: application/json} (gzip-encoded bodies are read, as the client sends them);
 *   <li>a change's fields and their JSON types: {@code kind} = {@code dns#change}, {@code additions} and
 *       {@code deletions} arrays of record sets; a record set's {@code name} (fully qualified, with the
 *       trailing dot, inside the zone), {@code type}, {@code ttl} (integer), either {@code rrdatas} (strings)
 *       or {@code routingPolicy} with exactly one of {@code geo} ({@code items[].location} a Google Cloud
 *       region, {@code items[].rrdatas}, {@code enableFencing} boolean) and {@code wrr}
 *       ({@code items[].weight} a non-negative number, {@code items[].rrdatas}); {@code kind} fields, if
 *       sent, must be the documented ones; unknown fields are refused;
 *   <li>data by type: A an IPv4 address, AAAA an IPv6 address, CNAME one fully qualified name, not at
 *       the zone apex and never beside another type at its name;
 *   <li>a change is atomic: every deletion must match the record set as it is (else 412
 *       {@code conditionNotMet}; missing: 404 {@code notFound}), an addition must not exist (409
 *       {@code alreadyExists}); nothing is applied unless all of it can be.
 * </ul>
 *
 * <p>{@link #failNext(int, int)} answers the next requests with an error instead (429 with
 * {@code Retry-After} and {@code rateLimitExceeded}, 5xx {@code backendError}, or any 4xx). A new
 * change is {@code pending} when submitted and at its first {@code changes.get}, then {@code done}.
 *
 * <p>Thread-safe: every request and inspection holds the fake's lock.
 */
public final class FakeCloudDns implements AutoCloseable {

  public static final String PROJECT = "tern-test";
  public static final String ZONE = "gslb";
  public static final String DNS_NAME = "gslb.example.com.";
  public static final String ACCESS_TOKEN = "fake-cloud-dns-token";

  private static final Pattern ZONE_PATH =
      Pattern.compile("/dns/v1/projects/([a-z][a-z0-9.:-]*)/managedZones/([a-z0-9][-a-z0-9]*)/(rrsets|changes)(?:/([0-9]+))?");
  private static final Pattern LOCATION = Pattern.compile("[a-z]+(-[a-z]+)*[0-9]+");
  private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1?\\d?\\d)(\\.(25[0-5]|2[0-4]\\d|1?\\d?\\d)){3}");
  private static final Set<String> TYPES = Set.of("A", "AAAA", "CAA", "CNAME", "MX", "NS", "PTR", "SOA", "SRV", "TXT");
  private static final Gson GSON = new Gson();

  private final HttpServer server;
  private final Map<String, Zone> zones = new LinkedHashMap<>();
  private final List<String> requests = new ArrayList<>();
  private final List<String> rejected = new ArrayList<>();
  private int failStatus;
  private int failCount;
  private int pageSize = 10;

  private static final class Zone {
    final String dnsName;
    /** Record sets by "name type", in name order as Cloud DNS lists them. */
    final TreeMap<String, JsonObject> rrsets = new TreeMap<>();
    final Map<String, JsonObject> changes = new LinkedHashMap<>();

    Zone(String dnsName) {
      this.dnsName = dnsName;
    }
  }

  /** A request the fake answers with an error. */
  private static final class Refusal extends Exception {
    final int status;
    final String reason;
    /** Whether it is outside the documented shapes (recorded in {@link #rejected()}) rather than a refusal Cloud DNS also makes. */
    final boolean malformed;

    Refusal(int status, String reason, String message, boolean malformed) {
      super(message);
      this.status = status;
      this.reason = reason;
      this.malformed = malformed;
    }
  }

  private FakeCloudDns(HttpServer server) {
    this.server = server;
    zones.put(PROJECT + "/" + ZONE, new Zone(DNS_NAME));
  }

  /** Starts a fake on 127.0.0.1 and a free port, with the zone {@link #ZONE} of project {@link #PROJECT}. */
  public static FakeCloudDns start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      FakeCloudDns fake = new FakeCloudDns(server);
      server.createContext("/", fake::handle);
      server.setExecutor(Executors.newFixedThreadPool(2));
      server.start();
      return fake;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start the Cloud DNS fake", e);
    }
  }

  /** The API's root URL, as an entry's {@code endpoint}: {@code http://127.0.0.1:PORT/}. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }

  /** Adds an empty managed zone. */
  public synchronized void addZone(String project, String zone, String dnsName) {
    zones.put(project + "/" + zone, new Zone(dnsName));
  }

  /** Answers the next {@code count} requests with {@code status} (429, 500, 503, or a 4xx) instead. */
  public synchronized void failNext(int status, int count) {
    failStatus = status;
    failCount = count;
  }

  /** How many record sets one page of a list holds at most (default 10), so that tests see pagination. */
  public synchronized void pageSize(int size) {
    pageSize = size;
  }

  /** Every request, as {@code METHOD path?query -> status}, in order. */
  public synchronized List<String> requests() {
    return List.copyOf(requests);
  }

  /** The requests outside the documented shapes, with why. */
  public synchronized List<String> rejected() {
    return List.copyOf(rejected);
  }

  /** The record sets of the default zone, by {@code "name type"}, as the fake returns them. */
  public synchronized Map<String, JsonObject> recordSets() {
    return recordSets(PROJECT, ZONE);
  }

  public synchronized Map<String, JsonObject> recordSets(String project, String zone) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    zones.get(project + "/" + zone).rrsets.forEach((k, v) -> out.put(k, v.deepCopy()));
    return out;
  }

  /** One record set of the default zone. */
  public synchronized Optional<JsonObject> recordSet(String name, String type) {
    return Optional.ofNullable(zones.get(PROJECT + "/" + ZONE).rrsets.get(name + " " + type)).map(JsonObject::deepCopy);
  }

  /**
   * Puts a record set into the default zone directly, as a hand edit in the console would:
   * {@code json} is a record set ({@code {"name":..., "type":..., "ttl":..., "rrdatas":[...]}}).
   */
  public synchronized void put(String json) {
    JsonObject r = JsonParser.parseString(json).getAsJsonObject();
    r.addProperty("kind", "dns#resourceRecordSet");
    zones.get(PROJECT + "/" + ZONE).rrsets.put(r.get("name").getAsString() + " " + r.get("type").getAsString(), r);
  }

  /** Removes a record set from the default zone directly. */
  public synchronized void remove(String name, String type) {
    zones.get(PROJECT + "/" + ZONE).rrsets.remove(name + " " + type);
  }

  /** How many changes the default zone has taken. */
  public synchronized int changes() {
    return zones.get(PROJECT + "/" + ZONE).changes.size();
  }

  private void handle(HttpExchange ex) throws IOException {
    int status;
    String body;
    Map<String, String> headers = new LinkedHashMap<>();
    String line = ex.getRequestMethod() + " " + ex.getRequestURI();
    byte[] request = readBody(ex);
    synchronized (this) {
      try {
        if (failCount > 0) {
          failCount--;
          throw injected(failStatus, headers);
        }
        body = route(ex, request);
        status = 200;
      } catch (Refusal r) {
        status = r.status;
        body = error(r.status, r.reason, r.getMessage());
        if (r.malformed) {
          rejected.add(line + ": " + r.getMessage());
        }
      } catch (RuntimeException e) {
        status = 400;
        body = error(400, "invalid", "Invalid request: " + e);
        rejected.add(line + ": " + e);
      }
      requests.add(line + " -> " + status);
    }
    byte[] out = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().add("Content-Type", "application/json; charset=UTF-8");
    headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
    ex.sendResponseHeaders(status, out.length);
    ex.getResponseBody().write(out);
    ex.close();
  }

  private static byte[] readBody(HttpExchange ex) throws IOException {
    InputStream in = ex.getRequestBody();
    if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"))) {
      in = new GZIPInputStream(in);
    }
    return in.readAllBytes();
  }

  private static Refusal injected(int status, Map<String, String> headers) {
    if (status == 429) {
      headers.put("Retry-After", "1");
      return new Refusal(429, "rateLimitExceeded", "Rate limit exceeded (injected)", false);
    }
    if (status >= 500) {
      return new Refusal(status, "backendError", "Backend error (injected)", false);
    }
    return new Refusal(status, status == 403 ? "forbidden" : "invalid", "Refused (injected)", false);
  }

  private String route(HttpExchange ex, byte[] request) throws Refusal {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    if (auth == null || !auth.equals("Bearer " + ACCESS_TOKEN)) {
      throw new Refusal(401, "authError", "Request had invalid authentication credentials (Authorization: "
          + (auth == null ? "missing" : "not the fake's bearer token") + ")", true);
    }
    Matcher m = ZONE_PATH.matcher(ex.getRequestURI().getRawPath());
    if (!m.matches()) {
      throw new Refusal(404, "notFound", "No such API path: " + ex.getRequestURI().getRawPath(), true);
    }
    Zone zone = zones.get(m.group(1) + "/" + m.group(2));
    if (zone == null) {
      throw new Refusal(404, "notFound", "The 'parameters.managedZone' resource named '" + m.group(2)
          + "' does not exist.", true);
    }
    Map<String, String> query = query(ex.getRequestURI().getRawQuery());
    String method = ex.getRequestMethod();
    if (m.group(3).equals("rrsets") && m.group(4) == null && method.equals("GET")) {
      allowOnly(query, Set.of("pageToken", "maxResults", "name", "type"));
      return list(zone, query);
    }
    if (m.group(3).equals("changes") && m.group(4) == null && method.equals("POST")) {
      allowOnly(query, Set.of());
      String type = ex.getRequestHeaders().getFirst("Content-Type");
      if (type == null || !type.startsWith("application/json")) {
        throw new Refusal(400, "invalid", "a change is sent as application/json, not " + type, true);
      }
      return create(zone, JsonParser.parseString(new String(request, StandardCharsets.UTF_8)));
    }
    if (m.group(3).equals("changes") && m.group(4) != null && method.equals("GET")) {
      allowOnly(query, Set.of());
      JsonObject change = zone.changes.get(m.group(4));
      if (change == null) {
        throw new Refusal(404, "notFound", "The 'parameters.changeId' resource named '" + m.group(4)
            + "' does not exist.", true);
      }
      String answer = GSON.toJson(change);
      change.addProperty("status", "done");
      return answer;
    }
    throw new Refusal(405, "invalid", method + " is not a method of " + ex.getRequestURI().getRawPath(), true);
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      out.put(k, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return out;
  }

  private static void allowOnly(Map<String, String> query, Set<String> allowed) throws Refusal {
    for (String k : query.keySet()) {
      if (!allowed.contains(k)) {
        throw new Refusal(400, "invalidParameter", "Unknown query parameter: " + k, true);
      }
    }
  }

  private String list(Zone zone, Map<String, String> query) throws Refusal {
    List<JsonObject> all = new ArrayList<>();
    for (JsonObject r : zone.rrsets.values()) {
      if (query.containsKey("name") && !r.get("name").getAsString().equals(query.get("name"))) {
        continue;
      }
      if (query.containsKey("type") && !r.get("type").getAsString().equals(query.get("type"))) {
        continue;
      }
      all.add(r);
    }
    int from = 0;
    if (query.containsKey("pageToken")) {
      try {
        from = Integer.parseInt(new String(Base64.getUrlDecoder().decode(query.get("pageToken")), StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new Refusal(400, "invalid", "Invalid value for 'pageToken'", true);
      }
    }
    int size = pageSize;
    if (query.containsKey("maxResults")) {
      try {
        size = Math.min(size, Integer.parseInt(query.get("maxResults")));
      } catch (NumberFormatException e) {
        throw new Refusal(400, "invalid", "Invalid value for 'maxResults'", true);
      }
    }
    JsonObject out = new JsonObject();
    out.addProperty("kind", "dns#resourceRecordSetsListResponse");
    JsonArray page = new JsonArray();
    for (int i = from; i < Math.min(all.size(), from + size); i++) {
      page.add(all.get(i).deepCopy());
    }
    out.add("rrsets", page);
    if (from + size < all.size()) {
      out.addProperty("nextPageToken", Base64.getUrlEncoder().encodeToString(String.valueOf(from + size)
          .getBytes(StandardCharsets.UTF_8)));
    }
    return GSON.toJson(out);
  }

  private String create(Zone zone, JsonElement body) throws Refusal {
    JsonObject change = object(body, "change");
    fields(change, "change", Set.of("kind", "additions", "deletions"));
    kind(change, "change", "dns#change");
    List<JsonObject> additions = rrsets(change, "additions", zone);
    List<JsonObject> deletions = rrsets(change, "deletions", zone);
    if (additions.isEmpty() && deletions.isEmpty()) {
      throw new Refusal(400, "required", "The change has no additions and no deletions", true);
    }
    TreeMap<String, JsonObject> after = new TreeMap<>(zone.rrsets);
    for (int i = 0; i < deletions.size(); i++) {
      JsonObject d = deletions.get(i);
      String key = key(d);
      JsonObject now = after.get(key);
      if (now == null) {
        throw new Refusal(404, "notFound", "The 'entity.change.deletions[" + i + "]' resource named '"
            + key.replace(" ", " (") + ")' does not exist.", false);
      }
      if (!comparable(now).equals(comparable(d))) {
        throw new Refusal(412, "conditionNotMet", "Precondition not met for 'entity.change.deletions[" + i + "]'",
            false);
      }
      after.remove(key);
    }
    for (int i = 0; i < additions.size(); i++) {
      JsonObject a = additions.get(i);
      String key = key(a);
      if (after.containsKey(key)) {
        throw new Refusal(409, "alreadyExists", "The resource 'entity.change.additions[" + i + "]' named '"
            + key.replace(" ", " (") + ")' already exists", false);
      }
      JsonObject stored = a.deepCopy();
      stored.addProperty("kind", "dns#resourceRecordSet");
      after.put(key, stored);
    }
    Map<String, Set<String>> typesByName = new LinkedHashMap<>();
    after.values().forEach(r -> typesByName.computeIfAbsent(r.get("name").getAsString(), n -> new HashSet<>())
        .add(r.get("type").getAsString()));
    for (var e : typesByName.entrySet()) {
      if (e.getValue().contains("CNAME") && e.getValue().size() > 1) {
        throw new Refusal(400, "cnameResourceRecordSetConflict", "The resource record set 'entity.change' is invalid"
            + " because the DNS name '" + e.getKey() + "' may have either one CNAME resource record set or resource"
            + " record sets of other types, but not both.", false);
      }
    }
    zone.rrsets.clear();
    zone.rrsets.putAll(after);
    String id = String.valueOf(zone.changes.size() + 1);
    JsonObject out = new JsonObject();
    out.addProperty("kind", "dns#change");
    out.addProperty("id", id);
    out.addProperty("startTime", Instant.now().toString());
    out.addProperty("status", "pending");
    JsonArray adds = new JsonArray();
    additions.forEach(adds::add);
    JsonArray dels = new JsonArray();
    deletions.forEach(dels::add);
    out.add("additions", adds);
    out.add("deletions", dels);
    zone.changes.put(id, out);
    return GSON.toJson(out);
  }

  private static String key(JsonObject r) {
    return r.get("name").getAsString() + " " + r.get("type").getAsString();
  }

  /** A record set without its {@code kind} fields: what Cloud DNS compares a deletion by. */
  private static JsonElement comparable(JsonElement e) {
    if (e.isJsonObject()) {
      JsonObject out = new JsonObject();
      new TreeMap<>(e.getAsJsonObject().asMap()).forEach((k, v) -> {
        if (!k.equals("kind")) {
          out.add(k, comparable(v));
        }
      });
      return out;
    }
    if (e.isJsonArray()) {
      JsonArray out = new JsonArray();
      e.getAsJsonArray().forEach(v -> out.add(comparable(v)));
      return out;
    }
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      return new JsonPrimitive(e.getAsDouble());
    }
    return e;
  }

  private List<JsonObject> rrsets(JsonObject change, String field, Zone zone) throws Refusal {
    List<JsonObject> out = new ArrayList<>();
    if (!change.has(field)) {
      return out;
    }
    JsonElement list = change.get(field);
    if (!list.isJsonArray()) {
      throw malformed("change." + field + " is an array of resource record sets");
    }
    Set<String> keys = new HashSet<>();
    for (int i = 0; i < list.getAsJsonArray().size(); i++) {
      String at = "change." + field + "[" + i + "]";
      JsonObject r = object(list.getAsJsonArray().get(i), at);
      rrset(r, at, zone);
      if (!keys.add(key(r))) {
        throw malformed(at + " names " + key(r) + " twice in one change");
      }
      out.add(r);
    }
    return out;
  }

  private void rrset(JsonObject r, String at, Zone zone) throws Refusal {
    fields(r, at, Set.of("kind", "name", "type", "ttl", "rrdatas", "signatureRrdatas", "routingPolicy"));
    kind(r, at, "dns#resourceRecordSet");
    String name = string(r, at, "name");
    String type = string(r, at, "type");
    if (!name.endsWith(".") || !(name.equals(zone.dnsName) || name.endsWith("." + zone.dnsName))) {
      throw malformed(at + ".name '" + name + "' is not a fully qualified name (with the trailing dot) in "
          + zone.dnsName);
    }
    if (!TYPES.contains(type)) {
      throw malformed(at + ".type '" + type + "' is not a record type");
    }
    JsonElement ttl = r.get("ttl");
    if (ttl == null || !ttl.isJsonPrimitive() || !ttl.getAsJsonPrimitive().isNumber()
        || ttl.getAsDouble() != Math.rint(ttl.getAsDouble()) || ttl.getAsDouble() < 0) {
      throw malformed(at + ".ttl is a non-negative integer");
    }
    if (type.equals("CNAME") && name.equals(zone.dnsName)) {
      throw malformed(at + ": a CNAME cannot be at the zone apex " + name);
    }
    boolean plain = r.has("rrdatas");
    if (plain == r.has("routingPolicy")) {
      throw malformed(at + " has either rrdatas or a routingPolicy");
    }
    if (plain) {
      List<String> data = strings(r, at, "rrdatas");
      data(type, data, at + ".rrdatas");
      return;
    }
    JsonObject policy = object(r.get("routingPolicy"), at + ".routingPolicy");
    fields(policy, at + ".routingPolicy", Set.of("kind", "geo", "wrr", "primaryBackup", "healthCheck"));
    kind(policy, at + ".routingPolicy", "dns#rRSetRoutingPolicy");
    int kinds = (policy.has("geo") ? 1 : 0) + (policy.has("wrr") ? 1 : 0) + (policy.has("primaryBackup") ? 1 : 0);
    if (kinds != 1) {
      throw malformed(at + ".routingPolicy has exactly one of geo, wrr and primaryBackup");
    }
    if (policy.has("geo")) {
      String p = at + ".routingPolicy.geo";
      JsonObject geo = object(policy.get("geo"), p);
      fields(geo, p, Set.of("kind", "items", "enableFencing"));
      kind(geo, p, "dns#rRSetRoutingPolicyGeoPolicy");
      if (geo.has("enableFencing") && !(geo.get("enableFencing").isJsonPrimitive()
          && geo.get("enableFencing").getAsJsonPrimitive().isBoolean())) {
        throw malformed(p + ".enableFencing is a boolean");
      }
      Set<String> locations = new HashSet<>();
      JsonArray items = array(geo, p, "items");
      for (int i = 0; i < items.size(); i++) {
        String ip = p + ".items[" + i + "]";
        JsonObject item = object(items.get(i), ip);
        fields(item, ip, Set.of("kind", "location", "rrdatas", "signatureRrdatas", "healthCheckedTargets"));
        kind(item, ip, "dns#rRSetRoutingPolicyGeoPolicyGeoPolicyItem");
        String location = string(item, ip, "location");
        if (!LOCATION.matcher(location).matches()) {
          throw malformed(ip + ".location '" + location + "' is not a Google Cloud region");
        }
        if (!locations.add(location)) {
          throw malformed(ip + ".location '" + location + "' appears twice");
        }
        data(type, strings(item, ip, "rrdatas"), ip + ".rrdatas");
      }
    } else if (policy.has("wrr")) {
      String p = at + ".routingPolicy.wrr";
      JsonObject wrr = object(policy.get("wrr"), p);
      fields(wrr, p, Set.of("kind", "items"));
      kind(wrr, p, "dns#rRSetRoutingPolicyWrrPolicy");
      JsonArray items = array(wrr, p, "items");
      for (int i = 0; i < items.size(); i++) {
        String ip = p + ".items[" + i + "]";
        JsonObject item = object(items.get(i), ip);
        fields(item, ip, Set.of("kind", "weight", "rrdatas", "signatureRrdatas", "healthCheckedTargets"));
        kind(item, ip, "dns#rRSetRoutingPolicyWrrPolicyWrrPolicyItem");
        JsonElement w = item.get("weight");
        if (w == null || !w.isJsonPrimitive() || !w.getAsJsonPrimitive().isNumber() || w.getAsDouble() < 0) {
          throw malformed(ip + ".weight is a non-negative number");
        }
        data(type, strings(item, ip, "rrdatas"), ip + ".rrdatas");
      }
    } else {
      throw malformed(at + ".routingPolicy.primaryBackup needs health-checked targets, which this fake does not model");
    }
  }

  private static void data(String type, List<String> data, String at) throws Refusal {
    if (data.isEmpty()) {
      throw malformed(at + " is empty");
    }
    for (String d : data) {
      boolean ok = switch (type) {
        case "A" -> IPV4.matcher(d).matches();
        case "AAAA" -> d.contains(":") && d.matches("[0-9a-fA-F:.]+");
        case "CNAME" -> d.endsWith(".") && data.size() == 1;
        default -> !d.isEmpty();
      };
      if (!ok) {
        throw malformed(at + ": '" + d + "' is not " + type + " data" + (type.equals("CNAME")
            ? " (one fully qualified name with the trailing dot)" : ""));
      }
    }
  }

  private static Refusal malformed(String message) {
    return new Refusal(400, "invalid", "Invalid value for " + message, true);
  }

  private static JsonObject object(JsonElement e, String at) throws Refusal {
    if (e == null || !e.isJsonObject()) {
      throw malformed(at + ": an object");
    }
    return e.getAsJsonObject();
  }

  private static JsonArray array(JsonObject o, String at, String field) throws Refusal {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      throw malformed(at + "." + field + ": a non-empty array");
    }
    return e.getAsJsonArray();
  }

  private static String string(JsonObject o, String at, String field) throws Refusal {
    JsonElement e = o.get(field);
    if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw malformed(at + "." + field + ": a string");
    }
    return e.getAsString();
  }

  private static List<String> strings(JsonObject o, String at, String field) throws Refusal {
    List<String> out = new ArrayList<>();
    for (JsonElement e : array(o, at, field)) {
      if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
        throw malformed(at + "." + field + ": strings");
      }
      out.add(e.getAsString());
    }
    return out;
  }

  private static void fields(JsonObject o, String at, Set<String> allowed) throws Refusal {
    for (String k : o.keySet()) {
      if (!allowed.contains(k)) {
        throw malformed(at + "." + k + ": not a field of this resource");
      }
    }
  }

  private static void kind(JsonObject o, String at, String kind) throws Refusal {
    if (o.has("kind") && !o.get("kind").getAsString().equals(kind)) {
      throw malformed(at + ".kind is " + kind);
    }
  }

  private static String error(int status, String reason, String message) {
    JsonObject detail = new JsonObject();
    detail.addProperty("domain", "global");
    detail.addProperty("reason", reason);
    detail.addProperty("message", message);
    JsonArray errors = new JsonArray();
    errors.add(detail);
    JsonObject error = new JsonObject();
    error.addProperty("code", status);
    error.addProperty("message", message);
    error.add("errors", errors);
    JsonObject out = new JsonObject();
    out.add("error", error);
    return GSON.toJson(out);
  }
}
