package dev.tern.controlplane.api;

import dev.tern.controlplane.state.AuditEntry;
import dev.tern.controlplane.state.FailoverEvent;
import dev.tern.controlplane.state.LeaderStamp;
import dev.tern.controlplane.state.PlanChange;
import dev.tern.policy.health.VantageView;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/** The JSON shapes of the API: views of the replicated state, never the state objects themselves. */
final class Views {

  private Views() {}

  /** A routing plan with the engine's explanation per zone. */
  @Serdeable
  record Plan(String service, String hostname, long version, long policyVersion, int ttl, Instant decidedAt, List<Zone> zones) {
    static Plan of(RoutingPlan p) {
      return new Plan(p.service(), p.hostname(), p.version(), p.policyVersion(), p.ttl(), p.decidedAt(),
          p.zones().stream().map(Zone::of).toList());
    }
  }

  /** One client zone's answer. */
  @Serdeable
  record Zone(String zone, String mode, List<Answer> answers, List<String> explanation) {
    static Zone of(ZoneAnswer z) {
      return new Zone(z.zone().key(), z.mode().name(), z.answers().stream().map(Answer::of).toList(), z.explanation());
    }
  }

  /** One backend in an answer, with its weight out of 1000 and why it may answer. */
  @Serdeable
  record Answer(String backend, String address, int weight, String standing) {
    static Answer of(WeightedAnswer a) {
      return new Answer(a.backend(), a.address(), a.weight(), a.standing().name());
    }
  }

  /** A failover: what failed, who saw it, what moved, and when. */
  @Serdeable
  record Failover(String service, long fromVersion, long toVersion, List<String> failed, List<String> seenBy,
      List<String> changes, Instant detectedAt, Instant decidedAt) {
    static Failover of(FailoverEvent e) {
      return new Failover(e.service(), e.fromVersion(), e.toVersion(), e.failed(), e.seenBy(), e.changes(),
          e.detectedAt(), e.decidedAt());
    }
  }

  /** One audit entry. */
  @Serdeable
  record Audit(long sequence, Instant at, String actor, String action, String target, String reason, String before,
      String after) {
    static Audit of(AuditEntry e) {
      return new Audit(e.sequence(), e.at(), e.actor(), e.action(), e.target(), e.reason(), e.before(), e.after());
    }
  }

  /** One entry of the timeline: a new plan version, what caused it, and the audit entry it links to. */
  @Serdeable
  record TimelineEntry(long sequence, String service, long fromVersion, long toVersion, Instant decidedAt, String kind,
      String cause, List<String> changes, Instant detectedAt, Long detectionToDecisionMs, Long auditSequence,
      Leader decidedBy) {
    static TimelineEntry of(PlanChange c) {
      return new TimelineEntry(c.sequence(), c.service(), c.fromVersion(), c.toVersion(), c.decidedAt(), c.kind(), c.cause(),
          c.changes(), c.detectedAt().orElse(null),
          c.detectedAt().map(d -> java.time.Duration.between(d, c.decidedAt()).toMillis()).orElse(null),
          c.auditSequence() == 0 ? null : c.auditSequence(), c.decidedBy().map(Leader::of).orElse(null));
    }
  }

  /** The node that acted as leader, and the Raft term it led; compare with {@code termLeaders} of the cluster. */
  @Serdeable
  record Leader(String node, long term) {
    static Leader of(LeaderStamp s) {
      return new Leader(s.node(), s.term());
    }
  }

  /** What one vantage point currently thinks of a backend. */
  @Serdeable
  record Evidence(String vantage, String opinion, Instant lastSeen, int consecutiveOk, int consecutiveFailed,
      Double latencyMs, String lastError) {
    static Evidence of(VantageView v) {
      return new Evidence(v.vantage().key(), v.opinion().name(), v.lastSeen(), v.consecutiveOk(), v.consecutiveFailed(),
          v.hasLatency() ? Math.round(v.latencyMillis() * 100) / 100.0 : null, v.lastError().orElse(null));
    }
  }
}
