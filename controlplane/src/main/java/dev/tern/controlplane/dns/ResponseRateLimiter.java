package dev.tern.controlplane.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * Response rate limiting against reflection and amplification: a token bucket per client /24
 * (IPv4) or /56 (IPv6) network that refills at {@code responsesPerSecond} and holds one second's
 * worth. A response over budget is dropped, except every {@code slip}-th, which is sent truncated
 * so a real client behind a busy network falls back to TCP (where no limit applies).
 *
 * <p>Memory is bounded: the buckets live in a fixed table indexed by a hash of the network. A
 * network that lands on a slot held by another takes it over with a full bucket, so a flood of
 * distinct networks costs at most one second's budget per takeover, never memory.
 */
final class ResponseRateLimiter {

  /** What to do with one response. */
  enum Verdict {
    SEND,
    SLIP,
    DROP
  }

  private static final int STRIPES = 64;

  private final int rate;
  private final int slip;
  private final LongSupplier nanoClock;
  private final long[] keys;
  private final long[] updated;
  private final double[] tokens;
  private final long[] limited;
  private final int mask;
  private final Object[] locks = new Object[STRIPES];

  ResponseRateLimiter(DnsSettings.RateLimit settings, LongSupplier nanoClock) {
    this.rate = settings.responsesPerSecond();
    this.slip = settings.slip();
    this.nanoClock = nanoClock;
    int size = Integer.highestOneBit(Math.max(STRIPES, settings.tableSize()));
    keys = new long[size];
    updated = new long[size];
    tokens = new double[size];
    limited = new long[size];
    mask = size - 1;
    for (int i = 0; i < STRIPES; i++) {
      locks[i] = new Object();
    }
  }

  /** Charges one response to the network of {@code client}. */
  Verdict charge(InetAddress client) {
    if (rate <= 0) {
      return Verdict.SEND;
    }
    long key = networkKey(client);
    int slot = (int) (mix(key) & mask);
    long now = nanoClock.getAsLong();
    synchronized (locks[slot & (STRIPES - 1)]) {
      if (keys[slot] != key) {
        keys[slot] = key;
        tokens[slot] = rate;
        updated[slot] = now;
        limited[slot] = 0;
      } else {
        double refill = (now - updated[slot]) * (rate / 1e9);
        tokens[slot] = Math.min(rate, tokens[slot] + refill);
        updated[slot] = now;
      }
      if (tokens[slot] >= 1) {
        tokens[slot] -= 1;
        return Verdict.SEND;
      }
      limited[slot]++;
      return slip > 0 && limited[slot] % slip == 0 ? Verdict.SLIP : Verdict.DROP;
    }
  }

  /** The /24 or /56 of an address, tagged with its family so the two never collide; never 0. */
  static long networkKey(InetAddress client) {
    if (client instanceof Inet4Address) {
      return (1L << 58) | ((client.hashCode() >>> 8) & 0xFFFFFFL);
    }
    byte[] a = client.getAddress();
    long key = 1L << 57;
    for (int i = 0; i < 7; i++) {
      key |= (a[i] & 0xFFL) << (8 * (6 - i));
    }
    return key;
  }

  private static long mix(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    return k;
  }
}
