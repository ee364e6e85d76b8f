package dev.tern.policy.validation;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/** Finds the known word a misspelt one was probably meant to be, for "did you mean" hints. */
public final class Spelling {

  private Spelling() {}

  /**
   * The known word closest to {@code typed}, ignoring case, if it is close enough to be what was
   * meant: two edits for words of five letters or more, one for three or four, and only a change
   * of case for shorter ones (any two-letter country code is one edit from dozens of others).
   * Ties go to the word listed first.
   */
  public static Optional<String> closest(String typed, Collection<String> known) {
    String t = typed.toLowerCase(Locale.ROOT);
    int limit = t.length() <= 2 ? 0 : t.length() <= 4 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int d = distance(t, candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = candidate;
        bestDistance = d;
      }
    }
    return best != null && bestDistance <= limit && !best.equals(typed)
        ? Optional.of(best)
        : Optional.empty();
  }

  /** {@code "; did you mean 'weight'?"}, or nothing when no known word is close. */
  public static String hint(String typed, Collection<String> known) {
    return closest(typed, known).map(s -> "; did you mean '" + s + "'?").orElse("");
  }

  /** Optimal string alignment distance: insertions, deletions, substitutions, transpositions. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
