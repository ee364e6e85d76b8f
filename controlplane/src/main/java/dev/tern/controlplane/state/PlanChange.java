package dev.tern.controlplane.state;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One new plan version of a service, as replicated, with what caused it: the timeline's entry.
 *
 * <table>
 *   <tr><th>kind</th><th>caused by</th><th>audit entry</th></tr>
 *   <tr><td>failover</td><td>health: backends turned UNHEALTHY</td><td>{@code plan.failover}, written with it</td></tr>
 *   <tr><td>failback</td><td>health: backends came back</td><td>{@code plan.failback}, written with it</td></tr>
 *   <tr><td>policy</td><td>a policy created or replaced</td><td>the {@code service.*} entry</td></tr>
 *   <tr><td>drain, undrain</td><td>an operator</td><td>the {@code backend.*} entry</td></tr>
 *   <tr><td>engine</td><td>the routing method re-ranking (latency), or a wait ending (failback delay)</td><td>none (0)</td></tr>
 * </table>
 *
 * @param sequence position in the timeline, from 1
 * @param cause who or what caused it, in words
 * @param changes the plan diff, one line per zone and answer change
 * @param detectedAt for health-caused changes, when the first verdict changed
 * @param auditSequence the audit entry it links to; 0 when none
 * @param decidedBy the leader whose decision published it; empty for a plan published before
 *     leaders stamped their decisions
 */
public record PlanChange(
    long sequence,
    String service,
    long fromVersion,
    long toVersion,
    Instant decidedAt,
    String kind,
    String cause,
    List<String> changes,
    Optional<Instant> detectedAt,
    long auditSequence,
    Optional<LeaderStamp> decidedBy) {

  public PlanChange {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(decidedAt, "decidedAt");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(cause, "cause");
    changes = List.copyOf(changes);
    Objects.requireNonNull(detectedAt, "detectedAt");
    Objects.requireNonNull(decidedBy, "decidedBy");
  }

  PlanChange withDecidedBy(LeaderStamp stamp) {
    return new PlanChange(sequence, service, fromVersion, toVersion, decidedAt, kind, cause, changes, detectedAt,
        auditSequence, Optional.of(stamp));
  }
}
