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
 * profile, endpoint deletes, then puts, each once no other endpoint still holds a code it maps
 * (a code moves only after its old endpoint let go of it); profiles are deleted last, after the parent's
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
    List<Change> out = new ArrayList<>();
    Map<String, String> holder = new HashMap<>();
    for (AzureTmEndpoint e : have.endpoints()) {
      if (policy == Policy.SYNC && want.endpoint(e.name()).isEmpty()) {
        out.add(new Change(Action.DELETE_ENDPOINT, want, Optional.of(e), Optional.empty()));
      } else {
        e.geoMapping().forEach(c -> holder.put(c, e.name()));
      }
    }
    List<Change> pending = new ArrayList<>();
    for (AzureTmEndpoint e : want.endpoints()) {
      Optional<AzureTmEndpoint> before = have.endpoint(e.name());
      if (before.isEmpty() || !before.get().equals(e)) {
        pending.add(new Change(Action.PUT_ENDPOINT, want, before, Optional.of(e)));
      }
    }
    // Each put goes once no other endpoint holds a code it maps; zones decide codes, so there is
    // always one that can go (a swap would need two zones trading countries).
    while (!pending.isEmpty()) {
      Change next = pending.stream().filter(c -> free(c, holder)).findFirst().orElse(pending.getFirst());
      pending.remove(next);
      next.before().ifPresent(b -> b.geoMapping().forEach(c -> holder.remove(c, b.name())));
      next.after().orElseThrow().geoMapping().forEach(c -> holder.put(c, next.endpoint().name()));
      out.add(next);
    }
    return out;
  }

  private static boolean free(Change c, Map<String, String> holder) {
    String name = c.endpoint().name();
    return c.after().orElseThrow().geoMapping().stream().allMatch(code -> holder.getOrDefault(code, name).equals(name));
  }
}
