package dev.tern.controlplane.provider.azure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The changes that take a service's owned profiles to the desired ones: a pure function over two
 * lists. A missing profile is created whole (with its endpoints); an existing one gets a settings
 * update and endpoint puts and deletes, so a failover touches only the endpoints that moved.
 * Under {@link Policy#UPSERT_ONLY} nothing is deleted.
 *
 * <p><b>Order.</b> Azure checks references and overlaps on every call, so the changes are ordered:
 * children before the parent (a nested endpoint must point at an existing profile); in each
 * profile, endpoint deletes, then updates that map no new code, then the rest (a code moves only
 * once its old endpoint has let go of it); profiles are deleted last, after the parent's
 * endpoints that pointed at them.
 */
public final class AzureDiff {

  /** How much a reconcile may change: everything, or never delete. */
  public enum Policy {
    SYNC,
    UPSERT_ONLY
  }

  /** What a change does. */
  public enum Action {
    CREATE_PROFILE,
    UPDATE_PROFILE,
    PUT_ENDPOINT,
    DELETE_ENDPOINT,
    DELETE_PROFILE
  }

  /**
   * One change to one profile.
   *
   * @param profile the profile as it should be (create, update) or as it is (delete); for an endpoint change
   *     the profile the endpoint is in, as it should be
   * @param before the endpoint as it is (update, delete)
   * @param after the endpoint as it should be (create, update)
   */
  public record Change(Action action, AzureTmProfile profile, Optional<AzureTmEndpoint> before,
      Optional<AzureTmEndpoint> after) {
    public Change {
      Objects.requireNonNull(action, "action");
      Objects.requireNonNull(profile, "profile");
      Objects.requireNonNull(before, "before");
      Objects.requireNonNull(after, "after");
    }

    /** The endpoint a change puts or deletes. */
    public AzureTmEndpoint endpoint() {
      return after.or(() -> before).orElseThrow();
    }

    /** {@code create}, {@code update} or {@code delete}, as {@code Provider.Change} says it. */
    public String verb() {
      return switch (action) {
        case CREATE_PROFILE -> "create";
        case UPDATE_PROFILE -> "update";
        case PUT_ENDPOINT -> before.isPresent() ? "update" : "create";
        case DELETE_ENDPOINT, DELETE_PROFILE -> "delete";
      };
    }

    /** What the change touches, readably. */
    public String what() {
      return switch (action) {
        case CREATE_PROFILE, UPDATE_PROFILE, DELETE_PROFILE -> "profile " + profile;
        case PUT_ENDPOINT -> "endpoint " + profile.name() + "/" + after.orElseThrow()
            + before.map(b -> " (was " + b + ")").orElse("");
        case DELETE_ENDPOINT -> "endpoint " + profile.name() + "/" + before.orElseThrow();
      };
    }

    @Override
    public String toString() {
      return verb() + " " + what();
    }
  }

  private AzureDiff() {}

  /**
   * The changes from {@code current} (the service's owned profiles) to {@code desired} (children
   * first, parent last, as {@link AzureTranslation#profiles} gives them).
   */
  public static List<Change> between(List<AzureTmProfile> current, List<AzureTmProfile> desired, Policy policy) {
    Map<String, AzureTmProfile> now = new LinkedHashMap<>();
    current.forEach(p -> now.put(p.name(), p));
    Set<String> wanted = new HashSet<>();
    desired.forEach(p -> wanted.add(p.name()));
    List<Change> out = new ArrayList<>();
    for (AzureTmProfile want : desired) {
      AzureTmProfile have = now.get(want.name());
      if (have == null) {
        out.add(new Change(Action.CREATE_PROFILE, want, Optional.empty(), Optional.empty()));
        continue;
      }
      AzureTmProfile target = policy == Policy.UPSERT_ONLY ? keepingExtras(have, want) : want;
      if (!have.settings().equals(target.settings())) {
        Map<String, String> tags = new HashMap<>(have.tags());
        tags.putAll(target.ternTags());
        out.add(new Change(Action.UPDATE_PROFILE, new AzureTmProfile(target.name(), target.routingMethod(),
            target.relativeName(), target.ttl(), target.enabled(), tags, target.endpoints(), target.fqdn()),
            Optional.empty(), Optional.empty()));
      }
      out.addAll(endpointChanges(have, target, policy));
    }
    if (policy == Policy.SYNC) {
      for (AzureTmProfile have : now.values()) {
        if (!wanted.contains(have.name())) {
          out.add(new Change(Action.DELETE_PROFILE, have, Optional.empty(), Optional.empty()));
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * Under upsert-only, endpoints Tern no longer wants stay; the codes they keep are taken out of
   * the wanted endpoints, or Azure would refuse the overlap.
   */
  private static AzureTmProfile keepingExtras(AzureTmProfile have, AzureTmProfile want) {
    Set<String> kept = new HashSet<>();
    have.endpoints().stream().filter(e -> want.endpoint(e.name()).isEmpty()).forEach(e -> kept.addAll(e.geoMapping()));
    if (kept.isEmpty()) {
      return want;
    }
    List<AzureTmEndpoint> endpoints = want.endpoints().stream().map(e -> new AzureTmEndpoint(e.name(), e.kind(),
        e.target(), e.weight(), e.geoMapping().stream().filter(c -> !kept.contains(c)).toList(), e.enabled(),
        e.alwaysServe())).toList();
    return new AzureTmProfile(want.name(), want.routingMethod(), want.relativeName(), want.ttl(), want.enabled(),
        want.tags(), endpoints, want.fqdn());
  }

  private static List<Change> endpointChanges(AzureTmProfile have, AzureTmProfile want, Policy policy) {
    List<Change> deletes = new ArrayList<>();
    List<Change> shrinking = new ArrayList<>();
    List<Change> growing = new ArrayList<>();
    if (policy == Policy.SYNC) {
      for (AzureTmEndpoint e : have.endpoints()) {
        if (want.endpoint(e.name()).isEmpty()) {
          deletes.add(new Change(Action.DELETE_ENDPOINT, want, Optional.of(e), Optional.empty()));
        }
      }
    }
    for (AzureTmEndpoint e : want.endpoints()) {
      Optional<AzureTmEndpoint> before = have.endpoint(e.name());
      if (before.isPresent() && before.get().equals(e)) {
        continue;
      }
      Change c = new Change(Action.PUT_ENDPOINT, want, before, Optional.of(e));
      boolean newCodes = before.map(b -> !b.geoMapping().containsAll(e.geoMapping())).orElse(!e.geoMapping().isEmpty());
      (newCodes ? growing : shrinking).add(c);
    }
    List<Change> out = new ArrayList<>(deletes);
    out.addAll(shrinking);
    out.addAll(growing);
    return out;
  }
}
