package dev.tern.probe.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.probe.check.CheckSpec;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;

/**
 * Long-polls the region's assignment from any reachable control-plane node and hands every new
 * version to a listener.
 *
 * <table>
 *   <caption>What one poll does</caption>
 *   <tr><th>Answer</th><th>Then</th></tr>
 *   <tr><td>200, newer policy version</td><td>listener gets it; poll again at once with {@code after}</td></tr>
 *   <tr><td>200, same version (the wait ran out)</td><td>poll again at once</td></tr>
 *   <tr><td>200, older version (a node that lags behind)</td><td>ignored: the assignment never goes back</td></tr>
 *   <tr><td>connection error, non-200, unreadable body</td><td>next node, at once; after a backoff once
 *       every node failed in turn</td></tr>
 * </table>
 *
 * <p>When every node is unreachable the last assignment stays in force: an agent keeps checking what
 * it was told rather than going quiet.
 */
public final class AssignmentFollower implements AutoCloseable {

  /** Bodies of HTTP checks are read up to this much unless the target says otherwise. */
  static final int DEFAULT_BODY_BYTES = 64 * 1024;

  /** No target may have more body read than this (the policy validator's bound too). */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private static final System.Logger LOG = System.getLogger(AssignmentFollower.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();

  private final List<URI> nodes;
  private final String region;
  private final String token;
  private final HttpClient client;
  private final Duration wait;
  private final Backoff backoff;
  private final Consumer<Assignment> listener;
  private final AtomicReference<Optional<Assignment>> current = new AtomicReference<>(Optional.empty());
  private final Thread thread;
  private volatile boolean closed;
  private int nodeIndex;
  /** Polls that failed since the last answer, across nodes. */
  private int failedInRow;
  /** The pause before the next node while some node in the list has not failed yet. */
  private static final Duration NEXT_NODE = Duration.ofMillis(50);

  /**
   * Starts following at once, on a virtual thread.
   *
   * @param wait how long a node may hold a poll open (at most 60 s)
   */
  public AssignmentFollower(List<URI> nodes, String region, String token, HttpClient client, Duration wait,
      RandomGenerator random, Consumer<Assignment> listener) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("give at least one control-plane URL");
    }
    this.nodes = List.copyOf(nodes);
    this.region = Objects.requireNonNull(region, "region");
    this.token = Objects.requireNonNull(token, "token");
    this.client = Objects.requireNonNull(client, "client");
    this.wait = Objects.requireNonNull(wait, "wait");
    this.backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10), random);
    this.listener = Objects.requireNonNull(listener, "listener");
    this.thread = Thread.ofVirtual().name("tern-probe-assignments").start(this::follow);
  }

  /** The last assignment received; empty until the first one arrives. */
  public Optional<Assignment> current() {
    return current.get();
  }

  private void follow() {
    while (!closed) {
      URI node = nodes.get(nodeIndex);
      try {
        Optional<Assignment> known = current.get();
        Assignment received = poll(node, known.map(Assignment::version));
        backoff.reset();
        failedInRow = 0;
        if (known.isEmpty() || received.version() > known.get().version()) {
          current.set(Optional.of(received));
          LOG.log(System.Logger.Level.INFO, "assignment v{0} from {1}: {2} targets", received.version(), node,
              received.targets().size());
          listener.accept(received);
        }
      } catch (InterruptedException e) {
        return;
      } catch (IOException | RuntimeException e) {
        nodeIndex = (nodeIndex + 1) % nodes.size();
        // Every other node is tried at once; the backoff grows only once all of them failed in turn,
        // so that dead or cut-off nodes earlier in the list cannot hold the agent off a live one.
        failedInRow++;
        Duration pause = failedInRow % nodes.size() == 0 ? backoff.next() : NEXT_NODE;
        LOG.log(System.Logger.Level.WARNING, "assignments from {0} failed ({1}); trying {2} in {3} ms", node,
            e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), nodes.get(nodeIndex),
            pause.toMillis());
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          return;
        }
      }
    }
  }

  private Assignment poll(URI node, Optional<Long> after) throws IOException, InterruptedException {
    String query = "?region=" + URLEncoder.encode(region, StandardCharsets.UTF_8)
        + after.map(v -> "&after=" + v + "&waitSeconds=" + wait.toSeconds()).orElse("");
    HttpRequest request = HttpRequest.newBuilder(node.resolve("/api/v1/probes/assignments" + query))
        .timeout(wait.plusSeconds(15))
        .header("Authorization", "Bearer " + token)
        .header("Accept", "application/json")
        .GET()
        .build();
    HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException("HTTP " + response.statusCode());
    }
    return parse(response.body());
  }

  /** Reads the control plane's assignment JSON; throws on anything it cannot turn into checks. */
  static Assignment parse(String body) throws IOException {
    JsonNode root = JSON.readTree(body);
    // version: what the assignment is made of (policies and chaos faults); a control plane from
    // before chaos faults existed sends only its policy version.
    JsonNode version = root.has("version") ? root.path("version") : root.path("policyVersion");
    if (!version.canConvertToLong() || !root.path("targets").isArray()) {
      throw new IOException("an assignment needs version and targets");
    }
    List<ProbeTarget> targets = new ArrayList<>();
    for (JsonNode t : root.path("targets")) {
      targets.add(target(t));
    }
    return new Assignment(version.asLong(), targets);
  }

  private static ProbeTarget target(JsonNode t) throws IOException {
    String service = text(t, "service");
    String backend = text(t, "backend");
    String address = text(t, "address");
    int port = t.path("port").asInt(0);
    Duration timeout = Duration.ofMillis(t.path("timeoutMs").asLong(0));
    Duration interval = Duration.ofMillis(t.path("intervalMs").asLong(0));
    if (port <= 0 || port > 65535 || timeout.isZero() || timeout.isNegative() || interval.isZero()
        || interval.isNegative()) {
      throw new IOException(service + "/" + backend + ": port, intervalMs and timeoutMs must be positive");
    }
    String kind = text(t, "kind");
    CheckSpec spec = switch (kind) {
      case "http", "https" -> {
        Set<Integer> expected = new HashSet<>();
        t.path("expectStatus").forEach(s -> expected.add(s.asInt()));
        if (expected.isEmpty()) {
          expected.add(200);
        }
        int maxBody = t.path("maxBodyBytes").asInt(DEFAULT_BODY_BYTES);
        if (maxBody < 1 || maxBody > MAX_BODY_BYTES) {
          throw new IOException(service + "/" + backend + ": maxBodyBytes must be 1.." + MAX_BODY_BYTES);
        }
        yield new CheckSpec.Http("https".equals(kind), address, port, t.path("path").asText("/"),
            optionalText(t, "host"), expected, optionalText(t, "bodyContains"), maxBody,
            optionalText(t, "caCertificate"), t.path("keepAlive").asBoolean(false), timeout);
      }
      case "tcp" -> new CheckSpec.Tcp(address, port, timeout);
      case "dns" -> new CheckSpec.Dns(address, port, text(t, "query"),
          optionalText(t, "queryType").orElse("A"), timeout);
      default -> throw new IOException(service + "/" + backend + ": unknown check kind '" + kind + "'");
    };
    return new ProbeTarget(service, backend, spec, interval, fault(service + "/" + backend, t.path("fault")));
  }

  /**
   * The chaos fault on a target, if any. One the agent cannot read is ignored (the target is
   * checked normally) with a warning: a fault is a test, and must never stop real checks.
   */
  static Optional<InjectedFault> fault(String target, JsonNode f) {
    if (f.isMissingNode() || f.isNull()) {
      return Optional.empty();
    }
    String run = f.path("run").asText("");
    String kind = f.path("kind").asText("");
    try {
      if (run.isEmpty()) {
        throw new IllegalArgumentException("no run id");
      }
      return Optional.of(switch (kind) {
        case "outage" -> InjectedFault.outage(run);
        case "latency" -> InjectedFault.latency(run, Duration.ofMillis(positive(f, "latencyMs")));
        case "errors" -> {
          double rate = f.path("errorRate").asDouble(-1);
          if (!(rate > 0 && rate <= 1)) {
            throw new IllegalArgumentException("errorRate must be above 0 and at most 1");
          }
          yield InjectedFault.errors(run, rate);
        }
        case "flap" -> InjectedFault.flap(run, Duration.ofMillis(positive(f, "periodMs")),
            java.time.Instant.parse(f.path("since").asText("")));
        default -> throw new IllegalArgumentException("unknown fault kind '" + kind + "'");
      });
    } catch (RuntimeException e) {
      LOG.log(System.Logger.Level.WARNING, "{0}: ignoring the injected fault {1}: {2}", target, f, e.getMessage());
      return Optional.empty();
    }
  }

  private static long positive(JsonNode f, String field) {
    long value = f.path(field).asLong(0);
    if (value <= 0) {
      throw new IllegalArgumentException(field + " must be a positive number of milliseconds");
    }
    return value;
  }

  private static Optional<String> optionalText(JsonNode node, String field) {
    JsonNode value = node.path(field);
    return value.isTextual() && !value.asText().isEmpty() ? Optional.of(value.asText()) : Optional.empty();
  }

  private static String text(JsonNode node, String field) throws IOException {
    JsonNode value = node.path(field);
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new IOException("a target needs " + field);
    }
    return value.asText();
  }

  /** Stops polling; the last assignment stays readable. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    thread.interrupt();
    thread.join(Duration.ofSeconds(5));
  }
}
