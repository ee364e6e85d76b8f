package dev.tern.controlplane.state;

import dev.tern.policy.health.Health;
import dev.tern.policy.routing.RoutingPlan;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A change to the replicated state, as it travels through the Raft log. The API and the decision
 * loop validate and generate commands; {@link TernStateMachine} only replays them.
 *
 * <p>Every command has a stable numeric {@link #id()} and a {@link #version()} of its encoding
 * (see {@link CommandCodec}); neither ever changes meaning, so an old log always replays. A new
 * field means a new version, decoded side by side with the old one.
 *
 * <p>Time is part of the command ({@code at}), set by whoever generated it, so that replay never
 * reads a clock.
 */
public sealed interface Command {

  /** Stable id in the log; never reused. */
  short id();

  /** Version of this command's encoding. */
  byte version();

  /** When the command was generated. */
  Instant at();

  /** Who asked: an API principal's name, or {@code decision-loop}. */
  String actor();

  /** Creates or replaces one service's policy, written as one YAML {@code kind: Service} document. */
  record PutService(String actor, Instant at, String reason, String name, String yaml) implements Command {
    public static final short ID = 1;

    public PutService {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(yaml, "yaml");
      Objects.requireNonNull(reason, "reason");
    }

    @Override
    public short id() {
      return ID;
    }

    @Override
    public byte version() {
      return 1;
    }
  }

  /** Deletes one service, its plan and its health records. */
  record DeleteService(String actor, Instant at, String reason, String name) implements Command {
    public static final short ID = 2;

    @Override
    public short id() {
      return ID;
    }

    @Override
    public byte version() {
      return 1;
    }
  }

  /** Takes a backend out of service by hand, or puts it back. */
  record SetDrain(String actor, Instant at, String reason, String service, String backend, boolean drained)
      implements Command {
    public static final short ID = 4;

    @Override
    public short id() {
      return ID;
    }

    @Override
    public byte version() {
      return 1;
    }
  }

  /** Health verdicts that changed, as the leader's health book saw them at {@code at}. */
  record RecordVerdicts(String actor, Instant at, List<VerdictRecord> verdicts) implements Command {
    public static final short ID = 5;

    public RecordVerdicts {
      verdicts = List.copyOf(verdicts);
    }

    @Override
    public short id() {
      return ID;
    }

    @Override
    public byte version() {
      return 1;
    }
  }

  /**
   * A new plan for a service, decided on the leader. Rejected unless the service's current plan
   * is still {@code basedOnVersion} (0 for none): a decision taken on a stale view never lands.
   */
  record PublishPlan(
      String actor, Instant at, long basedOnVersion, RoutingPlan plan, Optional<FailoverEvent> failover)
      implements Command {
    public static final short ID = 6;

    public PublishPlan {
      Objects.requireNonNull(plan, "plan");
      Objects.requireNonNull(failover, "failover");
    }

    @Override
    public short id() {
      return ID;
    }

    @Override
    public byte version() {
      return 1;
    }
  }

  /** An audit record of a membership change made through the API (Raft applies the change itself). */
  record RecordMembership(String actor, Instant at, String reason, String action, String member)
      implements Command {
    public static final short ID = 7;

    @Override
    public short id() {
      return ID;
    }

    @Override
    public byte version() {
      return 1;
    }
  }

  /**
   * One backend's verdict as replicated.
   *
   * @param downVantages the vantage points that saw it down, for the console and the pager
   */
  record VerdictRecord(
      String service,
      String backend,
      Health health,
      Instant since,
      Optional<Instant> lastUnhealthy,
      String reason,
      List<String> downVantages) {
    public VerdictRecord {
      downVantages = List.copyOf(downVantages);
    }
  }
}
