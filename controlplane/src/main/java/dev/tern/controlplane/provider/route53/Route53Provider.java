package dev.tern.controlplane.provider.route53;

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
 * Keeps one hosted zone serving the committed plans of the services bound to it: read what is
 * there, diff it against {@link Route53Translation} (pure), apply only the difference, in batches
 * of at most {@link Route53Api#MAX_BATCH}, retrying throttling and 5xx with backoff.
 *
 * <p><b>Ownership.</b> It touches only the hostname of a bound service, the service's zone
 * names, and its ownership TXT record, and only when that record names this owner. Records at the
 * hostname without it were not made by Tern: the reconcile refuses, saying so.
 *
 * <p><b>Drift.</b> A reconcile that finds changes to make for a plan version it already applied
 * found a hand edit: it is reported as drift, and corrected (under upsert-only, extra records are
 * left alone).
 *
 * <p><b>Threading.</b> One reconcile per service at a time (the reconciler's loop); services may
 * reconcile concurrently.
 */
public final class Route53Provider implements Provider {

  private static final Logger LOG = Logger.getLogger(Route53Provider.class.getName());
  /** Route 53 allows five requests a second per account. */
  static final double REQUESTS_PER_SECOND = 5;

  private final String name;
  private final String hostedZoneId;
  private final String owner;
  private final Route53Diff.Policy policy;
  private final Route53Api api;
  private final Duration firstBackoff;
  private final Map<String, Long> applied = new ConcurrentHashMap<>();
  private final RateLimit limit = new RateLimit(REQUESTS_PER_SECOND);

  /** What one reconcile found and did. */
  public record Outcome(String service, long planVersion, List<Route53Diff.Change> changes, boolean applied,
      boolean drift) {}

  /** Records at a hostname that are not this owner's: Tern will not touch them. */
  public static final class OwnershipException extends RuntimeException {
    OwnershipException(String message) {
      super(message);
    }
  }

  public Route53Provider(String name, String hostedZoneId, String owner, Route53Diff.Policy policy, Route53Api api,
      Duration firstBackoff) {
    this.name = name;
    this.hostedZoneId = hostedZoneId;
    this.owner = owner;
    this.policy = policy;
    this.api = api;
    this.firstBackoff = firstBackoff;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return "route53";
  }

  /** Route 53 expresses every Tern policy: geolocation down to the country, weights, failover by weight. */
  @Override
  public List<String> cannotExpress(Service service) {
    return List.of();
  }

  @Override
  public Result reconcile(Service service, RoutingPlan plan, boolean dryRun) {
    Outcome o = reconcile(plan, dryRun);
    return new Result(o.service(), o.planVersion(), o.changes().stream()
        .map(c -> new Change(c.action().equals("DELETE") ? "delete" : "upsert", c.record().toString())).toList(),
        o.applied(), o.drift());
  }

  /** Brings the zone to serve {@code plan}; with {@code dryRun}, only says what it would change. */
  public Outcome reconcile(RoutingPlan plan, boolean dryRun) {
    String host = Route53Translation.fqdn(plan.hostname());
    limit.acquire();
    List<Route53Record> current = Retrying.call(name, "read", firstBackoff, () -> api.list(hostedZoneId)).stream()
        .filter(r -> Route53Translation.managedName(r.name(), host)).toList();
    checkOwnership(plan.service(), host, current);
    List<Route53Diff.Change> changes = Route53Diff.between(current, Route53Translation.records(plan, owner), policy);
    boolean drift = !changes.isEmpty() && Long.valueOf(plan.version()).equals(applied.get(plan.service()));
    if (dryRun || changes.isEmpty()) {
      return new Outcome(plan.service(), plan.version(), changes, false, drift);
    }
    if (drift) {
      LOG.warning(() -> name + ": drift at " + host + ", corrected: " + changes);
    }
    for (List<Route53Diff.Change> batch : batches(changes)) {
      limit.acquire();
      Retrying.run(name, "change", firstBackoff,
          () -> api.change(hostedZoneId, batch, "tern: " + plan.service() + " plan v" + plan.version()));
    }
    applied.put(plan.service(), plan.version());
    return new Outcome(plan.service(), plan.version(), changes, true, drift);
  }

  private void checkOwnership(String service, String host, List<Route53Record> current) {
    Optional<Route53Record> marker = current.stream()
        .filter(r -> r.type().equals("TXT") && r.name().equals(Route53Translation.ownershipName(host))).findFirst();
    String mine = Route53Translation.ownershipValue(service, owner);
    if (marker.isPresent() && !marker.get().values().contains(mine)) {
      throw new OwnershipException(name + ": " + host + " is marked as someone else's (" + String.join(" ",
          marker.get().values()) + "); Tern leaves it alone");
    }
    if (marker.isEmpty() && !current.isEmpty()) {
      throw new OwnershipException(name + ": " + host + " has records Tern did not create (" + current.size()
          + "); remove them or choose another hostname; Tern leaves them alone");
    }
  }

  @Override
  public void close() {
    Provider.closeQuietly(name, api);
  }

  /** The plan versions applied so far, by service (for the reconciler's status). */
  public Map<String, Long> applied() {
    return Map.copyOf(applied);
  }

  static List<List<Route53Diff.Change>> batches(List<Route53Diff.Change> changes) {
    List<List<Route53Diff.Change>> out = new ArrayList<>();
    for (int from = 0; from < changes.size(); from += Route53Api.MAX_BATCH) {
      out.add(changes.subList(from, Math.min(changes.size(), from + Route53Api.MAX_BATCH)));
    }
    return out;
  }
}
