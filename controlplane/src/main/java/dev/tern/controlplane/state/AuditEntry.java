package dev.tern.controlplane.state;

import java.time.Instant;
import java.util.Objects;

/**
 * One operator action, as replicated: who, when, what, and the state before and after.
 *
 * @param sequence position in the audit log, from 1
 * @param before the target's state before (e.g. the previous YAML), empty when it did not exist
 * @param after the target's state after, empty when it was removed
 */
public record AuditEntry(
    long sequence, Instant at, String actor, String action, String target, String reason, String before, String after) {

  public AuditEntry {
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(after, "after");
  }
}
