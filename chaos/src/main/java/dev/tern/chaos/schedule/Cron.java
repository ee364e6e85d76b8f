package dev.tern.chaos.schedule;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A five-field cron expression (minute, hour, day of month, month, day of week) in a time zone,
 * as crontab(5) reads it: {@code *}, numbers, ranges {@code a-b}, lists {@code a,b}, steps
 * {@code * /n} and {@code a-b/n}, month and day names ({@code jan}, {@code mon}), Sunday as 0 or 7.
 * When both day fields are restricted, a day matches if either does.
 *
 * <p>Daylight saving time, decided so a run is never doubled and never silently moved:
 *
 * <table>
 *   <tr><th>Local time</th><th>Runs</th></tr>
 *   <tr><td>exists once</td><td>at that time</td></tr>
 *   <tr><td>skipped (spring forward)</td><td>not at all that day</td></tr>
 *   <tr><td>occurs twice (fall back)</td><td>once, at the earlier offset</td></tr>
 * </table>
 */
public final class Cron {

  private static final List<String> MONTHS =
      List.of("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec");
  private static final List<String> DAYS = List.of("sun", "mon", "tue", "wed", "thu", "fri", "sat");
  /** Far enough for any real expression (e.g. 29 February on a Monday: 28 years). */
  private static final int MAX_DAYS_AHEAD = 366 * 30;

  private final String expression;
  private final ZoneId zone;
  private final BitSet minutes;
  private final BitSet hours;
  private final BitSet daysOfMonth;
  private final BitSet months;
  private final BitSet daysOfWeek;
  private final boolean anyDayOfMonth;
  private final boolean anyDayOfWeek;

  private Cron(String expression, ZoneId zone, BitSet[] fields, boolean anyDayOfMonth, boolean anyDayOfWeek) {
    this.expression = expression;
    this.zone = zone;
    this.minutes = fields[0];
    this.hours = fields[1];
    this.daysOfMonth = fields[2];
    this.months = fields[3];
    this.daysOfWeek = fields[4];
    this.anyDayOfMonth = anyDayOfMonth;
    this.anyDayOfWeek = anyDayOfWeek;
  }

  /** Thrown for an expression that is not five valid fields; the message says which field and why. */
  public static final class InvalidCronException extends IllegalArgumentException {
    InvalidCronException(String message) {
      super(message);
    }
  }

  /** Parses {@code expression}, e.g. {@code "0 3 * * mon-fri"}, to run in {@code zone}. */
  public static Cron parse(String expression, ZoneId zone) {
    Objects.requireNonNull(zone, "zone");
    String[] parts = expression.trim().toLowerCase(Locale.ROOT).split("\\s+");
    if (parts.length != 5) {
      throw new InvalidCronException("a cron expression has five fields (minute hour day-of-month month"
          + " day-of-week), got " + parts.length + " in '" + expression + "'");
    }
    BitSet[] fields = {
        field("minute", parts[0], 0, 59, List.of(), 0),
        field("hour", parts[1], 0, 23, List.of(), 0),
        field("day of month", parts[2], 1, 31, List.of(), 0),
        field("month", parts[3], 1, 12, MONTHS, 1),
        field("day of week", parts[4], 0, 7, DAYS, 0),
    };
    if (fields[4].get(7)) {
      fields[4].set(0);
      fields[4].clear(7);
    }
    return new Cron(expression.trim(), zone, fields, parts[2].equals("*"), parts[4].equals("*"));
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  /** The first run strictly after {@code after}, or empty if the expression can never match (31 February). */
  public Optional<ZonedDateTime> next(ZonedDateTime after) {
    LocalDateTime start = after.withZoneSameInstant(zone).toLocalDateTime().truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
    LocalDate day = start.toLocalDate();
    LocalTime from = start.toLocalTime();
    for (int i = 0; i < MAX_DAYS_AHEAD; i++, day = day.plusDays(1), from = LocalTime.MIDNIGHT) {
      if (!matchesDay(day)) {
        continue;
      }
      for (int h = hours.nextSetBit(from.getHour()); h >= 0; h = hours.nextSetBit(h + 1)) {
        int firstMinute = h == from.getHour() ? from.getMinute() : 0;
        for (int m = minutes.nextSetBit(firstMinute); m >= 0; m = minutes.nextSetBit(m + 1)) {
          Optional<ZonedDateTime> run = resolve(LocalDateTime.of(day, LocalTime.of(h, m)));
          if (run.isPresent() && run.get().isAfter(after)) {
            return run;
          }
        }
      }
    }
    return Optional.empty();
  }

  private boolean matchesDay(LocalDate day) {
    if (!months.get(day.getMonthValue())) {
      return false;
    }
    boolean dom = daysOfMonth.get(day.getDayOfMonth());
    boolean dow = daysOfWeek.get(day.getDayOfWeek() == DayOfWeek.SUNDAY ? 0 : day.getDayOfWeek().getValue());
    if (anyDayOfMonth || anyDayOfWeek) {
      return (anyDayOfMonth || dom) && (anyDayOfWeek || dow);
    }
    return dom || dow;
  }

  /** The instant of a local time in the zone: none in a gap, the earlier offset in an overlap. */
  private Optional<ZonedDateTime> resolve(LocalDateTime time) {
    var offsets = zone.getRules().getValidOffsets(time);
    if (offsets.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(ZonedDateTime.ofLocal(time, zone, offsets.getFirst()).withEarlierOffsetAtOverlap());
  }

  private static BitSet field(String name, String text, int min, int max, List<String> names, int nameBase) {
    BitSet bits = new BitSet(max + 1);
    for (String part : text.split(",", -1)) {
      int step = 1;
      String range = part;
      int slash = part.indexOf('/');
      if (slash >= 0) {
        step = number(name, part.substring(slash + 1), 1, max - min + 1, List.of(), 0, part);
        range = part.substring(0, slash);
      }
      int from;
      int to;
      if (range.equals("*")) {
        from = min;
        to = max == 7 ? 6 : max;
      } else if (range.contains("-")) {
        String[] ends = range.split("-", -1);
        if (ends.length != 2) {
          throw invalid(name, part, "a range is two values joined by '-'");
        }
        from = number(name, ends[0], min, max, names, nameBase, part);
        to = number(name, ends[1], min, max, names, nameBase, part);
        if (from > to) {
          throw invalid(name, part, "the range runs backwards; write the smaller value first");
        }
      } else {
        from = number(name, range, min, max, names, nameBase, part);
        to = slash >= 0 ? (max == 7 ? 6 : max) : from;
      }
      for (int v = from; v <= to; v += step) {
        bits.set(v);
      }
    }
    return bits;
  }

  private static int number(String name, String text, int min, int max, List<String> names, int nameBase, String part) {
    int byName = names.indexOf(text);
    if (byName >= 0) {
      return byName + nameBase;
    }
    try {
      int value = Integer.parseInt(text);
      if (value < min || value > max) {
        throw invalid(name, part, "values run from " + min + " to " + max);
      }
      return value;
    } catch (NumberFormatException e) {
      throw invalid(name, part, names.isEmpty() ? "expected a number" : "expected a number or one of " + String.join(", ", names));
    }
  }

  private static InvalidCronException invalid(String name, String part, String why) {
    return new InvalidCronException("cron " + name + " field '" + part + "': " + why);
  }

  @Override
  public String toString() {
    return expression + " (" + zone + ")";
  }
}
