package dev.tern.policy.routing;

/** Scales raw weights to a fixed total, so that every zone's answer set reads the same way. */
final class Weights {

  private Weights() {}

  /**
   * Scales positive {@code raw} weights to add up to exactly {@code total} by largest remainder
   * (ties to the earlier entry), so exact ratios stay exact. An entry that would round to 0 gets 1,
   * taken from the largest. Requires {@code raw.length <= total}.
   */
  static int[] normalize(int[] raw, int total) {
    int n = raw.length;
    int[] out = new int[n];
    if (n == 0) {
      return out;
    }
    long sum = 0;
    for (int w : raw) {
      sum += w;
    }
    long[] remainder = new long[n];
    int assigned = 0;
    for (int i = 0; i < n; i++) {
      long scaled = (long) raw[i] * total;
      out[i] = (int) (scaled / sum);
      remainder[i] = scaled % sum;
      assigned += out[i];
    }
    while (assigned < total) {
      int best = 0;
      for (int i = 1; i < n; i++) {
        if (remainder[i] > remainder[best]) {
          best = i;
        }
      }
      out[best]++;
      remainder[best] = -1;
      assigned++;
    }
    for (int i = 0; i < n; i++) {
      if (out[i] == 0) {
        int largest = 0;
        for (int j = 1; j < n; j++) {
          if (out[j] > out[largest]) {
            largest = j;
          }
        }
        out[largest]--;
        out[i] = 1;
      }
    }
    return out;
  }
}
