package dev.tern.policy.validation;

import java.util.Objects;

/**
 * One problem in a policy: where it is and what to do about it.
 *
 * @param path where in the policy, e.g. {@code services.shop.backends[2].weight}: services are
 *     keyed by name, lists by 0-based index; empty for the file as a whole
 * @param line 1-based line in the YAML source, 0 when the policy did not come from YAML
 * @param column 1-based column in the YAML source, 0 when unknown
 * @param message what is wrong and how to fix it
 */
public record Violation(String path, int line, int column, String message) {

  public Violation {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(message, "message");
    if (line < 0 || column < 0) {
      throw new IllegalArgumentException("line and column are 1-based, or 0 when unknown");
    }
  }

  /** A violation found on the model, with no source position. */
  public static Violation at(String path, String message) {
    return new Violation(path, 0, 0, message);
  }

  /** The same violation, placed at a position in the source. */
  public Violation at(int atLine, int atColumn) {
    return new Violation(path, atLine, atColumn, message);
  }

  public boolean hasPosition() {
    return line > 0;
  }

  /** {@code policy.yaml:12:7: services.shop.backends[2].weight: weight must be ...}. */
  public String format(String sourceName) {
    StringBuilder out = new StringBuilder(sourceName);
    if (hasPosition()) {
      out.append(':').append(line).append(':').append(column);
    }
    out.append(": ");
    if (!path.isEmpty()) {
      out.append(path).append(": ");
    }
    return out.append(message).toString();
  }

  /** {@code 12:7: services.shop.backends[2].weight: weight must be ...}. */
  @Override
  public String toString() {
    String where = hasPosition() ? line + ":" + column + ": " : "";
    return where + (path.isEmpty() ? "" : path + ": ") + message;
  }
}
