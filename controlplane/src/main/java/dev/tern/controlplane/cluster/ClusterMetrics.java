package dev.tern.controlplane.cluster;

import dev.tern.controlplane.decision.DecisionLoop;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.state.Command;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.context.annotation.Context;

/**
 * The cluster's meters on {@code /metrics}: decision and commit latency, plan versions, failovers,
 * leader changes and ingestion.
 */
@Context
final class ClusterMetrics {

  ClusterMetrics(MeterRegistry registry, RaftNode node, DecisionLoop loop, HealthBook book) {
    Timer decisions = Timer.builder("tern.decision.duration")
        .description("One decision round on the leader, commits included")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    loop.onTick(decisions::record);
    Timer commits = Timer.builder("tern.raft.commit.duration")
        .description("From submitting a command on this node to its commit being answered")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    node.onCommitted((command, took) -> commits.record(took));
    Counter leaderChanges = Counter.builder("tern.raft.leader.changes")
        .description("Times this node became or stopped being leader")
        .register(registry);
    node.onLeadershipChange(leader -> leaderChanges.increment());
    Counter failovers = Counter.builder("tern.failovers").description("Failover events applied").register(registry);
    node.onApplied(command -> {
      if (command instanceof Command.PublishPlan p && p.failover().isPresent()) {
        failovers.increment();
      }
    });
    Gauge.builder("tern.raft.leader", node, n -> n.isLeader() ? 1 : 0).description("1 on the leader").register(registry);
    Gauge.builder("tern.raft.commit.index", node, RaftNode::commitIndex).register(registry);
    Gauge.builder("tern.policy.version", node, n -> n.state().policyVersion()).register(registry);
    Gauge.builder("tern.plan.versions", node,
            n -> n.state().services().stream().mapToLong(s -> s.plan().map(p -> p.version()).orElse(0L)).sum())
        .description("Sum of every service's plan version: rises with every plan change")
        .register(registry);
    Gauge.builder("tern.services", node, n -> n.state().services().size()).register(registry);
    FunctionCounter.builder("tern.observations.accepted", book, HealthBook::accepted)
        .description("Probe observations folded into this node's health book").register(registry);
    FunctionCounter.builder("tern.observations.unknown.target", book, HealthBook::droppedUnknownTarget)
        .description("Observations for services or backends the policy does not have").register(registry);
  }
}
