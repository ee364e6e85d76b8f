package dev.tern.controlplane.provider.clouddns;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One Cloud DNS resource record set as Tern reads and writes it, independent of the SDK: what the
 * pure translation produces and the diff compares. A record set is either plain ({@code rrdatas})
 * or routed ({@code routingPolicy}), never both, as Cloud DNS requires.
 *
 * @param name the fully qualified name, lowercase, ending in a dot
 * @param type {@code A}, {@code AAAA}, {@code CNAME} or {@code TXT}
 * @param ttl seconds
 * @param rrdatas the data of a plain record set; empty for a routed one
 * @param routingPolicy a geo or weighted round robin policy holding the data per item
 */
public record CloudDnsRecord(String name, String type, int ttl, List<String> rrdatas,
    Optional<RoutingPolicy> routingPolicy) {

  /** What tells two record sets apart in a managed zone: Cloud DNS keeps one per name and type. */
  public record Key(String name, String type) {
    @Override
    public String toString() {
      return name + " " + type;
    }
  }

  /**
   * A routing policy: geo items keyed by Google Cloud region, weighted round robin items,
   * or one Tern does not write.
   */
  public sealed interface RoutingPolicy {}

  /**
   * A routing policy Tern does not write (primary/backup, health-checked targets), as read: it only
   * ever differs from what Tern wants.
   *
   * @param json the policy as Cloud DNS gave it
   */
  public record Other(String json) implements RoutingPolicy {
    public Other {
      Objects.requireNonNull(json, "json");
    }
  }

  /**
   * Answers by the client's nearest Google Cloud region.
   *
   * @param fencing {@code enableFencing}: never spill to another region's item
   */
  public record Geo(List<GeoItem> items, boolean fencing) implements RoutingPolicy {
    /** Items are kept by location: Cloud DNS gives no meaning to their order, so neither does equality. */
    public Geo {
      items = items.stream().sorted(java.util.Comparator.comparing(GeoItem::location)).toList();
    }
  }

  /** One geo item: a Google Cloud region ({@code europe-west3}) and its data. */
  public record GeoItem(String location, List<String> rrdatas) {
    public GeoItem {
      Objects.requireNonNull(location, "location");
      rrdatas = List.copyOf(rrdatas);
    }
  }

  /** Answers one item at a time, in proportion to the weights. */
  public record Wrr(List<WrrItem> items) implements RoutingPolicy {
    /** Items are kept by their data: their order means nothing, so neither does it to equality. */
    public Wrr {
      items = items.stream().sorted(java.util.Comparator.comparing((WrrItem i) -> String.join(",", i.rrdatas()))
          .thenComparingDouble(WrrItem::weight)).toList();
    }
  }

  /** One weighted item; Cloud DNS takes the weight as a non-negative number (a JSON double). */
  public record WrrItem(double weight, List<String> rrdatas) {
    public WrrItem {
      if (weight < 0) {
        throw new IllegalArgumentException("a weight is not negative: " + weight);
      }
      rrdatas = List.copyOf(rrdatas);
    }
  }

  public CloudDnsRecord {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    rrdatas = List.copyOf(rrdatas);
    Objects.requireNonNull(routingPolicy, "routingPolicy");
    if (!name.endsWith(".") || !name.equals(name.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException("a record name is lowercase and fully qualified: " + name);
    }
    if (rrdatas.isEmpty() == routingPolicy.isEmpty()) {
      throw new IllegalArgumentException(name + " " + type
          + ": a record set has rrdatas or a routing policy, not both");
    }
  }

  /** A plain record set. */
  public static CloudDnsRecord plain(String name, String type, int ttl, List<String> rrdatas) {
    return new CloudDnsRecord(name, type, ttl, rrdatas, Optional.empty());
  }

  /** A record set with a routing policy. */
  public static CloudDnsRecord routed(String name, String type, int ttl, RoutingPolicy policy) {
    return new CloudDnsRecord(name, type, ttl, List.of(), Optional.of(policy));
  }

  public Key key() {
    return new Key(name, type);
  }

  /** Readably, for changes and logs: {@code z-eu.shop.example.com. A wrr 700:192.0.2.10,300:192.0.2.20 ttl 30}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder(name).append(' ').append(type).append(' ');
    switch (routingPolicy.orElse(null)) {
      case null -> s.append(String.join(",", rrdatas));
      case Geo g -> {
        s.append(g.fencing() ? "geo fenced " : "geo ");
        s.append(String.join(",", g.items().stream().map(i -> i.location() + "=" + String.join("+", i.rrdatas()))
            .toList()));
      }
      case Other o -> s.append("other ").append(o.json());
      case Wrr w -> s.append("wrr ").append(String.join(",", w.items().stream()
          .map(i -> weight(i.weight()) + ":" + String.join("+", i.rrdatas())).toList()));
    }
    return s.append(" ttl ").append(ttl).toString();
  }

  private static String weight(double w) {
    return w == Math.rint(w) ? String.valueOf((long) w) : String.valueOf(w);
  }
}
