package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.Command;
import io.micronaut.context.annotation.Context;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;

/**
 * Every change to the replicated state and to leadership, as small events for the console's live
 * view and for long-polling probes. Slow subscribers lose events rather than slow the state
 * machine: an event says what changed, and the client re-reads it through the API.
 */
@Context
final class StateEvents implements AutoCloseable {

  /** What changed: {@code service}, {@code plan}, {@code verdicts}, {@code drain}, {@code membership}, {@code leader}. */
  @Serdeable
  record StateChange(String type, String service, long policyVersion, String node) {}

  private final RaftNode node;
  private final SubmissionPublisher<StateChange> publisher =
      new SubmissionPublisher<>(Executors.newVirtualThreadPerTaskExecutor(), 256);
  private final Object policyMonitor = new Object();

  StateEvents(RaftNode node) {
    this.node = node;
    node.onApplied(this::applied);
    node.onLeadershipChange(leader -> publish(new StateChange("leader", null, node.state().policyVersion(), node.nodeId())));
  }

  private void applied(Command command) {
    StateChange change = switch (command) {
      case Command.PutService c -> new StateChange("service", c.name(), node.state().policyVersion(), node.nodeId());
      case Command.DeleteService c -> new StateChange("service", c.name(), node.state().policyVersion(), node.nodeId());
      case Command.SetDrain c -> new StateChange("drain", c.service(), node.state().policyVersion(), node.nodeId());
      case Command.RecordVerdicts c -> new StateChange("verdicts", null, node.state().policyVersion(), node.nodeId());
      case Command.PublishPlan c -> new StateChange("plan", c.plan().service(), node.state().policyVersion(), node.nodeId());
      case Command.RecordMembership c -> new StateChange("membership", null, node.state().policyVersion(), node.nodeId());
      case Command.OpenTerm c -> new StateChange("leader", null, node.state().policyVersion(), node.nodeId());
      case Command.StartChaosRun c -> new StateChange("chaos", null, node.state().policyVersion(), node.nodeId());
      case Command.EndChaosRun c -> new StateChange("chaos", null, node.state().policyVersion(), node.nodeId());
      case Command.HealChaosRun c -> new StateChange("chaos", null, node.state().policyVersion(), node.nodeId());
      case Command.PutScenario c -> new StateChange("chaos", c.name(), node.state().policyVersion(), node.nodeId());
      case Command.DeleteScenario c -> new StateChange("chaos", c.name(), node.state().policyVersion(), node.nodeId());
      case Command.PauseScenario c -> new StateChange("chaos", c.name(), node.state().policyVersion(), node.nodeId());
      case Command.ScheduleFired c -> new StateChange("chaos", c.name(), node.state().policyVersion(), node.nodeId());
      case Command.RecordDelivery c -> new StateChange("incident", null, node.state().policyVersion(), node.nodeId());
      case Command.ResolveIncident c -> new StateChange("incident", null, node.state().policyVersion(), node.nodeId());
      case Command.RecordGuardrailBlock c -> new StateChange("incident", c.service(), node.state().policyVersion(), node.nodeId());
      case Command.RecordProviderDrift c -> new StateChange("provider", c.service(), node.state().policyVersion(),
          node.nodeId());
      case Command.RecordProviderSyncFailing c ->
          new StateChange("incident", c.service(), node.state().policyVersion(), node.nodeId());
    };
    if (command instanceof Command.PutService || command instanceof Command.DeleteService
        || command instanceof Command.StartChaosRun || command instanceof Command.HealChaosRun
        || command instanceof Command.EndChaosRun) {
      synchronized (policyMonitor) {
        policyMonitor.notifyAll();
      }
    }
    publish(change);
  }

  private void publish(StateChange change) {
    publisher.offer(change, 0, TimeUnit.MILLISECONDS, (subscriber, dropped) -> false);
  }

  /** The first event of every stream: who answers, at which policy version. */
  StateChange hello() {
    return new StateChange("hello", null, node.state().policyVersion(), node.nodeId());
  }

  SubmissionPublisher<StateChange> publisher() {
    return publisher;
  }

  /**
   * What the probes' assignments are made of, as one rising number: the policy version plus the
   * chaos generation (chaos runs started, healed and ended change which targets carry a fault).
   */
  long assignmentVersion() {
    return node.state().policyVersion() + node.state().chaosGeneration();
  }

  /** Blocks until the assignment version passes {@code after} or {@code timeout} elapses; returns the version. */
  long awaitAssignmentAfter(long after, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (policyMonitor) {
      while (assignmentVersion() <= after) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          break;
        }
        TimeUnit.NANOSECONDS.timedWait(policyMonitor, left);
      }
    }
    return assignmentVersion();
  }

  @PreDestroy
  @Override
  public void close() {
    publisher.close();
  }
}
