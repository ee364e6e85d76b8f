package dev.tern.controlplane.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConsoleSessionsTest {

  /** A clock the test moves by hand. */
  private static final class ManualClock extends Clock {
    private Instant now = Instant.parse("2026-11-23T10:00:00Z");

    void advance(Duration by) {
      now = now.plus(by);
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  private final ManualClock clock = new ManualClock();
  private final ConsoleSessions sessions = new ConsoleSessions(clock,
      new SecuritySettings(List.of(), List.of(), Duration.ofHours(8)));
  private final Caller ada = new Caller("ada", Role.ADMIN, Caller.AuthMethod.SESSION);

  @Test
  void a_session_lives_until_its_ttl_and_not_a_moment_longer() {
    String id = sessions.start(ada).id();
    clock.advance(Duration.ofHours(8).minusSeconds(1));
    assertEquals(ada, sessions.find(id).orElseThrow().caller());
    clock.advance(Duration.ofSeconds(1));
    assertTrue(sessions.find(id).isEmpty());
  }

  @Test
  void each_session_has_its_own_id_and_csrf_token() {
    ConsoleSessions.Started one = sessions.start(ada);
    ConsoleSessions.Started two = sessions.start(ada);
    assertNotEquals(one.id(), two.id());
    assertNotEquals(one.session().csrfToken(), two.session().csrfToken());
    assertNotEquals(one.id(), one.session().csrfToken());
  }

  @Test
  void an_ended_session_is_gone() {
    String id = sessions.start(ada).id();
    sessions.end(id);
    assertTrue(sessions.find(id).isEmpty());
  }
}
