package dev.tern.probe.check;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.validation.ReservedAddresses;
import java.net.InetAddress;
import java.util.Optional;

/**
 * The last word on where a check may connect: after the target's address is resolved and before
 * any socket is opened, an address {@link ReservedAddresses} reserves (link-local, cloud metadata)
 * is refused. The policy validator already refuses such backend addresses; this also covers a
 * hostname that resolves to one, and an assignment from a control plane that let one through.
 */
final class ReservedTargets {

  private ReservedTargets() {}

  /** Why a check of {@code asked}, resolved to {@code resolved}, must not connect; empty when it may. */
  static Optional<String> refusal(String asked, InetAddress resolved) {
    return ReservedAddresses.refusal(resolved.getAddress()).map(why -> "not checked: " + asked
        + (Cidr.parseAddress(asked).isPresent() ? "" : " resolves to " + resolved.getHostAddress())
        + ", which is " + why);
  }
}
