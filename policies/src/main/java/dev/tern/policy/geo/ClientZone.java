package dev.tern.policy.geo;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a DNS query comes from, as a routing plan distinguishes it.
 *
 * <p>Zones form a tree, and a client is answered by the most specific planned zone it lies in:
 *
 * <pre>
 *   country (DE)  ⊂  EU (EU/EEA)  ⊂  continent (europe)  ⊂  default
 *   country (US)                  ⊂  continent (north-america)  ⊂  default
 * </pre>
 *
 * Only EU/EEA countries have the {@code EU} level. A residency rule on a zone therefore also binds
 * every zone below it.
 */
public sealed interface ClientZone extends Comparable<ClientZone> {

  ClientZone DEFAULT = new Default();
  ClientZone EU = new EuEea();

  /** The zone's name in policy YAML: {@code default}, {@code EU}, {@code europe}, {@code DE}. */
  String key();

  /** The zone directly above this one, or empty for {@code default}. */
  Optional<ClientZone> parent();

  /** 0 for {@code default}, 3 for a country: more specific zones win. */
  int specificity();

  /** This zone and every zone above it, most specific first. */
  default List<ClientZone> lineage() {
    return Lineages.of(this);
  }

  /** True when every client of {@code other} is also a client of this zone. */
  default boolean contains(ClientZone other) {
    return other.lineage().contains(this);
  }

  @Override
  default int compareTo(ClientZone o) {
    int bySpecificity = Integer.compare(o.specificity(), specificity());
    return bySpecificity != 0 ? bySpecificity : key().compareTo(o.key());
  }

  /**
   * Parses a zone name: {@code default}, {@code EU}, a continent ({@code europe},
   * {@code north-america}, ...), or an ISO 3166-1 alpha-2 country code ({@code DE}).
   */
  static Optional<ClientZone> parse(String key) {
    if (key == null) {
      return Optional.empty();
    }
    if (key.equals("default")) {
      return Optional.of(DEFAULT);
    }
    if (key.equals("EU")) {
      return Optional.of(EU);
    }
    Optional<Continent> continent = Continent.fromKey(key);
    if (continent.isPresent()) {
      return Optional.of(new ContinentZone(continent.get()));
    }
    if (Countries.isKnown(key)) {
      return Optional.of(new Country(key));
    }
    return Optional.empty();
  }

  /** Lineages are asked for on every decision; there are few zones, so each is worked out once. */
  final class Lineages {
    private static final java.util.concurrent.ConcurrentHashMap<ClientZone, List<ClientZone>> CACHE =
        new java.util.concurrent.ConcurrentHashMap<>();

    private Lineages() {}

    static List<ClientZone> of(ClientZone zone) {
      List<ClientZone> cached = CACHE.get(zone);
      if (cached != null) {
        return cached;
      }
      List<ClientZone> out = new ArrayList<>(4);
      Optional<ClientZone> z = Optional.of(zone);
      while (z.isPresent()) {
        out.add(z.get());
        z = z.get().parent();
      }
      List<ClientZone> lineage = List.copyOf(out);
      CACHE.put(zone, lineage);
      return lineage;
    }
  }

  /** Every client. */
  record Default() implements ClientZone {
    @Override
    public String key() {
      return "default";
    }

    @Override
    public Optional<ClientZone> parent() {
      return Optional.empty();
    }

    @Override
    public int specificity() {
      return 0;
    }

    @Override
    public String toString() {
      return key();
    }
  }

  /** Clients in the EU and EEA countries: the residency zone of the GDPR. */
  record EuEea() implements ClientZone {
    @Override
    public String key() {
      return "EU";
    }

    @Override
    public Optional<ClientZone> parent() {
      return Optional.of(new ContinentZone(Continent.EUROPE));
    }

    @Override
    public int specificity() {
      return 2;
    }

    @Override
    public String toString() {
      return key();
    }
  }

  /** Clients on one continent. */
  record ContinentZone(Continent continent) implements ClientZone {
    @Override
    public String key() {
      return continent.key();
    }

    @Override
    public Optional<ClientZone> parent() {
      return Optional.of(DEFAULT);
    }

    @Override
    public int specificity() {
      return 1;
    }

    @Override
    public String toString() {
      return key();
    }
  }

  /** Clients in one country, by ISO 3166-1 alpha-2 code. */
  record Country(String code) implements ClientZone {
    public Country {
      if (!Countries.isKnown(code)) {
        throw new IllegalArgumentException("unknown ISO 3166-1 country code: " + code);
      }
    }

    @Override
    public String key() {
      return code;
    }

    @Override
    public Optional<ClientZone> parent() {
      if (Countries.isEuEea(code)) {
        return Optional.of(EU);
      }
      return Optional.of(new ContinentZone(Countries.continentOf(code).orElseThrow()));
    }

    @Override
    public int specificity() {
      return 3;
    }

    @Override
    public String toString() {
      return key();
    }
  }
}
