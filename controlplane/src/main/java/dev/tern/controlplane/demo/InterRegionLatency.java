package dev.tern.controlplane.demo;

import dev.tern.policy.geo.Region;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Round-trip times between the demo's regions, close to what the clouds measure between those
 * cities: about 1 ms inside a region, 10-12 ms inside Europe, 80-90 ms across the Atlantic,
 * 160-180 ms to Singapore. The demo's backends wait this long before answering a probe, so that
 * latency routing sees the world it would see.
 *
 * <pre>
 *                  fra   ams   bel   iad   eus   sin
 * aws eu-central-1   1    12    11    88    89   160
 * azure westeurope  12     1    10    80    81   165
 * gcp europe-west1  11    10     1    82    83   170
 * aws us-east-1     88    80    82     1     2   175
 * azure eastus      89    81    83     2     1   178
 * gcp asia-se1     160   165   170   175   178     1
 * </pre>
 */
public final class InterRegionLatency {

  /** The demo's regions, in the order of the table. */
  public static final List<Region> REGIONS = List.of(
      region("aws:eu-central-1"), region("azure:westeurope"), region("gcp:europe-west1"),
      region("aws:us-east-1"), region("azure:eastus"), region("gcp:asia-southeast1"));

  private static final int[][] MILLIS = {
      {1, 12, 11, 88, 89, 160},
      {12, 1, 10, 80, 81, 165},
      {11, 10, 1, 82, 83, 170},
      {88, 80, 82, 1, 2, 175},
      {89, 81, 83, 2, 1, 178},
      {160, 165, 170, 175, 178, 1},
  };

  private static final Map<Region, Integer> INDEX = Map.of(
      REGIONS.get(0), 0, REGIONS.get(1), 1, REGIONS.get(2), 2, REGIONS.get(3), 3, REGIONS.get(4), 4, REGIONS.get(5), 5);

  private InterRegionLatency() {}

  /** The round trip between two of the demo's regions; empty when either is not one of them. */
  public static Optional<Duration> between(Region a, Region b) {
    Integer i = INDEX.get(a);
    Integer j = INDEX.get(b);
    if (i == null || j == null) {
      return Optional.empty();
    }
    return Optional.of(Duration.ofMillis(MILLIS[i][j]));
  }

  private static Region region(String key) {
    return Region.parse(key).orElseThrow(() -> new IllegalStateException("not in the region catalog: " + key));
  }
}
