package dev.tern.controlplane.provider.azure;

import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.RateLimit;
import dev.tern.controlplane.provider.Retrying;
import dev.tern.policy.geo.ClientZone;
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
 * Keeps one resource group's Traffic Manager profiles serving the committed plans of the services
 * bound to it: list the profiles, diff the service's own against {@link AzureTranslation} with
 * {@link AzureDiff} (both pure), apply only the difference, one call per change, each spaced by
 * the account's rate limit and retried on throttling, 5xx and no answer.
 *
 * <p><b>Ownership.</b> A profile is the service's when its tags say {@code tern-owner=<owner>}
 * and {@code tern-service=<service>}; only those are changed or deleted. A profile with a name
 * Tern needs and other tags (or none) was not made by Tern for this service: the reconcile
 * refuses, saying so, and changes nothing.
 *
 * <p><b>Drift.</b> A reconcile that finds changes to make for a plan version it already applied
 * found a hand edit: it is reported as drift, and corrected (under upsert-only, extra endpoints
 * and profiles are left alone).
 *
 * <p><b>Threading.</b> One reconcile per service at a time (the reconciler's loop); services may
 * reconcile concurrently. <b>Failure.</b> A failed call stops the reconcile; what was applied
 * stays, and the next reconcile continues from what it reads.
 */
public final class AzureProvider implements Provider {

  private static final Logger LOG = Logger.getLogger(AzureProvider.class.getName());

  private final AzureSettings.Account account;
  private final AzureApi api;
  private final Duration firstBackoff;
  private final RateLimit limit;
  private final Map<String, Long> applied = new ConcurrentHashMap<>();

  /** Profiles in the way that are not this owner's for this service: Tern will not touch them. */
  public static final class OwnershipException extends RuntimeException {
    OwnershipException(String message) {
      super(message);
    }
  }

  public AzureProvider(AzureSettings.Account account, AzureApi api, Duration firstBackoff) {
    this.account = account;
    this.api = api;
    this.firstBackoff = firstBackoff;
    this.limit = new RateLimit(account.requestsPerSecond());
  }

  @Override
  public String name() {
    return account.name();
  }

  @Override
  public String kind() {
    return AzureSettings.KIND;
  }

  /**
   * Traffic Manager expresses weights, failover by weight and geography down to the country; it
   * cannot hold more than 200 endpoints in a profile, name a country its hierarchy lacks, or
   * take names longer than a DNS label.
   */
  @Override
  public List<String> cannotExpress(Service service) {
    List<String> reasons = new ArrayList<>();
    if (service.backends().size() > AzureTranslation.MAX_ENDPOINTS) {
      reasons.add(service.name() + " has " + service.backends().size() + " backends; a Traffic Manager profile holds"
          + " at most " + AzureTranslation.MAX_ENDPOINTS + " endpoints");
    }
    List<ClientZone> zones = service.plannedZones();
    if (zones.size() > AzureTranslation.MAX_ENDPOINTS) {
      reasons.add(service.name() + " plans " + zones.size() + " client zones; the Geographic profile holds at most "
          + AzureTranslation.MAX_ENDPOINTS + " (one nested endpoint per zone)");
    }
    for (ClientZone zone : zones) {
      if (zone instanceof ClientZone.Country && !AzureGeography.unnamed(zone).isEmpty()) {
        reasons.add("client zone " + zone.key() + ": Azure Traffic Manager's geographic hierarchy has no code for it;"
            + " drop the zone or serve " + service.name() + " from another provider");
      }
    }
    String relative = account.relativeName(service.name());
    for (ClientZone zone : zones) {
      String child = AzureTranslation.childName(service.name(), zone);
      String childRelative = relative + "-" + AzureTranslation.zoneLabel(zone);
      if (child.length() > 63 || childRelative.length() > 63) {
        reasons.add("client zone " + zone.key() + ": profile " + child + " or its DNS name " + childRelative
            + " is longer than 63 characters; shorten the service name or set relative-names." + service.name());
        break;
      }
    }
    return List.copyOf(reasons);
  }

  @Override
  public Result reconcile(Service service, RoutingPlan plan, boolean dryRun) {
    List<AzureTmProfile> desired = AzureTranslation.profiles(plan, account.scope(plan.service()));
    limit.acquire();
    List<AzureTmProfile> all = Retrying.call(name(), "list", firstBackoff, api::list);
    List<AzureTmProfile> mine = all.stream().filter(p -> owned(p, plan.service())).toList();
    checkOwnership(plan.service(), desired, all);
    List<AzureDiff.Change> changes = AzureDiff.between(mine, desired, account.policy());
    boolean drift = !changes.isEmpty() && Long.valueOf(plan.version()).equals(applied.get(plan.service()));
    List<Change> described = changes.stream().map(c -> new Change(c.verb(), c.what())).toList();
    if (dryRun || changes.isEmpty()) {
      return new Result(plan.service(), plan.version(), described, false, drift);
    }
    if (drift) {
      LOG.warning(() -> name() + ": drift in the profiles of " + plan.service() + ", corrected: " + changes);
    }
    for (AzureDiff.Change c : changes) {
      limit.acquire();
      Retrying.run(name(), c.toString(), firstBackoff, () -> apply(c));
    }
    applied.put(plan.service(), plan.version());
    return new Result(plan.service(), plan.version(), described, true, drift);
  }

  private void apply(AzureDiff.Change c) {
    switch (c.action()) {
      case CREATE_PROFILE -> api.create(c.profile());
      case UPDATE_PROFILE -> api.update(c.profile());
      case PUT_ENDPOINT -> api.putEndpoint(c.profile().name(), c.after().orElseThrow());
      case DELETE_ENDPOINT -> api.deleteEndpoint(c.profile().name(), c.before().orElseThrow());
      case DELETE_PROFILE -> api.delete(c.profile().name());
    }
  }

  private boolean owned(AzureTmProfile p, String service) {
    return account.owner().equals(p.tags().get(AzureTranslation.OWNER_TAG))
        && service.equals(p.tags().get(AzureTranslation.SERVICE_TAG));
  }

  private void checkOwnership(String service, List<AzureTmProfile> desired, List<AzureTmProfile> all) {
    for (AzureTmProfile want : desired) {
      Optional<AzureTmProfile> there = all.stream().filter(p -> p.name().equalsIgnoreCase(want.name())).findFirst();
      if (there.isPresent() && !owned(there.get(), service)) {
        Map<String, String> tags = there.get().tags();
        String whose = tags.containsKey(AzureTranslation.OWNER_TAG)
            ? "it is tagged for owner " + tags.get(AzureTranslation.OWNER_TAG) + ", service "
                + tags.getOrDefault(AzureTranslation.SERVICE_TAG, "(none)")
            : "it has no " + AzureTranslation.OWNER_TAG + " tag";
        throw new OwnershipException(name() + ": profile " + want.name() + " in resource group "
            + account.resourceGroup() + " was not made by Tern for " + service + " (" + whose
            + "); Tern leaves it alone: delete or rename it, or bind another resource group");
      }
    }
  }

  /** The plan versions applied so far, by service (for the reconciler's status). */
  public Map<String, Long> applied() {
    return Map.copyOf(applied);
  }
}
