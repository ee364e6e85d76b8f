package dev.tern.controlplane.dns;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.ZoneTable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The client-subnet table the embedded DNS resolves a client address with: configured networks and
 * the policy's own zone table, longest prefix first. For the same network the configured entry wins.
 *
 * <p>An address no entry covers is looked up in the GeoIP country database when one is
 * configured, and is otherwise in {@code default}.
 *
 * <p>Besides the zone it works out the ECS scope: the shortest prefix of the client's address
 * that no other entry of the table splits, so a resolver caching the answer for that scope never
 * hands it to a client of another zone.
 */
final class ClientSubnets {

  /** The result of one lookup, reused by its thread. */
  static final class Match {
    ClientZone zone = ClientZone.DEFAULT;
    int scope;
  }

  private record Row(byte[] network, int prefix, ClientZone zone) {}

  private final Row[] v4;
  private final Row[] v6;
  private final Set<ClientZone> zones;
  private final Optional<GeoIpCountries> geo;

  ClientSubnets(List<DnsSettings.ZoneEntry> configured, ZoneTable policyTable, Optional<GeoIpCountries> geo) {
    this.geo = geo;
    List<Row> rows = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (DnsSettings.ZoneEntry e : configured) {
      if (seen.add(e.cidr().toString())) {
        rows.add(row(e.cidr(), e.zone()));
      }
    }
    for (ZoneTable.Entry e : policyTable.entries()) {
      if (seen.add(e.cidr().toString())) {
        rows.add(row(e.cidr(), e.zone()));
      }
    }
    rows.sort(Comparator.comparingInt((Row r) -> -r.prefix()));
    v4 = rows.stream().filter(r -> r.network().length == 4).toArray(Row[]::new);
    v6 = rows.stream().filter(r -> r.network().length == 16).toArray(Row[]::new);
    Set<ClientZone> z = new HashSet<>();
    rows.forEach(r -> z.add(r.zone()));
    z.add(ClientZone.DEFAULT);
    zones = Set.copyOf(z);
  }

  private static Row row(Cidr cidr, ClientZone zone) {
    String text = cidr.toString();
    byte[] network = Cidr.parseAddress(text.substring(0, text.indexOf('/'))).orElseThrow();
    return new Row(network, cidr.prefix(), zone);
  }

  /** Every zone the CIDR entries name, and {@code default} (GeoIP countries come on top). */
  Set<ClientZone> zones() {
    return zones;
  }

  /**
   * Resolves the first {@code bits} bits of {@code address} (4 or 16 bytes; later bits are ignored)
   * into {@code out}. The scope never exceeds {@code bits}.
   */
  void lookup(byte[] address, int bits, Match out) {
    Row[] rows = address.length == 4 ? v4 : v6;
    int matched = -1;
    for (int i = 0; i < rows.length; i++) {
      Row r = rows[i];
      if (r.prefix() <= bits && commonPrefix(address, r.network(), r.prefix()) >= r.prefix()) {
        matched = i;
        break;
      }
    }
    int matchedPrefix;
    if (matched >= 0) {
      matchedPrefix = rows[matched].prefix();
      out.zone = rows[matched].zone();
    } else if (geo.isPresent() && geo.get().lookup(address, bits, out)) {
      matchedPrefix = Math.min(out.scope, bits);
    } else {
      matchedPrefix = 0;
      out.zone = ClientZone.DEFAULT;
    }
    // A more specific entry that agrees with the address on at least matchedPrefix bits lies
    // inside the matched network: the scope must be long enough to leave it out.
    int scope = matchedPrefix;
    int end = matched < 0 ? rows.length : matched;
    for (int i = 0; i < end; i++) {
      Row r = rows[i];
      int common = commonPrefix(address, r.network(), Math.min(r.prefix(), bits));
      if (common >= matchedPrefix && common + 1 > scope) {
        scope = common + 1;
      }
    }
    out.scope = Math.min(scope, bits);
  }

  /** How many leading bits of {@code a} and {@code b} agree, up to {@code limit}. */
  private static int commonPrefix(byte[] a, byte[] b, int limit) {
    int bits = 0;
    for (int i = 0; i < a.length && bits < limit; i++) {
      int diff = (a[i] ^ b[i]) & 0xFF;
      if (diff == 0) {
        bits += 8;
      } else {
        bits += Integer.numberOfLeadingZeros(diff) - 24;
        break;
      }
    }
    return Math.min(bits, limit);
  }
}
