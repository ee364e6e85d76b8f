package dev.tern.chaos.schedule;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * When a scenario runs by itself: a cron expression in a time zone, windows in which it must not
 * start (a release freeze, a holiday), whether a run may start while the previous one is still
 * going, and a pause switch.
 *
 * @param exclude local date-time windows in the cron's zone, start inclusive, end exclusive
 */
public record Schedule(Cron cron, List<Window> exclude, Concurrency concurrency, boolean paused) {

  /** What happens when a run is due while the previous one has not finished. */
  public enum Concurrency {
    /** The due run is skipped and recorded as such. */
    FORBID,
    /** The due run starts beside the previous one. */
    ALLOW
  }

  /** A local date-time window in the schedule's zone, [from, to). */
  public record Window(LocalDateTime from, LocalDateTime to) {
    public Window {
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      if (!to.isAfter(from)) {
        throw new IllegalArgumentException("a window must end after it starts: " + from + " to " + to);
      }
    }

    boolean contains(LocalDateTime t) {
      return !t.isBefore(from) && t.isBefore(to);
    }
  }

  public Schedule {
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(concurrency, "concurrency");
    exclude = List.copyOf(exclude);
  }

  /** The first start strictly after {@code after} outside every excluded window; empty when paused or never. */
  public Optional<Instant> nextRun(Instant after) {
    if (paused) {
      return Optional.empty();
    }
    ZonedDateTime cursor = after.atZone(cron.zone());
    for (int i = 0; i < 100_000; i++) {
      Optional<ZonedDateTime> next = cron.next(cursor);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      LocalDateTime local = next.get().toLocalDateTime();
      if (exclude.stream().noneMatch(w -> w.contains(local))) {
        return Optional.of(next.get().toInstant());
      }
      cursor = next.get();
    }
    return Optional.empty();
  }

  /**
   * A start time that came due.
   *
   * @param late older than the starting deadline when noticed (no leader then, or a long pause):
   *     recorded as missed rather than started hours after its time
   */
  public record Due(Instant at, boolean late) {}

  /**
   * What a scheduler ticking at {@code now} acts on, if a start time after {@code since} came due:
   * the latest one within {@code startingDeadline} of now (earlier ones it slept through are
   * folded into it, never run one after another), or else the first one missed, marked late.
   */
  public Optional<Due> due(Instant since, Instant now, Duration startingDeadline) {
    Optional<Instant> first = nextRun(since);
    if (first.isEmpty() || first.get().isAfter(now)) {
      return Optional.empty();
    }
    Instant windowStart = now.minus(startingDeadline);
    Optional<Instant> onTime = first.get().isBefore(windowStart) ? nextRun(windowStart.minusNanos(1)) : first;
    if (onTime.isEmpty() || onTime.get().isAfter(now)) {
      return Optional.of(new Due(first.get(), true));
    }
    Instant at = onTime.get();
    for (Optional<Instant> later = nextRun(at); later.isPresent() && !later.get().isAfter(now); later = nextRun(at)) {
      at = later.get();
    }
    return Optional.of(new Due(at, false));
  }

  /** Whether a run due now may start, given whether another run of the scenario is still active. */
  public boolean mayStart(boolean anotherRunActive) {
    return !paused && (concurrency == Concurrency.ALLOW || !anotherRunActive);
  }
}
