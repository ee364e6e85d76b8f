package dev.tern.policy.routing;

import dev.tern.policy.geo.ClientZone;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One service's answer per client zone, as the decision engine chose it.
 *
 * @param version increases by one every time an answer set changes
 * @param policyVersion the policy version it was decided under
 * @param decidedAt when the current answers were chosen
 * @param recentChanges when the plan changed in the last minute, oldest first (for the limit)
 * @param zones most specific zone first; a client is answered by the first zone that contains it
 */
public record RoutingPlan(
    String service,
    String hostname,
    long version,
    long policyVersion,
    int ttl,
    Instant decidedAt,
    List<Instant> recentChanges,
    List<ZoneAnswer> zones) {

  /** Every non-empty zone's weights add up to this. */
  public static final int WEIGHT_TOTAL = 1000;

  public RoutingPlan {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(decidedAt, "decidedAt");
    recentChanges = List.copyOf(recentChanges);
    zones = List.copyOf(zones);
  }

  public Optional<ZoneAnswer> zone(ClientZone zone) {
    for (ZoneAnswer z : zones) {
      if (z.zone().equals(zone)) {
        return Optional.of(z);
      }
    }
    return Optional.empty();
  }

  /** The answer a client in {@code clientZone} gets: the most specific planned zone containing it. */
  public ZoneAnswer answerFor(ClientZone clientZone) {
    for (ClientZone z : clientZone.lineage()) {
      Optional<ZoneAnswer> answer = zone(z);
      if (answer.isPresent()) {
        return answer.get();
      }
    }
    throw new IllegalStateException("plan of " + service + " has no default zone");
  }

  /** True when every zone answers the same backends with the same weights as in {@code other}. */
  public boolean sameAnswersAs(RoutingPlan other) {
    if (other.zones.size() != zones.size()) {
      return false;
    }
    for (int i = 0; i < zones.size(); i++) {
      ZoneAnswer a = zones.get(i);
      ZoneAnswer b = other.zones.get(i);
      if (!a.zone().equals(b.zone()) || a.mode() != b.mode() || !a.sameAnswersAs(b)) {
        return false;
      }
    }
    return true;
  }
}
