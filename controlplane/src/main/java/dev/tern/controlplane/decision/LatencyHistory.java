package dev.tern.controlplane.decision;

import dev.tern.controlplane.state.ReplicatedState;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.ProbeObservation;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last few minutes of probe results per backend and vantage point, in fixed time buckets, for
 * the console's latency charts. Like the {@link HealthBook} it is this node's own view: every node
 * receives every observation, so every node can draw the same chart. Nothing here goes through
 * Raft or decides anything.
 *
 * <p>Memory is fixed per series: {@code buckets} slots of five numbers, about 1.5 KB per backend
 * and vantage point at the default 60 buckets. Series of backends the policy no longer has are
 * dropped on the next read or record after their removal.
 *
 * <p>Thread-safe: observations arrive on API threads while the console reads.
 */
public final class LatencyHistory {

  /** Fifteen minutes in 15-second buckets. */
  public static final Duration DEFAULT_BUCKET = Duration.ofSeconds(15);
  public static final int DEFAULT_BUCKETS = 60;

  /** One bucket of one vantage point's checks: how many passed and failed, and how fast the passing ones were. */
  public record Point(Instant at, int ok, int failed, double meanMillis, double maxMillis) {}

  /** One vantage point's buckets over the window, oldest first; buckets without checks are left out. */
  public record Series(Region vantage, List<Point> points) {
    public Series {
      Objects.requireNonNull(vantage, "vantage");
      points = List.copyOf(points);
    }
  }

  private record Key(String service, String backend, Region vantage) {}

  private final ReplicatedState state;
  private final long bucketMillis;
  private final int buckets;
  private final Map<Key, Ring> rings = new ConcurrentHashMap<>();

  public LatencyHistory(ReplicatedState state) {
    this(state, DEFAULT_BUCKET, DEFAULT_BUCKETS);
  }

  public LatencyHistory(ReplicatedState state, Duration bucket, int buckets) {
    if (bucket.toMillis() < 1 || buckets < 1) {
      throw new IllegalArgumentException("a latency history needs at least one bucket of at least 1 ms");
    }
    this.state = state;
    this.bucketMillis = bucket.toMillis();
    this.buckets = buckets;
  }

  public Duration bucket() {
    return Duration.ofMillis(bucketMillis);
  }

  /** The span a chart covers: every bucket, the current one included. */
  public Duration window() {
    return Duration.ofMillis(bucketMillis * buckets);
  }

  /** Records observations of backends the policy has; others are ignored, as the health book ignores them. */
  public void record(List<ProbeObservation> observations) {
    for (ProbeObservation o : observations) {
      if (!known(o.service(), o.backend())) {
        continue;
      }
      rings.computeIfAbsent(new Key(o.service(), o.backend(), o.vantage()), k -> new Ring(buckets))
          .add(Math.floorDiv(o.at().toEpochMilli(), bucketMillis), o.ok(), o.latency().toNanos() / 1e6);
    }
  }

  /** Every vantage point's series for one backend over the window ending at {@code now}, by vantage. */
  public List<Series> of(String service, String backend, Instant now) {
    rings.keySet().removeIf(k -> !known(k.service(), k.backend()));
    long last = Math.floorDiv(now.toEpochMilli(), bucketMillis);
    long first = last - buckets + 1;
    List<Series> out = new ArrayList<>();
    rings.forEach((key, ring) -> {
      if (key.service().equals(service) && key.backend().equals(backend)) {
        List<Point> points = ring.points(first, last, bucketMillis);
        if (!points.isEmpty()) {
          out.add(new Series(key.vantage(), points));
        }
      }
    });
    out.sort(Comparator.comparing(s -> s.vantage().key()));
    return out;
  }

  private boolean known(String service, String backend) {
    return state.service(service).flatMap(s -> s.model().backend(backend)).isPresent();
  }

  /** A fixed ring of buckets, indexed by bucket number modulo its size; a stale slot is reset on reuse. */
  private static final class Ring {
    private final long[] slot;
    private final int[] ok;
    private final int[] failed;
    private final double[] sumMillis;
    private final double[] maxMillis;

    Ring(int size) {
      slot = new long[size];
      java.util.Arrays.fill(slot, Long.MIN_VALUE);
      ok = new int[size];
      failed = new int[size];
      sumMillis = new double[size];
      maxMillis = new double[size];
    }

    synchronized void add(long bucket, boolean passed, double millis) {
      int i = (int) Math.floorMod(bucket, (long) slot.length);
      if (slot[i] != bucket) {
        if (slot[i] > bucket) {
          return; // older than what the slot holds now: outside the window
        }
        slot[i] = bucket;
        ok[i] = 0;
        failed[i] = 0;
        sumMillis[i] = 0;
        maxMillis[i] = 0;
      }
      if (passed) {
        ok[i]++;
        sumMillis[i] += millis;
        maxMillis[i] = Math.max(maxMillis[i], millis);
      } else {
        failed[i]++;
      }
    }

    synchronized List<Point> points(long first, long last, long bucketMillis) {
      List<Point> points = new ArrayList<>();
      for (long b = first; b <= last; b++) {
        int i = (int) Math.floorMod(b, (long) slot.length);
        if (slot[i] == b) {
          points.add(new Point(Instant.ofEpochMilli(b * bucketMillis), ok[i], failed[i],
              ok[i] == 0 ? 0 : sumMillis[i] / ok[i], maxMillis[i]));
        }
      }
      return points;
    }
  }
}
