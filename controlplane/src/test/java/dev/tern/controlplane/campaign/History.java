package dev.tern.controlplane.campaign;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Every write the campaign's clients made, with what they were told, and the check that what the cluster holds
 * afterwards is a value a correct system could hold.
 *
 * <p>Each register (a backend's health-check path, a backend's drain flag) is written with values the history can
 * tell apart. A write is {@link Outcome#OK} when the API acknowledged it, {@link Outcome#FAIL} when it was refused
 * or never reached a node (it must not take effect), {@link Outcome#INFO} when the answer is unknown (a timeout, a
 * 5xx, a node that died mid-call): it may take effect at any time, even later.
 *
 * <p>The rule is the register's linearizability applied to the final state: the value held must come from a write
 * that is OK or INFO and that no acknowledged write followed (one whose invocation came after its completion; an
 * INFO write never completes). A value from a superseded write means an acknowledged write was lost or reordered.
 */
final class History {

  enum Outcome {
    OK,
    FAIL,
    INFO
  }

  /** One write: register, value, when it was sent and answered, and to which node. */
  record Write(long seq, String register, String value, Instant invoked, Instant completed, Outcome outcome,
      String node, String detail) {}

  /** How many of the values a register could hold an anomaly names: the most recent ones. */
  private static final int POSSIBLE_SHOWN = 20;

  private final List<Write> writes = new ArrayList<>();

  synchronized void add(Write w) {
    writes.add(w);
  }

  synchronized List<Write> all() {
    return List.copyOf(writes);
  }

  synchronized long count(Outcome outcome) {
    return writes.stream().filter(w -> w.outcome() == outcome).count();
  }

  /**
   * Why {@code observed} cannot be what {@code register} holds now, or empty when it can.
   *
   * @param initial the value before any write of the history
   */
  synchronized Optional<String> check(String register, String observed, String initial) {
    List<Write> mine = writes.stream().filter(w -> w.register().equals(register) && w.outcome() != Outcome.FAIL)
        .toList();
    List<Write> acknowledged = mine.stream().filter(w -> w.outcome() == Outcome.OK).toList();
    // An acknowledged write is superseded when another acknowledged write was invoked after it completed: after the
    // latest invocation among them. One pass, not one per write: the history holds hundreds of thousands of writes,
    // and clients wait on this lock.
    Instant lastInvoked = acknowledged.stream().map(Write::invoked).max(Instant::compareTo).orElse(Instant.MIN);
    List<Write> possible = mine.stream()
        .filter(w -> w.outcome() != Outcome.OK || !lastInvoked.isAfter(w.completed())).toList();
    if (acknowledged.isEmpty() && observed.equals(initial)) {
      return Optional.empty();
    }
    if (possible.stream().anyMatch(w -> w.value().equals(observed))) {
      return Optional.empty();
    }
    Optional<Write> source = mine.stream().filter(w -> w.value().equals(observed)).reduce((a, b) -> b);
    Write last = acknowledged.isEmpty() ? null : acknowledged.getLast();
    List<String> shown = possible.stream().skip(Math.max(0, possible.size() - POSSIBLE_SHOWN))
        .map(w -> "#" + w.seq() + "=" + w.value()).toList();
    return Optional.of(register + " holds " + observed + (source.isPresent()
        ? " from write #" + source.get().seq() + " (" + source.get().outcome() + ")" : ", which no write sent")
        + ", but the last acknowledged write was #" + (last == null ? "none" : last.seq() + " = " + last.value()
        + " at " + last.completed() + " via " + last.node()) + "; possible (" + possible.size() + ", the last "
        + shown.size() + "): " + shown);
  }
}
