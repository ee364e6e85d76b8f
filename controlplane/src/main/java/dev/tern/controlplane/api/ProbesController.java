package dev.tern.controlplane.api;

import dev.tern.controlplane.chaos.ProbeFaults;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.decision.LatencyHistory;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.HealthCheck;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The probe agents' side: batches of observations in (to this node's health book only; probes send
 * every batch to every node), and assignments out (what to check, long-polled so that new backends
 * are picked up without a restart).
 */
@Controller("/api/v1/probes")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ProbesController {
  /** How often a long poll for assignments checks that the node still knows a leader. */
  private static final Duration WAIT_SLICE = Duration.ofSeconds(1);

  /** One check result as a probe reports it. */
  @Serdeable
  record ObservationIn(String vantage, String service, String backend, Instant at, boolean ok, double latencyMs,
      @Nullable String error) {}

  /** A batch from one probe agent. */
  @Serdeable
  record Batch(List<ObservationIn> observations) {}

  /** What the node did with a batch. */
  @Serdeable
  record Ingested(int accepted, int unknownTarget) {}

  /**
   * One check to run. The HTTP fields are null for other kinds, the DNS ones for other kinds
   * than dns; {@code host} null means the backend's address.
   */
  @Serdeable
  record Target(String service, String backend, String address, String kind, int port, long intervalMs,
      long timeoutMs, @Nullable String path, @Nullable List<Integer> expectStatus, @Nullable String bodyContains,
      @Nullable String host, @Nullable String caCertificate, @Nullable Boolean keepAlive,
      @Nullable Integer maxBodyBytes, @Nullable String query, @Nullable String queryType,
      ProbeFaults.@Nullable Wire fault) {

    static Target of(String service, Backend b, ProbeFaults.@Nullable Wire fault) {
      HealthCheck h = b.healthCheck();
      boolean http = h.kind() == HealthCheck.Kind.HTTP || h.kind() == HealthCheck.Kind.HTTPS;
      var o = h.http();
      return new Target(service, b.name(), b.address(), h.kind().key(), h.port(), h.interval().toMillis(),
          h.timeout().toMillis(),
          http ? h.path() : null,
          http ? h.expectedStatus().stream().sorted().toList() : null,
          http ? h.bodyContains().orElse(null) : null,
          http ? o.host().orElse(null) : null,
          http ? o.caCertificate().orElse(null) : null,
          http ? o.keepAlive() : null,
          http ? o.maxBodyBytes() : null,
          h.dns().map(HealthCheck.DnsQuery::name).orElse(null),
          h.dns().map(HealthCheck.DnsQuery::type).orElse(null),
          fault);
    }
  }

  /**
   * Everything a probe in one region should check. {@code version} rises with every change to it
   * (policies, and chaos faults for the probes); a probe long-polls with the one it has.
   */
  @Serdeable
  record Assignment(String region, long version, long policyVersion, List<Target> targets) {}

  /**
   * The span an observation's time may fall in: four-digit years from the epoch on. A probe sends
   * its clock's now; beyond these, times only break the arithmetic of staleness and charts.
   */
  static final Instant EARLIEST_AT = Instant.EPOCH;
  static final Instant LATEST_AT = Instant.parse("9999-12-31T23:59:59Z");

  private final RaftNode node;
  private final HealthBook book;
  private final LatencyHistory history;
  private final StateEvents events;
  private final int maxBatch;
  private final double batchesPerSecond;
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();
  private final ProbeFaults faults = new ProbeFaults();

  ProbesController(RaftNode node, HealthBook book, LatencyHistory history, StateEvents events,
      @Value("${tern.ingest.max-batch:5000}") int maxBatch,
      @Value("${tern.ingest.batches-per-second:20}") double batchesPerSecond) {
    this.node = node;
    this.book = book;
    this.history = history;
    this.events = events;
    this.maxBatch = maxBatch;
    this.batchesPerSecond = batchesPerSecond;
  }

  @Post("/observations")
  @RequiresRole(Role.PROBE)
  Ingested ingest(@Body Batch batch, Caller caller) {
    if (!buckets.computeIfAbsent(caller.name(), k -> new TokenBucket(batchesPerSecond)).take(System.nanoTime())) {
      throw new HttpStatusException(HttpStatus.TOO_MANY_REQUESTS,
          "more than " + batchesPerSecond + " batches per second from " + caller.name() + "; batch more observations per request");
    }
    if (batch.observations() == null || batch.observations().isEmpty()) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, "the batch has no observations");
    }
    if (batch.observations().size() > maxBatch) {
      throw new HttpStatusException(HttpStatus.REQUEST_ENTITY_TOO_LARGE,
          batch.observations().size() + " observations in one batch; at most " + maxBatch);
    }
    List<ProbeObservation> observations = new ArrayList<>(batch.observations().size());
    for (int i = 0; i < batch.observations().size(); i++) {
      observations.add(toObservation(batch.observations().get(i), i));
    }
    int accepted = book.ingest(observations);
    history.record(observations);
    return new Ingested(accepted, observations.size() - accepted);
  }

  private static ProbeObservation toObservation(ObservationIn o, int index) {
    String where = "observations[" + index + "]";
    if (o == null) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, where + " is null; send an object with vantage, service,"
          + " backend, at, ok and latencyMs");
    }
    if (o.vantage() == null || o.service() == null || o.backend() == null || o.at() == null) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, where + ": vantage, service, backend and at are required");
    }
    Region vantage = Region.parse(o.vantage()).orElseThrow(() -> new HttpStatusException(HttpStatus.BAD_REQUEST,
        where + ".vantage: unknown region '" + o.vantage() + "'; write cloud:region, e.g. aws:eu-central-1"));
    if (o.at().isBefore(EARLIEST_AT) || o.at().isAfter(LATEST_AT)) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, where + ".at must be between " + EARLIEST_AT + " and "
          + LATEST_AT + ", got " + o.at());
    }
    if (!(o.latencyMs() >= 0 && o.latencyMs() <= 600_000)) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, where + ".latencyMs must be 0..600000");
    }
    Duration latency = Duration.ofNanos((long) (o.latencyMs() * 1_000_000));
    return new ProbeObservation(vantage, o.service(), o.backend(), o.at(), o.ok(), latency,
        o.ok() ? Optional.empty() : Optional.of(o.error() == null ? "failed" : truncate(o.error())));
  }

  private static String truncate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200);
  }

  /**
   * The checks a probe in {@code region} runs. With {@code after}, waits (up to {@code waitSeconds},
   * at most 60) until the policy version passes it: a probe polls with the version it has.
   */
  @Get("/assignments")
  @RequiresRole(Role.PROBE)
  Assignment assignments(@Nullable @QueryValue String region, @Nullable @QueryValue Long after,
      @Nullable @QueryValue Integer waitSeconds) throws InterruptedException {
    if (region == null || Region.parse(region).isEmpty()) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, "give the probe's region as ?region=cloud:region, e.g. aws:eu-central-1");
    }
    requireLeader();
    if (after != null) {
      // Waits in slices, so that a node that loses its leader meanwhile sends the probe elsewhere
      // within a slice rather than at the end of the wait.
      long wait = Duration.ofSeconds(Math.max(0, Math.min(60, waitSeconds == null ? 30 : waitSeconds))).toNanos();
      long deadline = System.nanoTime() + wait;
      long left = wait;
      while (events.assignmentVersion() <= after && left > 0) {
        events.awaitAssignmentAfter(after, Duration.ofNanos(Math.min(WAIT_SLICE.toNanos(), left)));
        requireLeader();
        left = deadline - System.nanoTime();
      }
      requireLeader();
    }
    long version = events.assignmentVersion();
    Map<String, ProbeFaults.Wire> injected = faults.forRegion(node.state(), Region.parse(region).orElseThrow());
    List<Target> targets = new ArrayList<>();
    for (ServiceState s : node.state().services()) {
      for (Backend b : s.model().backends()) {
        targets.add(Target.of(s.name(), b, injected.get(s.name() + "/" + b.name())));
      }
    }
    return new Assignment(region, version, node.state().policyVersion(), targets);
  }

  /**
   * A node that knows no leader is cut off from the cluster's majority (or an election is under
   * way): its state may be behind, and a probe following it would keep checking stale targets and
   * miss a chaos run's fault. It sends the probe to another node instead; the agent moves on at a
   * non-200 answer.
   */
  private void requireLeader() {
    if (node.leaderId().isEmpty()) {
      throw new HttpStatusException(HttpStatus.SERVICE_UNAVAILABLE, "node " + node.nodeId()
          + " knows no leader (cut off from the cluster, or an election is under way); ask another node");
    }
  }

  /** A token bucket: {@code rate} per second, bursts of twice that. */
  private static final class TokenBucket {
    private final double rate;
    private final double capacity;
    private double tokens;
    private long last;

    TokenBucket(double rate) {
      this.rate = rate;
      this.capacity = Math.max(1, rate * 2);
      this.tokens = capacity;
      this.last = System.nanoTime();
    }

    synchronized boolean take(long now) {
      tokens = Math.min(capacity, tokens + (now - last) / 1e9 * rate);
      last = now;
      if (tokens >= 1) {
        tokens--;
        return true;
      }
      return false;
    }
  }
}
