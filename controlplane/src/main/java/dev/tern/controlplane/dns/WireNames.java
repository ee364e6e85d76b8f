package dev.tern.controlplane.dns;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Domain names in wire form (length-prefixed labels ending with the root's zero byte), and an
 * immutable open-addressing map keyed by them that is read without allocating.
 */
final class WireNames {

  private WireNames() {}

  /**
   * {@code shop.tern.test} (trailing dot optional) in lower-case wire form.
   *
   * @throws IllegalArgumentException for an empty label, a label over 63 bytes or a name over 255
   */
  static byte[] toWire(String name) {
    String n = DnsSettings.canonicalName(name);
    if (n.isEmpty()) {
      return new byte[] {0};
    }
    byte[] out = new byte[n.length() + 2];
    int pos = 0;
    for (String label : n.split("\\.", -1)) {
      byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
      if (bytes.length == 0 || bytes.length > 63) {
        throw new IllegalArgumentException("not a domain name: '" + name + "' (each label must be 1..63 bytes)");
      }
      out[pos++] = (byte) bytes.length;
      System.arraycopy(bytes, 0, out, pos, bytes.length);
      pos += bytes.length;
    }
    out[pos++] = 0;
    if (pos > 255) {
      throw new IllegalArgumentException("not a domain name: '" + name + "' is longer than 255 bytes");
    }
    return Arrays.copyOf(out, pos);
  }

  /** Maps names in wire form to values; built once, then only read. */
  static final class NameMap<V> {
    private final byte[][] keys;
    private final Object[] values;
    private final int mask;

    NameMap(java.util.Map<String, V> byName) {
      int capacity = Integer.highestOneBit(Math.max(4, byName.size() * 2 + 1)) << 1;
      keys = new byte[capacity][];
      values = new Object[capacity];
      mask = capacity - 1;
      byName.forEach((name, value) -> {
        byte[] key = toWire(name);
        int slot = hash(key, 0, key.length) & mask;
        while (keys[slot] != null) {
          slot = (slot + 1) & mask;
        }
        keys[slot] = key;
        values[slot] = value;
      });
    }

    /** The value of the name at {@code buf[off..off+len)} (lower case wire form), or null. */
    @SuppressWarnings("unchecked")
    V get(byte[] buf, int off, int len) {
      int slot = hash(buf, off, len) & mask;
      while (true) {
        byte[] key = keys[slot];
        if (key == null) {
          return null;
        }
        if (key.length == len && Arrays.equals(key, 0, len, buf, off, off + len)) {
          return (V) values[slot];
        }
        slot = (slot + 1) & mask;
      }
    }

    private static int hash(byte[] b, int off, int len) {
      int h = 1;
      for (int i = off; i < off + len; i++) {
        h = 31 * h + b[i];
      }
      return h ^ (h >>> 16);
    }
  }
}
