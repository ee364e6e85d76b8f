package dev.tern.policy.geo;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Maps client networks to the most specific zone they are known to be in; the longest matching
 * prefix wins. An address that matches nothing is in {@code default}.
 */
public record ZoneTable(List<Entry> entries) {

  public static final ZoneTable EMPTY = new ZoneTable(List.of());

  /** One network and the zone its clients are in. */
  public record Entry(Cidr cidr, ClientZone zone) {
    public Entry {
      Objects.requireNonNull(cidr, "cidr");
      Objects.requireNonNull(zone, "zone");
    }
  }

  public ZoneTable {
    entries =
        entries.stream().sorted(Comparator.comparingInt((Entry e) -> -e.cidr().prefix())).toList();
  }

  /** The zone of a client address (4 or 16 bytes). */
  public ClientZone zoneOf(byte[] address) {
    for (Entry e : entries) {
      if (e.cidr().contains(address)) {
        return e.zone();
      }
    }
    return ClientZone.DEFAULT;
  }

  /** The zone of a literal address, or empty if the text is not an address. */
  public Optional<ClientZone> zoneOf(String address) {
    return Cidr.parseAddress(address).map(this::zoneOf);
  }
}
