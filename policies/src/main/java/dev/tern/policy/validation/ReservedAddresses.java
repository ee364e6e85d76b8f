package dev.tern.policy.validation;

import dev.tern.policy.geo.Cidr;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Addresses no backend may have, because a probe agent that checked them would be reaching into
 * the host it runs on rather than out to a backend: the link-local networks, where every large
 * cloud serves instance metadata and short-lived credentials, and the few metadata addresses that
 * lie outside them. The policy validator refuses them as backend addresses; the probe agent
 * refuses to connect to them whatever a name resolves to.
 *
 * <table>
 *   <caption>What is reserved</caption>
 *   <tr><th>network</th><th>why</th></tr>
 *   <tr><td>169.254.0.0/16</td><td>IPv4 link-local: AWS, GCP, Azure, Oracle and others serve
 *       instance metadata at 169.254.169.254, AWS ECS task credentials at 169.254.170.2</td></tr>
 *   <tr><td>fe80::/10</td><td>IPv6 link-local</td></tr>
 *   <tr><td>fd00:ec2::254/128</td><td>AWS instance metadata over IPv6</td></tr>
 *   <tr><td>168.63.129.16/32</td><td>Azure's host endpoint (WireServer)</td></tr>
 *   <tr><td>100.100.100.200/32</td><td>Alibaba Cloud instance metadata</td></tr>
 * </table>
 *
 * <p>An IPv4 address written as IPv6 (::ffff:a.b.c.d, or 64:ff9b::a.b.c.d through NAT64) is
 * judged as the IPv4 address it stands for. Loopback and private networks stay allowed: backends
 * live there, and so do the demo's.
 */
public final class ReservedAddresses {

  private record Reserved(Cidr network, String why) {}

  private static final String METADATA = "where clouds serve instance metadata and credentials";

  private static final List<Reserved> RESERVED = List.of(
      reserved("169.254.0.0/16", "link-local, " + METADATA),
      reserved("fe80::/10", "link-local, " + METADATA),
      reserved("fd00:ec2::254/128", "AWS's instance metadata address"),
      reserved("168.63.129.16/32", "Azure's host endpoint"),
      reserved("100.100.100.200/32", "Alibaba Cloud's instance metadata address"));

  private static final Cidr NAT64 = Cidr.parse("64:ff9b::/96").orElseThrow();

  private ReservedAddresses() {}

  private static Reserved reserved(String cidr, String why) {
    return new Reserved(Cidr.parse(cidr).orElseThrow(), why);
  }

  /** Why {@code address} (4 or 16 bytes) may not be a backend, or empty when it may. */
  public static Optional<String> refusal(byte[] address) {
    byte[] judged = address;
    if (address.length == 16 && (isIpv4Mapped(address) || NAT64.contains(address))) {
      judged = Arrays.copyOfRange(address, 12, 16);
    }
    for (Reserved r : RESERVED) {
      if (r.network().contains(judged)) {
        return Optional.of(r.why());
      }
    }
    return Optional.empty();
  }

  private static boolean isIpv4Mapped(byte[] address) {
    for (int i = 0; i < 10; i++) {
      if (address[i] != 0) {
        return false;
      }
    }
    return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
  }

  /** Why the IP literal {@code text} may not be a backend; empty when it may, or is no IP literal. */
  public static Optional<String> refusal(String text) {
    return Cidr.parseAddress(text).flatMap(ReservedAddresses::refusal);
  }
}
