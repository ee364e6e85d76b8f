package dev.tern.controlplane.provider.clouddns;

import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.RateLimit;
import dev.tern.controlplane.provider.Retrying;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Keeps one Cloud DNS managed zone serving the committed plans of the services bound to it: read
 * the zone's record sets, diff them against {@link CloudDnsTranslation} (pure), and submit only the
 * difference as one change (deletions and additions, atomic), then follow it until Cloud DNS says
 * it is done. Every call waits for the account's rate limit and retries 429, 5xx and rate-limit
 * 403s with backoff.
 *
 * <p><b>Ownership.</b> It touches only the hostname of a bound service, the service's {@code z-}
 * names and its ownership TXT record, and only when that record names this owner. Record sets at
 * those names without it were not made by Tern: the reconcile refuses, saying so, and changes
 * nothing.
 *
 * <p><b>Drift.</b> A reconcile that finds changes to make for a plan version it already applied
 * found a hand edit: it is reported as drift, and corrected (under upsert-only, extra record sets
 * are left alone).
 *
 * <p><b>Threading.</b> One reconcile per service at a time (the reconciler's loop); services may
 * reconcile concurrently and share the account's rate limit.
 *
 * <p><b>Failure.</b> A call that still fails after {@link Retrying#ATTEMPTS} attempts, or that
 * Cloud DNS refuses (4xx), throws {@link CloudDnsApi.ApiException}; a change is atomic, so a failed
 * one changed nothing, and the next reconcile reads again and starts over.
 */
public final class CloudDnsProvider implements Provider {

  private static final Logger LOG = Logger.getLogger(CloudDnsProvider.class.getName());
  /** Cloud DNS allows a few hundred requests a minute per project: five a second keeps well inside. */
  static final double REQUESTS_PER_SECOND = 5;
  /** How many times a reconcile asks whether its change is done before it leaves it pending. */
  static final int FOLLOW_UPS = 10;

  private final String name;
  private final String project;
  private final String managedZone;
  private final String owner;
  private final CloudDnsDiff.Policy policy;
  private final CloudDnsApi api;
  private final Duration firstBackoff;
  private final RateLimit limit;
  private final Map<String, Long> applied = new ConcurrentHashMap<>();

  /** Record sets at a hostname that are not this owner's: Tern will not touch them. */
  public static final class OwnershipException extends RuntimeException {
    OwnershipException(String message) {
      super(message);
    }
  }

  public CloudDnsProvider(String name, String project, String managedZone, String owner, CloudDnsDiff.Policy policy,
      CloudDnsApi api, Duration firstBackoff, double requestsPerSecond) {
    this.name = name;
    this.project = project;
    this.managedZone = managedZone;
    this.owner = owner;
    this.policy = policy;
    this.api = api;
    this.firstBackoff = firstBackoff;
    this.limit = new RateLimit(requestsPerSecond);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "cloud-dns";
  }

  @Override
  public List<String> cannotExpress(Service service) {
    return CloudDnsTranslation.cannotExpress(service);
  }

  @Override
  public Result reconcile(Service service, RoutingPlan plan, boolean dryRun) {
    return reconcile(plan, CloudDnsTranslation.fenced(service), dryRun);
  }

  /**
   * Brings the zone to serve {@code plan}; with {@code dryRun}, only says what it would change.
   *
   * @param fenced whether the service has residency rules ({@link CloudDnsTranslation#fenced(Service)})
   */
  public Result reconcile(RoutingPlan plan, boolean fenced, boolean dryRun) {
    String host = CloudDnsTranslation.fqdn(plan.hostname());
    List<CloudDnsRecord> current = call("read", () -> api.list(project, managedZone)).stream()
        .filter(r -> CloudDnsTranslation.managedName(r.name(), host)).toList();
    checkOwnership(plan.service(), host, current);
    List<CloudDnsDiff.Change> changes = CloudDnsDiff.between(current,
        CloudDnsTranslation.records(plan, fenced, owner), policy);
    boolean drift = !changes.isEmpty() && Long.valueOf(plan.version()).equals(applied.get(plan.service()));
    List<Change> said = changes.stream().map(c -> new Change(c.action(), c.after().or(c::before).orElseThrow()
        .toString())).toList();
    if (dryRun || changes.isEmpty()) {
      return new Result(plan.service(), plan.version(), said, false, drift);
    }
    if (drift) {
      LOG.warning(() -> name + ": drift at " + host + ", corrected: " + changes);
    }
    for (List<CloudDnsDiff.Change> batch : batches(changes)) {
      List<CloudDnsRecord> deletions = batch.stream().flatMap(c -> c.before().stream()).toList();
      List<CloudDnsRecord> additions = batch.stream().flatMap(c -> c.after().stream()).toList();
      String id = call("change", () -> api.change(project, managedZone, deletions, additions));
      follow(id);
    }
    applied.put(plan.service(), plan.version());
    return new Result(plan.service(), plan.version(), said, true, drift);
  }

  private void follow(String id) {
    for (int i = 0; i < FOLLOW_UPS; i++) {
      if (call("follow change " + id, () -> api.done(project, managedZone, id))) {
        return;
      }
    }
    LOG.info(() -> name + ": change " + id + " is still pending at Cloud DNS; it was accepted and will be served");
  }

  private <T> T call(String what, java.util.function.Supplier<T> call) {
    return Retrying.call(name, what, firstBackoff, () -> {
      limit.acquire();
      return call.get();
    });
  }

  private void checkOwnership(String service, String host, List<CloudDnsRecord> current) {
    Optional<CloudDnsRecord> marker = current.stream()
        .filter(r -> r.type().equals("TXT") && r.name().equals(CloudDnsTranslation.ownershipName(host))).findFirst();
    String mine = CloudDnsTranslation.ownershipValue(service, owner);
    if (marker.isPresent() && !marker.get().rrdatas().contains(mine)) {
      throw new OwnershipException(name + ": " + host + " is marked as someone else's (" + String.join(" ",
          marker.get().rrdatas()) + "); Tern leaves it alone");
    }
    if (marker.isEmpty() && !current.isEmpty()) {
      throw new OwnershipException(name + ": " + host + " has record sets Tern did not create (" + String.join(", ",
          current.stream().map(r -> r.key().toString()).toList()) + "); remove them or choose another hostname;"
          + " Tern leaves them alone");
    }
  }

  /** The plan versions applied so far, by service (for the reconciler's status). */
  public Map<String, Long> applied() {
    return Map.copyOf(applied);
  }

  /** Changes in groups whose additions and deletions each stay within {@link CloudDnsApi#MAX_CHANGE}. */
  static List<List<CloudDnsDiff.Change>> batches(List<CloudDnsDiff.Change> changes) {
    List<List<CloudDnsDiff.Change>> out = new ArrayList<>();
    for (int from = 0; from < changes.size(); from += CloudDnsApi.MAX_CHANGE) {
      out.add(changes.subList(from, Math.min(changes.size(), from + CloudDnsApi.MAX_CHANGE)));
    }
    return out;
  }
}
