package dev.tern.policy.health;

import dev.tern.policy.geo.Region;
import dev.tern.policy.health.VantageView.Opinion;
import dev.tern.policy.model.HealthSettings;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns probe observations into health verdicts: hysteresis per vantage point, then a quorum across
 * vantage points.
 *
 * <p><b>Determinism.</b> Every method is a pure function of its arguments: time arrives as a
 * parameter, nothing is read from a clock, nothing is random. The same observations in the same
 * order give the same verdicts on every node.
 *
 * <p><b>Threading.</b> The class holds no state; states are immutable values. Callers that share a
 * state between threads publish the new value themselves (one writer per backend is simplest).
 *
 * <p><b>Failure.</b> Nothing here throws on odd input: an observation older than the vantage's
 * last one is ignored, a vantage that falls silent stops voting, and no voter at all gives
 * UNKNOWN.
 *
 * <p>Per vantage point ({@code N = failAfter}, {@code M = recoverAfter}):
 *
 * <pre>
 *   UNDECIDED --first good round--> UP       UP   --N failed rounds in a row--> DOWN
 *   UNDECIDED --N failed rounds---> DOWN     DOWN --M good rounds in a row----> UP
 * </pre>
 *
 * <p>Across the vantage points that reported within {@code staleAfter} (the voters):
 *
 * <table>
 *   <caption>Verdict</caption>
 *   <tr><th>condition</th><th>verdict</th></tr>
 *   <tr><td>no voter</td><td>UNKNOWN</td></tr>
 *   <tr><td>DOWN votes ≥ max(2, quorum, majority of UP+DOWN votes)</td><td>UNHEALTHY</td></tr>
 *   <tr><td>UP votes ≥ majority of UP+DOWN votes</td><td>HEALTHY</td></tr>
 *   <tr><td>otherwise (split, undecided)</td><td>the previous verdict</td></tr>
 * </table>
 *
 * One vantage point can therefore never fail a backend over, however many exist. A vantage that
 * sees every backend down while others see some of them up is taken to be cut off itself (see
 * {@link #isolatedVantages}) and does not vote at all.
 */
public final class HealthEvaluator {

  /** Fewest backends a vantage must see down, all of them, before it may count as isolated. */
  public static final int ISOLATION_MIN_BACKENDS = 3;

  /** Weight of the newest good round in the smoothed latency. */
  static final double LATENCY_SMOOTHING = 0.3;

  private HealthEvaluator() {}

  /** Folds one observation into a backend's state; the verdict is left as it was. */
  public static BackendHealth observe(
      BackendHealth state, ProbeObservation observation, HealthSettings settings) {
    Region vantage = observation.vantage();
    VantageView before = state.views().get(vantage);
    if (before != null && observation.at().isBefore(before.lastSeen())) {
      return state;
    }
    VantageView after = next(before, observation, settings);
    Map<Region, VantageView> views = new LinkedHashMap<>(state.views());
    views.put(vantage, after);
    return new BackendHealth(state.backend(), views, state.verdict());
  }

  private static VantageView next(VantageView before, ProbeObservation o, HealthSettings s) {
    Opinion opinion = before == null ? Opinion.UNDECIDED : before.opinion();
    int okRun = before == null ? 0 : before.consecutiveOk();
    int failRun = before == null ? 0 : before.consecutiveFailed();
    double latency = before == null ? Double.NaN : before.latencyMillis();
    Optional<String> error = before == null ? Optional.empty() : before.lastError();
    if (o.ok()) {
      okRun++;
      failRun = 0;
      double sample = o.latency().toNanos() / 1_000_000.0;
      latency =
          Double.isNaN(latency)
              ? sample
              : LATENCY_SMOOTHING * sample + (1 - LATENCY_SMOOTHING) * latency;
      if (opinion == Opinion.UNDECIDED || (opinion == Opinion.DOWN && okRun >= s.recoverAfter())) {
        opinion = Opinion.UP;
      }
    } else {
      failRun++;
      okRun = 0;
      error = o.error();
      if (failRun >= s.failAfter()) {
        opinion = Opinion.DOWN;
      }
    }
    return new VantageView(o.vantage(), o.at(), opinion, okRun, failRun, latency, error);
  }

  /** The vantage views fresh enough to vote at {@code now}. */
  public static List<VantageView> voters(BackendHealth state, Instant now, HealthSettings settings) {
    Instant oldest = now.minus(settings.staleAfter());
    List<VantageView> out = new ArrayList<>(state.views().size());
    for (VantageView v : state.views().values()) {
      if (!v.lastSeen().isBefore(oldest)) {
        out.add(v);
      }
    }
    return out;
  }

  /**
   * The vantage points that look cut off from the world rather than the backends: each calls DOWN
   * every one of at least {@value #ISOLATION_MIN_BACKENDS} backends it has a fresh opinion on,
   * while some other fresh vantage sees one of those backends UP. Their votes are set aside (see
   * {@link #evaluate(BackendHealth, Instant, HealthSettings, Set)}), so that a probe that lost its
   * network cannot tip a split vote. Pass every backend Tern watches, across services.
   */
  public static Set<Region> isolatedVantages(
      Collection<BackendHealth> backends, Instant now, Duration staleAfter) {
    Instant oldest = now.minus(staleAfter);
    Map<Region, int[]> counts = new HashMap<>(); // [fresh opinions, DOWN ones, contradicted]
    for (BackendHealth b : backends) {
      int upVoters = 0;
      for (VantageView v : b.views().values()) {
        if (!v.lastSeen().isBefore(oldest) && v.opinion() == Opinion.UP) {
          upVoters++;
        }
      }
      for (VantageView v : b.views().values()) {
        if (v.lastSeen().isBefore(oldest)) {
          continue;
        }
        int[] c = counts.computeIfAbsent(v.vantage(), k -> new int[3]);
        c[0]++;
        if (v.opinion() == Opinion.DOWN) {
          c[1]++;
          if (upVoters > 0) {
            c[2] = 1;
          }
        }
      }
    }
    Set<Region> isolated = new TreeSet<>(Comparator.comparing(Region::key));
    counts.forEach(
        (vantage, c) -> {
          if (c[0] >= ISOLATION_MIN_BACKENDS && c[1] == c[0] && c[2] == 1) {
            isolated.add(vantage);
          }
        });
    return isolated;
  }

  /** Re-evaluates the verdict at {@code now} with every vantage voting. */
  public static BackendHealth evaluate(BackendHealth state, Instant now, HealthSettings settings) {
    return evaluate(state, now, settings, Set.of());
  }

  /**
   * Re-evaluates the verdict at {@code now}, setting aside the votes of {@code isolated} vantages;
   * {@code since} moves only when the health changes.
   */
  public static BackendHealth evaluate(
      BackendHealth state, Instant now, HealthSettings settings, Set<Region> isolated) {
    List<VantageView> voters = voters(state, now, settings);
    if (!isolated.isEmpty()) {
      voters.removeIf(v -> isolated.contains(v.vantage()));
    }
    HealthVerdict previous = state.verdict();
    int down = 0;
    int up = 0;
    for (VantageView v : voters) {
      if (v.opinion() == Opinion.DOWN) {
        down++;
      } else if (v.opinion() == Opinion.UP) {
        up++;
      }
    }
    // A vantage that has not made up its mind yet (UNDECIDED) does not dilute the majority.
    int deciding = up + down;
    int majority = deciding / 2 + 1;
    int neededDown = Math.max(2, Math.max(settings.quorum(), majority));
    Health health;
    String reason;
    if (voters.isEmpty()) {
      health = Health.UNKNOWN;
      reason = "no vantage point reported within " + settings.staleAfter().toSeconds() + " s";
    } else if (down >= neededDown) {
      health = Health.UNHEALTHY;
      reason = down + " of " + deciding + " vantage points see it down (" + neededDown + " needed)";
    } else if (up >= majority) {
      health = Health.HEALTHY;
      reason = up + " of " + deciding + " vantage points see it up";
    } else {
      health = previous.health();
      reason =
          "no quorum either way (" + up + " up, " + down + " down, "
              + (voters.size() - deciding) + " undecided); verdict kept";
    }
    Instant since = health == previous.health() ? previous.since() : now;
    Optional<Instant> lastUnhealthy =
        previous.health() == Health.UNHEALTHY && health != Health.UNHEALTHY
            ? Optional.of(now)
            : previous.lastUnhealthy();
    HealthVerdict verdict =
        new HealthVerdict(state.backend(), health, since, lastUnhealthy, voters, reason);
    return new BackendHealth(state.backend(), state.views(), verdict);
  }

  /**
   * The latency matrix of a service's backends at {@code now}: per fresh vantage point, the
   * smoothed latency of its good rounds.
   *
   * <p>A vantage point that now sees a backend down keeps its last good latency in the matrix.
   * Dropping it would let that one vantage point move a zone's traffic (its nearest backend
   * suddenly unmeasured) before any quorum agreed the backend is down, which rule 2 forbids. A
   * backend the quorum finds unhealthy leaves the answers through its verdict, not through here.
   */
  public static LatencyMatrix latencies(
      Map<String, BackendHealth> backends, Instant now, HealthSettings settings) {
    LatencyMatrix.Builder matrix = LatencyMatrix.builder();
    for (BackendHealth b : backends.values()) {
      for (VantageView v : voters(b, now, settings)) {
        if (v.hasLatency()) {
          matrix.put(v.vantage(), b.backend(), v.latencyMillis());
        }
      }
    }
    return matrix.build();
  }
}
