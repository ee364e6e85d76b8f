package dev.tern.controlplane.state;

import java.util.Objects;

/**
 * What replaying a command gave: applied (with the version it produced, where there is one) or
 * rejected with a reason. Rejection is a value, never an exception: every node reaches the same one.
 */
public sealed interface ApplyResult {

  /** The command changed the state. */
  record Applied(long version) implements ApplyResult {}

  /** The command was valid to log but not to apply; the state is unchanged. */
  record Rejected(String reason) implements ApplyResult {
    public Rejected {
      Objects.requireNonNull(reason, "reason");
    }
  }

  default boolean applied() {
    return this instanceof Applied;
  }
}
