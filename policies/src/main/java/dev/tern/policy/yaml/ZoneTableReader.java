package dev.tern.policy.yaml;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.ZoneTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.nodes.Node;

/** Reads the {@code kind: ZoneTable} document: client networks and the zone each is in. */
final class ZoneTableReader {

  static final List<String> KEYS = List.of("kind", "entries");
  private static final List<String> ENTRY_KEYS = List.of("cidr", "zone");

  private final Conversion c;

  ZoneTableReader(Conversion conversion) {
    this.c = conversion;
  }

  Optional<ZoneTable> read(MappingReader doc) {
    Optional<List<Node>> items = doc.require(
        doc.required("entries").flatMap(n -> c.sequence(doc.path("entries"), n)));
    if (items.isEmpty()) {
      return Optional.empty();
    }
    List<ZoneTable.Entry> entries = new ArrayList<>();
    for (int i = 0; i < items.get().size(); i++) {
      String p = doc.path("entries") + "[" + i + "]";
      c.mapping(p, items.get().get(i), ENTRY_KEYS).flatMap(this::entry).ifPresentOrElse(
          entries::add, c::markIncomplete);
    }
    return Optional.of(new ZoneTable(entries));
  }

  private Optional<ZoneTable.Entry> entry(MappingReader m) {
    Optional<Cidr> cidr = m.required("cidr").flatMap(n -> cidr(m.path("cidr"), n));
    Optional<ClientZone> zone = m.required("zone").flatMap(n -> c.zone(m.path("zone"), n));
    if (cidr.isEmpty() || zone.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(new ZoneTable.Entry(cidr.get(), zone.get()));
  }

  private Optional<Cidr> cidr(String path, Node node) {
    Optional<String> text = c.string(path, node);
    if (text.isEmpty()) {
      return Optional.empty();
    }
    Optional<Cidr> cidr = Cidr.parse(text.get());
    if (cidr.isEmpty()) {
      c.error(path, node, "invalid CIDR '" + text.get() + "'; write a network and prefix length,"
          + " e.g. 198.51.100.0/24 or 2001:db8::/32");
    }
    return cidr;
  }
}
