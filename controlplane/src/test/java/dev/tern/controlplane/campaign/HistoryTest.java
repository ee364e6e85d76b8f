package dev.tern.controlplane.campaign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.campaign.History.Outcome;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The campaign's register check: what a correct system may hold after a history of writes. */
class HistoryTest {

  private static final Instant T = Instant.parse("2026-12-01T00:00:00Z");
  private final History history = new History();

  private void write(long seq, String value, long invoked, long completed, Outcome outcome) {
    history.add(new History.Write(seq, "r", value, T.plusMillis(invoked), T.plusMillis(completed), outcome, "n1",
        ""));
  }

  @Test
  void the_initial_value_stands_until_a_write_is_acknowledged() {
    assertEquals(Optional.empty(), history.check("r", "init", "init"));
    write(1, "a", 0, 10, Outcome.OK);
    assertTrue(history.check("r", "init", "init").isPresent(), "an acknowledged write was lost");
    assertEquals(Optional.empty(), history.check("r", "a", "init"));
  }

  @Test
  void a_write_acknowledged_before_another_was_invoked_is_superseded() {
    write(1, "a", 0, 10, Outcome.OK);
    write(2, "b", 20, 30, Outcome.OK);
    String why = history.check("r", "a", "init").orElseThrow();
    assertTrue(why.contains("#1 (OK)") && why.contains("last acknowledged write was #2"), why);
    assertEquals(Optional.empty(), history.check("r", "b", "init"));
  }

  @Test
  void concurrent_acknowledged_writes_may_land_in_either_order() {
    write(1, "a", 0, 30, Outcome.OK);
    write(2, "b", 10, 20, Outcome.OK);
    assertEquals(Optional.empty(), history.check("r", "a", "init"));
    assertEquals(Optional.empty(), history.check("r", "b", "init"));
  }

  @Test
  void an_unanswered_write_may_land_any_time_and_a_refused_one_never() {
    write(1, "lost-answer", 0, 10, Outcome.INFO);
    write(2, "refused", 5, 6, Outcome.FAIL);
    write(3, "b", 20, 30, Outcome.OK);
    assertEquals(Optional.empty(), history.check("r", "lost-answer", "init"));
    assertTrue(history.check("r", "refused", "init").isPresent(), "a refused write must not take effect");
    assertTrue(history.check("r", "never-sent", "init").orElseThrow().contains("which no write sent"));
  }
}
