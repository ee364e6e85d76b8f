package dev.tern.controlplane.provider.globalaccelerator;

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
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A wire-level fake of the AWS Global Accelerator API (AWS JSON 1.1) on 127.0.0.1, for tests that
 * drive the real AWS SDK against it. It keeps accelerators, listeners and endpoint groups in
 * memory and answers in the documented response shapes.
 *
 * <p><b>What it checks</b> on every request, answering anything else with an error and recording
 * it in {@link #rejected()} (tests assert that stays empty):
 * <ul>
 *   <li>{@code POST /}, no query string, {@code Content-Type: application/x-amz-json-1.1};</li>
 *   <li>{@code X-Amz-Target: GlobalAccelerator_V20180706.<Operation>} naming an operation it serves:
 *     ListTagsForResource, DescribeAccelerator, ListEndpointGroups, CreateEndpointGroup,
 *     UpdateEndpointGroup, DeleteEndpointGroup;</li>
 *   <li>a SigV4 {@code Authorization} header for service {@code globalaccelerator} in region {@link #REGION},
 *     with {@code X-Amz-Date}, signed with {@link #ACCESS_KEY_ID} / {@link #SECRET_ACCESS_KEY}
 *     (the signature is recomputed and compared);</li>
 *   <li>the body: a JSON object with only the operation's documented members, each of its type
 *     (strings, integers, numbers, booleans, lists of structures), the required ones present
 *     ({@code IdempotencyToken} on a create), and values in range (weight 0..255, traffic dial 0..100,
 *     MaxResults 1..100, health-check interval 10 or 30, threshold 1..10).</li>
 * </ul>
 * Like the service, it refuses (HTTP 400, not recorded as rejected, since a real service would answer
 * the same) unknown ARNs ({@code AcceleratorNotFoundException}, {@code ListenerNotFoundException},
 * {@code EndpointGroupNotFoundException}), a second group for a region of a listener
 * ({@code EndpointGroupAlreadyExistsException}), more than 10 endpoints in a group
 * ({@code LimitExceededException}), and an endpoint id that is no ALB/NLB/Elastic IP ARN, {@code eipalloc-}
 * or {@code i-} id, or an ARN in another region than its group ({@code InvalidArgumentException}).
 * A create repeated with the same {@code IdempotencyToken} returns the group it created.
 *
 * <p><b>Pointing an account at it</b>: a {@code tern.providers.global-accelerator[]} entry with
 * <pre>
 *   endpoint: fake.uri()                      # http://127.0.0.1:PORT
 *   region: us-west-2                         # REGION
 *   access-key-id: AKIDTERNFAKE               # ACCESS_KEY_ID
 *   secret-access-key: tern-fake-secret       # SECRET_ACCESS_KEY
 *   accelerator-arn: fake.createAccelerator("shop", Map.of("tern/owner", "tern"))
 *   listener-arn: fake.createListener(acceleratorArn)
 *   owner: tern
 *   endpoints: {fra: arn:aws:elasticloadbalancing:eu-central-1:...:loadbalancer/app/fra/1, iad: eipalloc-...}
 * </pre>
 *
 * <p><b>Threading.</b> Requests are served one at a time; every method is safe from any thread.
 */
public final class FakeGlobalAccelerator implements AutoCloseable {

  public static final String REGION = "us-west-2";
  public static final String ACCESS_KEY_ID = "AKIDTERNFAKE";
  public static final String SECRET_ACCESS_KEY = "tern-fake-secret";
  public static final String ACCOUNT = "123456789012";
  static final String TARGET_PREFIX = "GlobalAccelerator_V20180706.";
  static final String CONTENT_TYPE = "application/x-amz-json-1.1";

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern AUTHORIZATION = Pattern.compile(
      "AWS4-HMAC-SHA256 Credential=([^/]+)/(\\d{8})/([a-z0-9-]+)/([a-z0-9]+)/aws4_request,"
          + " ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})");
  private static final Pattern AMZ_DATE = Pattern.compile("\\d{8}T\\d{6}Z");
  private static final Pattern REGION_NAME = Pattern.compile("[a-z]{2}(-[a-z]+)+-\\d");
  private static final Pattern ENDPOINT_ID = Pattern.compile(
      "arn:aws:elasticloadbalancing:([a-z0-9-]+):\\d{12}:loadbalancer/(app|net)/[A-Za-z0-9-]+/[0-9a-f]+"
          + "|arn:aws:ec2:([a-z0-9-]+):\\d{12}:elastic-ip/eipalloc-[0-9a-f]+|eipalloc-[0-9a-f]+|i-[0-9a-f]+");

  /** One request as it came: the operation (from X-Amz-Target, or what was wrong) and the answer's status. */
  public record Request(String operation, int status, String body) {}

  /** One endpoint group as the fake holds it. */
  public record Group(String arn, String listenerArn, String region, double trafficDial, Map<String, Integer> weights,
      int healthCheckIntervalSeconds, int thresholdCount, String healthCheckProtocol) {
    public Group {
      weights = Map.copyOf(weights);
    }
  }

  private record Accelerator(String arn, String name, Map<String, String> tags) {}

  private record Failure(int status, String type) {}

  private final HttpServer server;
  private final Map<String, Accelerator> accelerators = new LinkedHashMap<>();
  private final Map<String, String> listeners = new LinkedHashMap<>();
  private final Map<String, Group> groups = new LinkedHashMap<>();
  private final Map<String, String> tokens = new LinkedHashMap<>();
  private final List<Request> requests = new ArrayList<>();
  private final List<String> rejected = new ArrayList<>();
  private final List<Failure> failures = new ArrayList<>();
  private int pageSize = 100;
  private int serial;

  private FakeGlobalAccelerator(HttpServer server) {
    this.server = server;
  }

  /** Starts a fake on 127.0.0.1 on a free port. */
  public static FakeGlobalAccelerator start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      FakeGlobalAccelerator fake = new FakeGlobalAccelerator(server);
      server.createContext("/", fake::handle);
      server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The endpoint to give the SDK ({@code endpointOverride}) or the account's {@code endpoint} key. */
  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  @Override
  public void close() {
    server.stop(0);
  }

  // ---- state set up and inspected by tests ----

  /** Creates an accelerator with {@code tags}; returns its ARN. */
  public synchronized String createAccelerator(String name, Map<String, String> tags) {
    String arn = "arn:aws:globalaccelerator::" + ACCOUNT + ":accelerator/" + uuid();
    accelerators.put(arn, new Accelerator(arn, name, new LinkedHashMap<>(tags)));
    return arn;
  }

  /** Replaces the accelerator's tags (as TagResource / UntagResource would). */
  public synchronized void setTags(String acceleratorArn, Map<String, String> tags) {
    Accelerator a = accelerators.get(acceleratorArn);
    accelerators.put(acceleratorArn, new Accelerator(acceleratorArn, a.name(), new LinkedHashMap<>(tags)));
  }

  /** Creates a TCP listener on the accelerator; returns its ARN. */
  public synchronized String createListener(String acceleratorArn) {
    if (!accelerators.containsKey(acceleratorArn)) {
      throw new IllegalArgumentException("no accelerator " + acceleratorArn);
    }
    String arn = acceleratorArn + "/listener/" + String.format("%08x", ++serial);
    listeners.put(arn, acceleratorArn);
    return arn;
  }

  /** Adds an endpoint group by hand (the console, another tool); returns its ARN. */
  public synchronized String addEndpointGroup(String listenerArn, String region, double trafficDial,
      Map<String, Integer> weights) {
    String arn = listenerArn + "/endpoint-group/" + String.format("%012x", ++serial);
    groups.put(arn, new Group(arn, listenerArn, region, trafficDial, weights, 30, 3, "TCP"));
    return arn;
  }

  /** Hand-edits a group: its traffic dial and, when {@code weights} is not null, its endpoints. */
  public synchronized void handEdit(String listenerArn, String region, double trafficDial,
      Map<String, Integer> weights) {
    Group g = group(listenerArn, region).orElseThrow(() -> new IllegalArgumentException("no group in " + region));
    groups.put(g.arn(), new Group(g.arn(), g.listenerArn(), g.region(), trafficDial, weights == null ? g.weights()
        : weights, g.healthCheckIntervalSeconds(), g.thresholdCount(), g.healthCheckProtocol()));
  }

  /** The listener's endpoint groups, by region. */
  public synchronized List<Group> endpointGroups(String listenerArn) {
    return groups.values().stream().filter(g -> g.listenerArn().equals(listenerArn))
        .sorted(Comparator.comparing(Group::region)).toList();
  }

  /** The listener's endpoint group in {@code region}. */
  public synchronized Optional<Group> group(String listenerArn, String region) {
    return groups.values().stream().filter(g -> g.listenerArn().equals(listenerArn) && g.region().equals(region))
        .findFirst();
  }

  /**
   * The next {@code count} requests (after those already queued) fail with {@code status}: 429 and
   * 400 as {@code ThrottlingException} (429 with {@code Retry-After}; Global Accelerator itself
   * throttles with 400), 500 as
   * {@code InternalServiceErrorException}, 503 as {@code ServiceUnavailable}, 403 as
   * {@code AccessDeniedException}, any other as {@code InvalidArgumentException}.
   */
  public void failNext(int status, int count) {
    failNext(status, switch (status) {
      case 400, 429 -> "ThrottlingException";
      case 500 -> "InternalServiceErrorException";
      case 503 -> "ServiceUnavailable";
      case 403 -> "AccessDeniedException";
      default -> "InvalidArgumentException";
    }, count);
  }

  /** The next {@code count} requests fail with {@code status} and error type {@code type}. */
  public synchronized void failNext(int status, String type, int count) {
    for (int i = 0; i < count; i++) {
      failures.add(new Failure(status, type));
    }
  }

  /**
   * The next {@code count} requests are served normally, before the failures queued after this call:
   * {@code passNext(2); failNext(500, 1)} fails the third request.
   */
  public synchronized void passNext(int count) {
    for (int i = 0; i < count; i++) {
      failures.add(new Failure(0, ""));
    }
  }

  /** Answers at most {@code size} endpoint groups a page (100, the API's maximum, unless set). */
  public synchronized void pageSize(int size) {
    this.pageSize = size;
  }

  /** Every request so far, in order. */
  public synchronized List<Request> requests() {
    return List.copyOf(requests);
  }

  /** How many requests named {@code operation} came. */
  public synchronized long requests(String operation) {
    return requests.stream().filter(r -> r.operation().equals(operation)).count();
  }

  /** Requests that did not match the documented API shapes, with the reason; tests assert it stays empty. */
  public synchronized List<String> rejected() {
    return List.copyOf(rejected);
  }

  // ---- the wire ----

  private void handle(HttpExchange x) throws IOException {
    byte[] raw = x.getRequestBody().readAllBytes();
    String body = new String(raw, StandardCharsets.UTF_8);
    String target = Optional.ofNullable(x.getRequestHeaders().getFirst("X-Amz-Target")).orElse("");
    String operation = target.startsWith(TARGET_PREFIX) ? target.substring(TARGET_PREFIX.length()) : "?" + target;
    Answer answer;
    synchronized (this) {
      answer = serve(x, operation, raw, body);
      requests.add(new Request(operation, answer.status(), body));
    }
    byte[] out = answer.body().toString().getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", CONTENT_TYPE);
    x.getResponseHeaders().set("x-amzn-RequestId", UUID.randomUUID().toString());
    if (answer.status() == 429) {
      x.getResponseHeaders().set("Retry-After", "0");
    }
    if (answer.status() >= 300) {
      x.getResponseHeaders().set("x-amzn-ErrorType", answer.body().path("__type").asText());
    }
    x.sendResponseHeaders(answer.status(), out.length);
    x.getResponseBody().write(out);
    x.close();
  }

  private record Answer(int status, JsonNode body) {}

  /** A request the documented API would never see from the SDK. */
  private static final class Rejected extends RuntimeException {
    Rejected(String message) {
      super(message);
    }
  }

  /** A request the service refuses as it would for a well-formed call (not recorded as rejected). */
  private static final class Refused extends RuntimeException {
    final String type;

    Refused(String type, String message) {
      super(message);
      this.type = type;
    }
  }

  private Answer serve(HttpExchange x, String operation, byte[] raw, String body) {
    try {
      checkEnvelope(x, operation, raw);
      JsonNode request;
      try {
        request = JSON.readTree(body.isEmpty() ? "{}" : body);
      } catch (IOException e) {
        throw new Rejected("body is not JSON: " + e.getMessage());
      }
      if (!request.isObject()) {
        throw new Rejected("body is not a JSON object");
      }
      if (!failures.isEmpty()) {
        Failure f = failures.removeFirst();
        if (f.status() != 0) {
          return error(f.status(), f.type(), "injected failure");
        }
      }
      return new Answer(200, switch (operation) {
        case "ListTagsForResource" -> listTags(request);
        case "DescribeAccelerator" -> describeAccelerator(request);
        case "ListEndpointGroups" -> listEndpointGroups(request);
        case "CreateEndpointGroup" -> createEndpointGroup(request);
        case "UpdateEndpointGroup" -> updateEndpointGroup(request);
        case "DeleteEndpointGroup" -> deleteEndpointGroup(request);
        default -> throw new Rejected("operation not served: " + operation);
      });
    } catch (Rejected r) {
      rejected.add(operation + ": " + r.getMessage());
      return error(400, r.getMessage().startsWith("operation") ? "UnknownOperationException"
          : r.getMessage().startsWith("signature") || r.getMessage().startsWith("Authorization")
              ? "InvalidSignatureException" : "SerializationException", r.getMessage());
    } catch (Refused r) {
      return error(400, r.type, r.getMessage());
    }
  }

  private static Answer error(int status, String type, String message) {
    ObjectNode e = JSON.createObjectNode();
    e.put("__type", type);
    e.put("message", message);
    return new Answer(status, e);
  }

  private void checkEnvelope(HttpExchange x, String operation, byte[] raw) {
    if (!x.getRequestMethod().equals("POST")) {
      throw new Rejected("method " + x.getRequestMethod() + ", expected POST");
    }
    if (!x.getRequestURI().getRawPath().equals("/") || x.getRequestURI().getRawQuery() != null) {
      throw new Rejected("path " + x.getRequestURI() + ", expected /");
    }
    String type = x.getRequestHeaders().getFirst("Content-Type");
    if (!CONTENT_TYPE.equals(type)) {
      throw new Rejected("Content-Type " + type + ", expected " + CONTENT_TYPE);
    }
    if (operation.startsWith("?")) {
      throw new Rejected("X-Amz-Target " + operation.substring(1) + ", expected " + TARGET_PREFIX + "<Operation>");
    }
    checkSignature(x, raw);
  }

  private static void checkSignature(HttpExchange x, byte[] raw) {
    String authorization = x.getRequestHeaders().getFirst("Authorization");
    Matcher m = AUTHORIZATION.matcher(authorization == null ? "" : authorization);
    if (!m.matches()) {
      throw new Rejected("Authorization is not an AWS4-HMAC-SHA256 signature: " + authorization);
    }
    String amzDate = x.getRequestHeaders().getFirst("X-Amz-Date");
    if (amzDate == null || !AMZ_DATE.matcher(amzDate).matches() || !amzDate.startsWith(m.group(2))) {
      throw new Rejected("Authorization needs an X-Amz-Date of the credential's day: " + amzDate);
    }
    if (!m.group(1).equals(ACCESS_KEY_ID) || !m.group(3).equals(REGION) || !m.group(4).equals("globalaccelerator")) {
      throw new Rejected("Authorization scope " + m.group(1) + "/" + m.group(3) + "/" + m.group(4) + ", expected "
          + ACCESS_KEY_ID + "/" + REGION + "/globalaccelerator");
    }
    List<String> signed = List.of(m.group(5).split(";"));
    if (!signed.containsAll(Set.of("host", "x-amz-date", "x-amz-target", "content-type"))) {
      throw new Rejected("Authorization SignedHeaders lacks host, x-amz-date, x-amz-target or content-type: " + signed);
    }
    StringBuilder canonical = new StringBuilder("POST\n/\n\n");
    for (String h : signed) {
      List<String> values = x.getRequestHeaders().get(h);
      if (values == null) {
        throw new Rejected("Authorization signs header " + h + " that the request does not have");
      }
      canonical.append(h).append(':').append(String.join(",", values.stream()
          .map(v -> v.strip().replaceAll(" +", " ")).toList())).append('\n');
    }
    canonical.append('\n').append(m.group(5)).append('\n').append(hex(sha256(raw)));
    String scope = m.group(2) + "/" + m.group(3) + "/" + m.group(4) + "/aws4_request";
    String toSign = "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n"
        + hex(sha256(canonical.toString().getBytes(StandardCharsets.UTF_8)));
    byte[] key = hmac(("AWS4" + SECRET_ACCESS_KEY).getBytes(StandardCharsets.UTF_8), m.group(2));
    key = hmac(key, m.group(3));
    key = hmac(key, m.group(4));
    key = hmac(key, "aws4_request");
    if (!hex(hmac(key, toSign)).equals(m.group(6))) {
      throw new Rejected("signature does not match the request (SigV4 recomputed over " + signed + ")");
    }
  }

  // ---- operations ----

  private JsonNode listTags(JsonNode r) {
    members(r, Map.of("ResourceArn", "string"), Set.of("ResourceArn"));
    Accelerator a = accelerator(r.get("ResourceArn").asText());
    ArrayNode tags = JSON.createArrayNode();
    a.tags().forEach((k, v) -> tags.addObject().put("Key", k).put("Value", v));
    ObjectNode out = JSON.createObjectNode();
    out.set("Tags", tags);
    return out;
  }

  private JsonNode describeAccelerator(JsonNode r) {
    members(r, Map.of("AcceleratorArn", "string"), Set.of("AcceleratorArn"));
    Accelerator a = accelerator(r.get("AcceleratorArn").asText());
    ObjectNode out = JSON.createObjectNode();
    ObjectNode acc = out.putObject("Accelerator");
    acc.put("AcceleratorArn", a.arn()).put("Name", a.name()).put("IpAddressType", "IPV4").put("Enabled", true)
        .put("DnsName", a.arn().substring(a.arn().lastIndexOf('/') + 1) + ".awsglobalaccelerator.com")
        .put("Status", "DEPLOYED").put("CreatedTime", 1.7e9).put("LastModifiedTime", 1.7e9);
    ObjectNode ips = acc.putArray("IpSets").addObject();
    ips.put("IpFamily", "IPv4").put("IpAddressFamily", "IPv4");
    ips.putArray("IpAddresses").add("192.0.2.250").add("198.51.100.250");
    return out;
  }

  private JsonNode listEndpointGroups(JsonNode r) {
    members(r, Map.of("ListenerArn", "string", "MaxResults", "integer", "NextToken", "string"), Set.of("ListenerArn"));
    String listener = listener(r.get("ListenerArn").asText());
    int max = r.has("MaxResults") ? r.get("MaxResults").asInt() : 10;
    if (max < 1 || max > 100) {
      throw new Rejected("MaxResults " + max + " is not 1..100");
    }
    List<Group> all = endpointGroups(listener);
    int from = 0;
    if (r.has("NextToken")) {
      try {
        from = Integer.parseInt(r.get("NextToken").asText());
      } catch (NumberFormatException e) {
        throw new Refused("InvalidNextTokenException", "NextToken is not one this listing gave");
      }
    }
    int to = Math.min(all.size(), from + Math.min(max, pageSize));
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("EndpointGroups");
    all.subList(Math.min(from, all.size()), to).forEach(g -> list.add(json(g)));
    if (to < all.size()) {
      out.put("NextToken", String.valueOf(to));
    }
    return out;
  }

  private static final Map<String, String> GROUP_SETTINGS = Map.of("EndpointConfigurations", "list",
      "TrafficDialPercentage", "number", "HealthCheckPort", "integer", "HealthCheckProtocol", "string",
      "HealthCheckPath", "string", "HealthCheckIntervalSeconds", "integer", "ThresholdCount", "integer",
      "PortOverrides", "list");

  private JsonNode createEndpointGroup(JsonNode r) {
    Map<String, String> allowed = new LinkedHashMap<>(GROUP_SETTINGS);
    allowed.putAll(Map.of("ListenerArn", "string", "EndpointGroupRegion", "string", "IdempotencyToken", "string"));
    members(r, allowed, Set.of("ListenerArn", "EndpointGroupRegion", "IdempotencyToken"));
    checkSettings(r);
    String token = r.get("IdempotencyToken").asText();
    if (tokens.containsKey(token)) {
      return wrapped(groups.get(tokens.get(token)));
    }
    String listener = listener(r.get("ListenerArn").asText());
    String region = r.get("EndpointGroupRegion").asText();
    if (!REGION_NAME.matcher(region).matches()) {
      throw new Refused("InvalidArgumentException", "EndpointGroupRegion " + region + " is not a region");
    }
    if (group(listener, region).isPresent()) {
      throw new Refused("EndpointGroupAlreadyExistsException", "the listener has an endpoint group in " + region);
    }
    String arn = listener + "/endpoint-group/" + String.format("%012x", ++serial);
    Group g = new Group(arn, listener, region,
        r.has("TrafficDialPercentage") ? r.get("TrafficDialPercentage").asDouble() : 100,
        r.has("EndpointConfigurations") ? endpoints(r.get("EndpointConfigurations"), region) : Map.of(),
        r.has("HealthCheckIntervalSeconds") ? r.get("HealthCheckIntervalSeconds").asInt() : 30,
        r.has("ThresholdCount") ? r.get("ThresholdCount").asInt() : 3,
        r.has("HealthCheckProtocol") ? r.get("HealthCheckProtocol").asText() : "TCP");
    groups.put(arn, g);
    tokens.put(token, arn);
    return wrapped(g);
  }

  private JsonNode updateEndpointGroup(JsonNode r) {
    Map<String, String> allowed = new LinkedHashMap<>(GROUP_SETTINGS);
    allowed.put("EndpointGroupArn", "string");
    members(r, allowed, Set.of("EndpointGroupArn"));
    checkSettings(r);
    Group g = group(r.get("EndpointGroupArn").asText());
    Group after = new Group(g.arn(), g.listenerArn(), g.region(),
        r.has("TrafficDialPercentage") ? r.get("TrafficDialPercentage").asDouble() : g.trafficDial(),
        r.has("EndpointConfigurations") ? endpoints(r.get("EndpointConfigurations"), g.region()) : g.weights(),
        r.has("HealthCheckIntervalSeconds") ? r.get("HealthCheckIntervalSeconds").asInt()
            : g.healthCheckIntervalSeconds(),
        r.has("ThresholdCount") ? r.get("ThresholdCount").asInt() : g.thresholdCount(),
        r.has("HealthCheckProtocol") ? r.get("HealthCheckProtocol").asText() : g.healthCheckProtocol());
    groups.put(g.arn(), after);
    return wrapped(after);
  }

  private JsonNode deleteEndpointGroup(JsonNode r) {
    members(r, Map.of("EndpointGroupArn", "string"), Set.of("EndpointGroupArn"));
    groups.remove(group(r.get("EndpointGroupArn").asText()).arn());
    return JSON.createObjectNode();
  }

  private void checkSettings(JsonNode r) {
    if (r.has("TrafficDialPercentage")) {
      double d = r.get("TrafficDialPercentage").asDouble();
      if (d < 0 || d > 100) {
        throw new Rejected("TrafficDialPercentage " + d + " is not 0..100");
      }
    }
    if (r.has("HealthCheckIntervalSeconds") && !Set.of(10, 30).contains(r.get("HealthCheckIntervalSeconds").asInt())) {
      throw new Rejected("HealthCheckIntervalSeconds is 10 or 30");
    }
    if (r.has("ThresholdCount") && (r.get("ThresholdCount").asInt() < 1 || r.get("ThresholdCount").asInt() > 10)) {
      throw new Rejected("ThresholdCount is 1..10");
    }
    if (r.has("HealthCheckProtocol")
        && !Set.of("TCP", "HTTP", "HTTPS").contains(r.get("HealthCheckProtocol").asText())) {
      throw new Rejected("HealthCheckProtocol is TCP, HTTP or HTTPS");
    }
    if (r.has("PortOverrides")) {
      for (JsonNode p : r.get("PortOverrides")) {
        members(p, Map.of("ListenerPort", "integer", "EndpointPort", "integer"), Set.of());
      }
    }
  }

  private static Map<String, Integer> endpoints(JsonNode list, String region) {
    Map<String, Integer> out = new LinkedHashMap<>();
    for (JsonNode e : list) {
      members(e, Map.of("EndpointId", "string", "Weight", "integer", "ClientIPPreservationEnabled", "boolean",
          "AttachmentArn", "string"), Set.of());
      if (!e.has("EndpointId")) {
        throw new Refused("InvalidArgumentException", "an endpoint configuration needs an EndpointId");
      }
      String id = e.get("EndpointId").asText();
      Matcher m = ENDPOINT_ID.matcher(id);
      if (!m.matches()) {
        throw new Refused("InvalidArgumentException", "EndpointId " + id + " is not a load balancer, Elastic IP or"
            + " EC2 instance");
      }
      String arnRegion = m.group(1) != null ? m.group(1) : m.group(3);
      if (arnRegion != null && !arnRegion.equals(region)) {
        throw new Refused("InvalidArgumentException", "EndpointId " + id + " is not in the group's region " + region);
      }
      int weight = e.has("Weight") ? e.get("Weight").asInt() : 128;
      if (weight < 0 || weight > 255) {
        throw new Rejected("Weight " + weight + " is not 0..255");
      }
      if (out.put(id, weight) != null) {
        throw new Refused("InvalidArgumentException", "EndpointId " + id + " is given twice");
      }
    }
    if (out.size() > 10) {
      throw new Refused("LimitExceededException", "an endpoint group has at most 10 endpoints");
    }
    return out;
  }

  /** Only {@code allowed} members, each of its type; every {@code required} one present. */
  private static void members(JsonNode r, Map<String, String> allowed, Set<String> required) {
    if (!r.isObject()) {
      throw new Rejected("expected a structure, got " + r);
    }
    r.properties().forEach(f -> {
      String type = allowed.get(f.getKey());
      if (type == null) {
        throw new Rejected("unknown member " + f.getKey());
      }
      JsonNode v = f.getValue();
      boolean ok = switch (type) {
        case "string" -> v.isTextual();
        case "integer" -> v.isIntegralNumber();
        case "number" -> v.isNumber();
        case "boolean" -> v.isBoolean();
        case "list" -> v.isArray();
        default -> false;
      };
      if (!ok) {
        throw new Rejected("member " + f.getKey() + " is not a " + type + ": " + v);
      }
    });
    for (String k : required) {
      if (!r.has(k) || (r.get(k).isTextual() && r.get(k).asText().isEmpty())) {
        throw new Rejected("required member " + k + " is missing");
      }
    }
  }

  private Accelerator accelerator(String arn) {
    Accelerator a = accelerators.get(arn);
    if (a == null) {
      throw new Refused("AcceleratorNotFoundException", "no accelerator " + arn);
    }
    return a;
  }

  private String listener(String arn) {
    if (!listeners.containsKey(arn)) {
      throw new Refused("ListenerNotFoundException", "no listener " + arn);
    }
    return arn;
  }

  private Group group(String arn) {
    Group g = groups.get(arn);
    if (g == null) {
      throw new Refused("EndpointGroupNotFoundException", "no endpoint group " + arn);
    }
    return g;
  }

  private static JsonNode wrapped(Group g) {
    ObjectNode out = JSON.createObjectNode();
    out.set("EndpointGroup", json(g));
    return out;
  }

  private static JsonNode json(Group g) {
    ObjectNode o = JSON.createObjectNode();
    o.put("EndpointGroupArn", g.arn()).put("EndpointGroupRegion", g.region());
    ArrayNode d = o.putArray("EndpointDescriptions");
    g.weights().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> d.addObject()
        .put("EndpointId", e.getKey()).put("Weight", e.getValue()).put("HealthState", "HEALTHY")
        .put("ClientIPPreservationEnabled", false));
    o.put("TrafficDialPercentage", g.trafficDial()).put("HealthCheckPort", 443)
        .put("HealthCheckProtocol", g.healthCheckProtocol())
        .put("HealthCheckIntervalSeconds", g.healthCheckIntervalSeconds())
        .put("ThresholdCount", g.thresholdCount());
    o.putArray("PortOverrides");
    return o;
  }

  private static String uuid() {
    return UUID.randomUUID().toString();
  }

  private static byte[] sha256(byte[] data) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }
}
