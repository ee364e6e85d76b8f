package dev.tern.chaos.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
  static final ZoneId UTC = ZoneId.of("UTC");

  @ParameterizedTest(name = "{0} after {1} runs at {2}")
  @CsvSource(delimiter = '|', textBlock = """
      0 3 * * *        | 2026-03-02T12:00:00Z | 2026-03-03T03:00:00Z
      0 3 * * *        | 2026-03-03T02:59:59Z | 2026-03-03T03:00:00Z
      0 3 * * *        | 2026-03-03T03:00:00Z | 2026-03-04T03:00:00Z
      */15 * * * *     | 2026-03-03T10:07:00Z | 2026-03-03T10:15:00Z
      30 9 * * mon-fri | 2026-03-06T10:00:00Z | 2026-03-09T09:30:00Z
      0 0 1 * *        | 2026-12-15T00:00:00Z | 2027-01-01T00:00:00Z
      0 12 13 * 5      | 2026-03-01T00:00:00Z | 2026-03-06T12:00:00Z
      0 0 29 feb *     | 2026-03-01T00:00:00Z | 2028-02-29T00:00:00Z
      5-10/5 22 * * 0  | 2026-03-01T22:05:00Z | 2026-03-01T22:10:00Z
      59 23 31 12 7    | 2026-12-31T23:59:00Z | 2027-12-05T23:59:00Z
      """)
  void the_next_run_follows_crontab(String expression, String after, String expected) {
    assertEquals(Optional.of(ZonedDateTime.parse(expected).withZoneSameInstant(UTC)),
        Cron.parse(expression, UTC).next(ZonedDateTime.parse(after).withZoneSameInstant(UTC)));
  }

  @Test
  void a_run_in_the_spring_gap_is_skipped_and_one_in_the_autumn_overlap_runs_once() {
    Cron nightly = Cron.parse("30 2 * * *", BERLIN);
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist that night.
    assertEquals(List.of(Instant.parse("2026-03-28T01:30:00Z"), Instant.parse("2026-03-30T00:30:00Z")),
        runs(nightly, Instant.parse("2026-03-27T12:00:00Z"), 2));
    List<Instant> runs = runs(nightly, Instant.parse("2026-10-24T12:00:00Z"), 3);
    // 25 October 2026: 03:00 CEST falls back to 02:00 CET; 02:30 happens twice and runs once, at CEST.
    assertEquals(List.of(Instant.parse("2026-10-25T00:30:00Z"), Instant.parse("2026-10-26T01:30:00Z"),
        Instant.parse("2026-10-27T01:30:00Z")), runs);
  }

  @Test
  void excluded_windows_and_pause_hold_a_schedule_back() {
    Cron daily = Cron.parse("0 3 * * *", BERLIN);
    Schedule freeze = new Schedule(daily, List.of(new Schedule.Window(
        LocalDateTime.parse("2026-12-20T00:00"), LocalDateTime.parse("2027-01-04T00:00"))), Schedule.Concurrency.FORBID, false);
    assertEquals(Optional.of(Instant.parse("2027-01-04T02:00:00Z")), freeze.nextRun(Instant.parse("2026-12-19T03:00:00Z")));
    assertEquals(Optional.of(Instant.parse("2026-12-19T02:00:00Z")), freeze.nextRun(Instant.parse("2026-12-18T12:00:00Z")));
    assertEquals(Optional.empty(), new Schedule(daily, List.of(), Schedule.Concurrency.FORBID, true).nextRun(Instant.EPOCH));
  }

  @Test
  void concurrency_forbid_skips_a_run_while_another_is_active() {
    Cron daily = Cron.parse("0 3 * * *", UTC);
    assertFalse(new Schedule(daily, List.of(), Schedule.Concurrency.FORBID, false).mayStart(true));
    assertTrue(new Schedule(daily, List.of(), Schedule.Concurrency.FORBID, false).mayStart(false));
    assertTrue(new Schedule(daily, List.of(), Schedule.Concurrency.ALLOW, false).mayStart(true));
    assertFalse(new Schedule(daily, List.of(), Schedule.Concurrency.ALLOW, true).mayStart(false));
  }

  @ParameterizedTest(name = "''{0}'' is refused: {1}")
  @CsvSource(delimiter = '|', textBlock = """
      0 3 * *          | five fields
      60 3 * * *       | cron minute field '60': values run from 0 to 59
      0 3 * * funday   | cron day of week field 'funday': expected a number or one of sun, mon
      0 5-3 * * *      | the range runs backwards
      0 3 * * */0      | values run from 1 to 8
      """)
  void a_bad_expression_is_refused_with_the_field_and_why(String expression, String message) {
    Cron.InvalidCronException e = assertThrows(Cron.InvalidCronException.class, () -> Cron.parse(expression, UTC));
    assertTrue(e.getMessage().contains(message), e.getMessage());
  }

  @Test
  void an_impossible_date_never_runs() {
    assertEquals(Optional.empty(), Cron.parse("0 0 31 2 *", UTC).next(ZonedDateTime.parse("2026-01-01T00:00:00Z")));
  }

  private static List<Instant> runs(Cron cron, Instant from, int count) {
    List<Instant> out = new ArrayList<>();
    ZonedDateTime cursor = from.atZone(cron.zone());
    for (int i = 0; i < count; i++) {
      cursor = cron.next(cursor).orElseThrow();
      out.add(cursor.toInstant());
    }
    return out;
  }

  /** A scheduler ticking every 20 s on a fake clock, as the control plane's does: what it starts, and when. */
  private static List<Instant> ticked(Schedule schedule, Instant from, Instant to, Duration tick) {
    List<Instant> started = new ArrayList<>();
    Instant since = from;
    for (Instant now = from; now.isBefore(to); now = now.plus(tick)) {
      Optional<Schedule.Due> due = schedule.due(since, now, Duration.ofMinutes(1));
      if (due.isPresent()) {
        assertFalse(due.get().late(), "a scheduler that ticks every " + tick + " is never late: " + due.get());
        started.add(due.get().at());
        since = due.get().at();
      }
    }
    return started;
  }

  @Test
  void a_ticking_scheduler_starts_each_run_once_at_its_time_and_skips_excluded_days() {
    Schedule schedule = new Schedule(Cron.parse("0 3 * * mon-fri", BERLIN),
        List.of(new Schedule.Window(LocalDateTime.parse("2026-03-25T00:00"), LocalDateTime.parse("2026-03-26T00:00"))),
        Schedule.Concurrency.FORBID, false);
    // Monday 23 March to Monday 30 March 2026, across the switch to summer time on the 29th.
    List<Instant> started = ticked(schedule, Instant.parse("2026-03-23T00:00:00Z"), Instant.parse("2026-03-30T12:00:00Z"),
        Duration.ofSeconds(20));
    assertEquals(List.of(
        Instant.parse("2026-03-23T02:00:00Z"), Instant.parse("2026-03-24T02:00:00Z"),
        Instant.parse("2026-03-26T02:00:00Z"), Instant.parse("2026-03-27T02:00:00Z"),
        Instant.parse("2026-03-30T01:00:00Z")), started);
  }

  @Test
  void start_times_slept_through_fold_into_the_latest_or_are_reported_missed() {
    Schedule everyFiveMinutes = new Schedule(Cron.parse("*/5 * * * *", UTC), List.of(), Schedule.Concurrency.ALLOW, false);
    Instant since = Instant.parse("2026-03-03T10:00:00Z");
    // Asleep for 12 minutes, then 30 s past a start time: only the latest one runs.
    assertEquals(Optional.of(new Schedule.Due(Instant.parse("2026-03-03T10:10:00Z"), false)),
        everyFiveMinutes.due(since, Instant.parse("2026-03-03T10:10:30Z"), Duration.ofMinutes(1)));
    // Asleep for 14 minutes: the latest start time is 4 minutes old, past the deadline.
    assertEquals(Optional.of(new Schedule.Due(Instant.parse("2026-03-03T10:05:00Z"), true)),
        everyFiveMinutes.due(since, Instant.parse("2026-03-03T10:14:00Z"), Duration.ofMinutes(1)));
    assertEquals(Optional.empty(), everyFiveMinutes.due(since, Instant.parse("2026-03-03T10:04:59Z"), Duration.ofMinutes(1)));
    Schedule paused = new Schedule(Cron.parse("*/5 * * * *", UTC), List.of(), Schedule.Concurrency.ALLOW, true);
    assertEquals(Optional.empty(), paused.due(since, Instant.parse("2026-03-03T11:00:00Z"), Duration.ofMinutes(1)));
  }
}
