package dev.tern.policy.health;

import dev.tern.policy.geo.Region;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/** Measured latency in milliseconds, vantage point × backend, for one service. */
public final class LatencyMatrix {

  public static final LatencyMatrix EMPTY = new LatencyMatrix(Map.of());

  private final Map<Region, Map<String, Double>> byVantage;
  private final List<Region> vantages;

  private LatencyMatrix(Map<Region, Map<String, Double>> byVantage) {
    this.byVantage = byVantage;
    this.vantages = byVantage.keySet().stream().sorted(Comparator.comparing(Region::key)).toList();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The vantage points that measured anything, ordered by region key. */
  public List<Region> vantages() {
    return vantages;
  }

  public OptionalDouble latency(Region vantage, String backend) {
    Map<String, Double> row = byVantage.get(vantage);
    Double ms = row == null ? null : row.get(backend);
    return ms == null ? OptionalDouble.empty() : OptionalDouble.of(ms);
  }

  public boolean isEmpty() {
    return byVantage.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LatencyMatrix m && m.byVantage.equals(byVantage);
  }

  @Override
  public int hashCode() {
    return byVantage.hashCode();
  }

  @Override
  public String toString() {
    return byVantage.toString();
  }

  /** Collects measurements; a later value for the same cell replaces the earlier one. */
  public static final class Builder {
    private final Map<Region, Map<String, Double>> cells = new HashMap<>();

    private Builder() {}

    public Builder put(Region vantage, String backend, double millis) {
      cells.computeIfAbsent(vantage, v -> new HashMap<>()).put(backend, millis);
      return this;
    }

    public LatencyMatrix build() {
      Map<Region, Map<String, Double>> copy = new HashMap<>();
      cells.forEach((v, row) -> copy.put(v, Map.copyOf(row)));
      return new LatencyMatrix(Map.copyOf(copy));
    }
  }
}
