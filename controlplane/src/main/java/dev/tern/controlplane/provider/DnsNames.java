package dev.tern.controlplane.provider;

import dev.tern.policy.geo.ClientZone;
import java.util.Locale;

/**
 * The names the DNS providers (Route 53, Cloud DNS) write for a service's hostname, and the
 * ownership record that marks them as Tern's, in the ExternalDNS style: {@code
 * tern-owner.<host>} holding {@code "heritage=tern,tern/owner=<owner>,tern/service=<service>"}.
 * Names are fully qualified, with the trailing dot.
 */
public final class DnsNames {

  private DnsNames() {}

  /** The per-zone name holding a client zone's answers: {@code z-eu.<host>}. */
  public static String zoneName(ClientZone zone, String host) {
    return "z-" + zone.key().toLowerCase(Locale.ROOT) + "." + host;
  }

  public static String ownershipName(String host) {
    return "tern-owner." + host;
  }

  /** The ownership record's value, quoted as TXT data. */
  public static String ownershipValue(String service, String owner) {
    return "\"heritage=tern,tern/owner=" + owner + ",tern/service=" + service + "\"";
  }

  /** Whether {@code name} is one Tern writes for {@code host}: the hostname, a zone's name, or the ownership record. */
  public static boolean managedName(String name, String host) {
    return name.equals(host) || name.equals(ownershipName(host)) || (name.startsWith("z-") && name.endsWith("." + host)
        && name.indexOf('.') == name.length() - host.length() - 1);
  }
}
