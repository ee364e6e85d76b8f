package dev.tern.controlplane.provider.route53;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One Route 53 resource record set as Tern reads and writes it, independent of the SDK: what the
 * pure translation produces and the diff compares.
 *
 * @param name the fully qualified name, lowercase, ending in a dot
 * @param setIdentifier tells apart the records of one name and type (weighted, geolocation)
 * @param geo a geolocation: a continent code ({@code EU}), a country code ({@code DE}), or {@code *}
 * @param weight a weighted record's weight, 0 to 255
 * @param ttl absent for alias records, which take the target's
 * @param values the addresses, or the TXT strings (quoted, as Route 53 keeps them)
 * @param aliasTarget an alias to another name in the same hosted zone
 */
public record Route53Record(
    String name,
    String type,
    Optional<String> setIdentifier,
    Optional<Geo> geo,
    OptionalLong weight,
    OptionalLong ttl,
    List<String> values,
    Optional<String> aliasTarget) {

  /** Where a geolocation record applies: exactly one of a continent or a country, or the default ({@code *}). */
  public record Geo(Optional<String> continent, Optional<String> country) {
    public Geo {
      Objects.requireNonNull(continent, "continent");
      Objects.requireNonNull(country, "country");
      if (continent.isPresent() == country.isPresent()) {
        throw new IllegalArgumentException("a geolocation names a continent or a country (or * as a country)");
      }
    }

    public static Geo continent(String code) {
      return new Geo(Optional.of(code), Optional.empty());
    }

    public static Geo country(String code) {
      return new Geo(Optional.empty(), Optional.of(code));
    }
  }

  /** What tells two record sets apart in a hosted zone. */
  public record Key(String name, String type, Optional<String> setIdentifier) {}

  public Route53Record {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(setIdentifier, "setIdentifier");
    Objects.requireNonNull(geo, "geo");
    Objects.requireNonNull(weight, "weight");
    Objects.requireNonNull(ttl, "ttl");
    values = List.copyOf(values);
    Objects.requireNonNull(aliasTarget, "aliasTarget");
    if (!name.endsWith(".") || !name.equals(name.toLowerCase(java.util.Locale.ROOT))) {
      throw new IllegalArgumentException("a record name is lowercase and fully qualified: " + name);
    }
  }

  public Key key() {
    return new Key(name, type, setIdentifier);
  }
}
