package dev.tern.controlplane.cluster;

import dev.tern.controlplane.decision.DecisionLoop;
import dev.tern.controlplane.decision.HealthBook;
import dev.tern.controlplane.decision.LatencyHistory;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;

/** Wires a node's Raft member, health book, latency history and decision loop into the application. */
@Factory
final class ClusterBeans {

  @Context
  @Bean(preDestroy = "close")
  RaftNode raftNode(ClusterSettings settings, PropertyResolver properties) throws Exception {
    return new RaftNode(settings.toConfig(ClusterSettings.timing(properties))).start();
  }

  @Singleton
  HealthBook healthBook(RaftNode node) {
    return new HealthBook(node.state());
  }

  @Singleton
  LatencyHistory latencyHistory(RaftNode node) {
    return new LatencyHistory(node.state());
  }

  @Context
  @Bean(preDestroy = "close")
  DecisionLoop decisionLoop(
      RaftNode node,
      HealthBook book,
      Clock clock,
      @Value("${tern.decision.interval:1s}") Duration interval,
      @Value("${tern.decision.commit-timeout:5s}") Duration commitTimeout) {
    return new DecisionLoop(node, book, clock, commitTimeout).start(interval);
  }
}
