package dev.tern.controlplane.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The short fault campaign of the suite: {@value #ROUNDS} rounds (or {@code -Dtern.campaign.rounds}) of kills,
 * pauses, restarts, membership changes and, in a network namespace, partitions and a flaky link, against three
 * control-plane processes under write load, with no anomaly allowed. {@code -Dtern.campaign.partitions=false} leaves
 * the namespace out; by default a machine where none can be made (no root) runs the other faults and says so.
 * {@code -Dtern.campaign.faults=PARTITION_LEADER,FLAKY_LINK} injects only the faults named, to chase one kind.
 */
class FaultCampaignTest {

  static final int ROUNDS = 20;

  @Test
  void no_acknowledged_write_is_lost_and_the_nodes_converge_through_kills_pauses_and_restarts() throws Exception {
    // Under target/, not a temporary directory: the nodes' logs and Raft logs stay for a failed run's reader.
    Path dir = Path.of("target", "fault-campaign");
    deleteTree(dir);
    Files.createDirectories(dir);
    int rounds = Integer.getInteger("tern.campaign.rounds", ROUNDS);
    long seed = Long.getLong("tern.campaign.seed", System.nanoTime());
    Set<FaultCampaign.Fault> faults = FaultCampaign.faults(System.getProperty("tern.campaign.faults"));
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Optional<CampaignNetwork> network = Boolean.parseBoolean(System.getProperty("tern.campaign.partitions", "true"))
        ? CampaignNetwork.create(CampaignCluster.SLOTS) : Optional.empty();
    try (CampaignCluster cluster = new CampaignCluster(dir, classpath, network); Effects effects = new Effects(cluster)) {
      FaultCampaign.Report report =
          new FaultCampaign(cluster, effects, seed, faults).run(rounds, System.out::println);
      System.out.println("fault campaign, seed " + seed + ": " + report);
      assertEquals(rounds, report.rounds());
      long kinds = faults.stream().filter(f -> !f.network || network.isPresent()).count();
      if (rounds >= kinds) {
        assertEquals(kinds, report.faults().size(), "every fault was injected: " + report.faults());
      }
      assertTrue(report.acknowledged() > rounds, "the clients' writes were acknowledged: " + report);
      assertTrue(report.failovers().size() >= rounds / 4, "a backend failed in many rounds: " + report);
      assertTrue(report.anomalies().isEmpty(), "seed " + seed + ": " + report + "\n" + cluster.logTail(0, 30));
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
