package dev.tern.controlplane.provider.globalaccelerator;

import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.RateLimit;
import dev.tern.controlplane.provider.Retrying;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Keeps one Global Accelerator listener serving the committed plan of the one service bound to it:
 * read the listener's endpoint groups, diff them against {@link GlobalAcceleratorTranslation}
 * (pure), apply only the difference, one call per changed group, at most {@link
 * #REQUESTS_PER_SECOND} calls a second, retrying throttling and 5xx with backoff.
 *
 * <p><b>Ownership.</b> The accelerator must carry the tag {@code tern/owner=<owner>}: that is the
 * operator's word that the endpoint groups of this listener are Tern's to set. Without the tag, or
 * with another owner's, the reconcile refuses with the reason and changes nothing. It never reads or
 * changes any other listener, nor the accelerator itself, nor a group's health-check settings.
 *
 * <p><b>Drift.</b> A reconcile that finds changes to make for a plan version it already applied
 * found a hand edit: it is reported as drift, and corrected (under upsert-only, extra groups and
 * endpoints are left alone).
 *
 * <p><b>Threading.</b> One reconcile at a time per service (the reconciler's loop); the rate limit
 * is shared by everything this account calls.
 *
 * <p><b>Failure.</b> A refused call ({@link GlobalAcceleratorApi.ApiException}, not retryable) or
 * retries used up ends the reconcile with the changes before it applied; the next reconcile
 * reads again and carries on from there.
 */
public final class GlobalAcceleratorProvider implements Provider {

  private static final Logger LOG = Logger.getLogger(GlobalAcceleratorProvider.class.getName());
  /** Global Accelerator's control plane throttles well above this; ten a second keeps clear of it. */
  static final double REQUESTS_PER_SECOND = 10;
  /** The accelerator tag that names the Tern installation owning its listeners' endpoint groups. */
  public static final String OWNER_TAG = "tern/owner";

  private final String name;
  private final String acceleratorArn;
  private final String listenerArn;
  private final Map<String, String> endpoints;
  private final Map<String, String> backendsById = new HashMap<>();
  private final String owner;
  private final GlobalAcceleratorDiff.Policy policy;
  private final GlobalAcceleratorApi api;
  private final Duration firstBackoff;
  private final Map<String, Long> applied = new ConcurrentHashMap<>();
  private final RateLimit limit = new RateLimit(REQUESTS_PER_SECOND);

  /** What one reconcile found and did. */
  public record Outcome(String service, long planVersion, List<GlobalAcceleratorDiff.Change> changes,
      boolean applied, boolean drift) {
    public Outcome {
      changes = List.copyOf(changes);
    }
  }

  /** An accelerator that is not marked as this owner's: Tern will not touch its endpoint groups. */
  public static final class OwnershipException extends RuntimeException {
    OwnershipException(String message) {
      super(message);
    }
  }

  /**
   * @param endpoints backend name to endpoint id
   * @param firstBackoff the wait before the first retry, doubling after each
   */
  public GlobalAcceleratorProvider(String name, String acceleratorArn, String listenerArn,
      Map<String, String> endpoints, String owner, GlobalAcceleratorDiff.Policy policy, GlobalAcceleratorApi api,
      Duration firstBackoff) {
    this.name = Objects.requireNonNull(name, "name");
    this.acceleratorArn = Objects.requireNonNull(acceleratorArn, "acceleratorArn");
    this.listenerArn = Objects.requireNonNull(listenerArn, "listenerArn");
    this.endpoints = Map.copyOf(endpoints);
    this.endpoints.forEach((backend, id) -> backendsById.put(id, backend));
    this.owner = Objects.requireNonNull(owner, "owner");
    this.policy = Objects.requireNonNull(policy, "policy");
    this.api = Objects.requireNonNull(api, "api");
    this.firstBackoff = Objects.requireNonNull(firstBackoff, "firstBackoff");
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String kind() {
    return GlobalAcceleratorSettings.KIND;
  }

  @Override
  public List<String> cannotExpress(Service service) {
    return GlobalAcceleratorTranslation.cannotExpress(service, endpoints);
  }

  @Override
  public Result reconcile(Service service, RoutingPlan plan, boolean dryRun) {
    Outcome o = reconcileListener(service, plan, dryRun);
    return new Result(o.service(), o.planVersion(), o.changes().stream()
        .map(c -> new Change(c.action().name().toLowerCase(java.util.Locale.ROOT),
            "endpoint-group " + c.group(label())))
        .toList(), o.applied(), o.drift());
  }

  /** Brings the listener to serve {@code plan}; with {@code dryRun}, only says what it would change. */
  public Outcome reconcileListener(Service service, RoutingPlan plan, boolean dryRun) {
    limit.acquire();
    Map<String, String> tags = Retrying.call(name, "read tags", firstBackoff, () -> api.tags(acceleratorArn));
    checkOwnership(tags);
    limit.acquire();
    List<GlobalAcceleratorDiff.Listed> current = Retrying.call(name, "read endpoint groups", firstBackoff,
        () -> api.endpointGroups(listenerArn));
    List<EndpointGroup> desired = GlobalAcceleratorTranslation.endpointGroups(plan, service, endpoints);
    List<GlobalAcceleratorDiff.Change> changes = GlobalAcceleratorDiff.between(current, desired, policy);
    boolean drift = !changes.isEmpty() && Long.valueOf(plan.version()).equals(applied.get(plan.service()));
    if (dryRun || changes.isEmpty()) {
      return new Outcome(plan.service(), plan.version(), changes, false, drift);
    }
    if (drift) {
      LOG.warning(() -> name + ": drift in listener " + listenerArn + ", corrected: " + changes.stream()
          .map(c -> c.describe(label())).toList());
    }
    for (GlobalAcceleratorDiff.Change c : changes) {
      limit.acquire();
      String what = c.describe(label());
      switch (c.action()) {
        case CREATE -> {
          // One token for every attempt: a create that succeeded but whose answer was lost returns
          // the same group when retried, instead of failing as a duplicate.
          String token = UUID.randomUUID().toString();
          Retrying.call(name, what, firstBackoff, () -> api.create(listenerArn, c.after().orElseThrow(), token));
        }
        case UPDATE -> Retrying.run(name, what, firstBackoff, () -> api.update(c.arn().orElseThrow(),
            c.after().orElseThrow()));
        case DELETE -> Retrying.run(name, what, firstBackoff, () -> api.delete(c.arn().orElseThrow()));
      }
    }
    applied.put(plan.service(), plan.version());
    LOG.info(() -> name + ": " + plan.service() + " plan v" + plan.version() + " applied to listener " + listenerArn
        + ": " + changes.stream().map(c -> c.describe(label())).toList());
    return new Outcome(plan.service(), plan.version(), changes, true, drift);
  }

  private void checkOwnership(Map<String, String> tags) {
    String tagged = tags.get(OWNER_TAG);
    if (tagged == null) {
      throw new OwnershipException(name + ": accelerator " + acceleratorArn + " has no " + OWNER_TAG + " tag, so Tern"
          + " did not get it to manage; tag it " + OWNER_TAG + "=" + owner + " if Tern should own the endpoint groups"
          + " of listener " + listenerArn + ", or choose another accelerator; Tern leaves it alone");
    }
    if (!tagged.equals(owner)) {
      throw new OwnershipException(name + ": accelerator " + acceleratorArn + " is marked as someone else's ("
          + OWNER_TAG + "=" + tagged + ", this installation is " + owner + "); Tern leaves it alone");
    }
  }

  /** Endpoint ids shown as the backend they serve ({@code fra}), or as themselves when no backend maps to them. */
  private Function<String, String> label() {
    return id -> backendsById.getOrDefault(id, id);
  }

  @Override
  public void close() {
    Provider.closeQuietly(name, api);
  }

  /** The plan versions applied so far, by service (for the reconciler's status). */
  public Map<String, Long> applied() {
    return Map.copyOf(applied);
  }
}
