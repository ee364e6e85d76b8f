package dev.tern.controlplane.state;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One scenario in the replicated catalogue: what the scheduler runs by itself, and what operators
 * start by name. The YAML was validated by the API before it was committed; the state machine
 * keeps it as text.
 *
 * @param paused set by an operator; a schedule paused in its YAML is paused as well
 * @param lastDue the start time the schedule last came due for, whatever became of it; the
 *     scheduler looks for the next one after it, so a new leader neither repeats nor forgets one
 * @param lastResult what became of {@code lastDue}, in words ("" before the first)
 */
public record ChaosScenarioEntry(
    String name, String yaml, String actor, Instant updatedAt, boolean paused, Optional<Instant> lastDue,
    String lastResult) {

  public ChaosScenarioEntry {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(yaml, "yaml");
    Objects.requireNonNull(actor, "actor");
    Objects.requireNonNull(updatedAt, "updatedAt");
    Objects.requireNonNull(lastDue, "lastDue");
    Objects.requireNonNull(lastResult, "lastResult");
  }
}
