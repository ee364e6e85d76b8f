package dev.tern.policy.geo;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.Optional;
import java.util.regex.Pattern;

/** An IPv4 or IPv6 network in CIDR notation, such as {@code 192.0.2.0/24} or {@code 2001:db8::/32}. */
public final class Cidr {

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

  private final byte[] network;
  private final int prefix;

  private Cidr(byte[] network, int prefix) {
    this.network = network;
    this.prefix = prefix;
  }

  /** Parses {@code address/prefix}; the address bits past the prefix are cleared. */
  public static Optional<Cidr> parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return Optional.empty();
    }
    Optional<byte[]> address = parseAddress(text.substring(0, slash));
    if (address.isEmpty()) {
      return Optional.empty();
    }
    int prefix;
    try {
      prefix = Integer.parseInt(text.substring(slash + 1));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
    byte[] bytes = address.get();
    if (prefix < 0 || prefix > bytes.length * 8) {
      return Optional.empty();
    }
    return Optional.of(new Cidr(mask(bytes, prefix), prefix));
  }

  /**
   * Parses a literal IPv4 or IPv6 address without ever consulting DNS: text that is not a literal
   * address gives empty.
   */
  public static Optional<byte[]> parseAddress(String text) {
    if (!IPV4.matcher(text).matches() && !IPV6.matcher(text).matches()) {
      return Optional.empty();
    }
    if (IPV4.matcher(text).matches()) {
      for (String octet : text.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return Optional.empty();
        }
      }
    }
    try {
      return Optional.of(InetAddress.getByName(text).getAddress());
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static byte[] mask(byte[] bytes, int prefix) {
    byte[] out = bytes.clone();
    for (int i = 0; i < out.length; i++) {
      int bitsHere = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] = (byte) (out[i] & (0xFF << (8 - bitsHere)));
    }
    return out;
  }

  public int prefix() {
    return prefix;
  }

  /** True when {@code address} (4 or 16 bytes) lies in this network. */
  public boolean contains(byte[] address) {
    return address.length == network.length && Arrays.equals(mask(address, prefix), network);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && c.prefix == prefix && Arrays.equals(c.network, network);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(network) + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
