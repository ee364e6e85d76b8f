package dev.tern.controlplane.security;

import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Console sessions, held in this node's memory: a restart or another node means logging in again.
 * Sessions are stored under the SHA-256 of their id, so the store never holds a usable cookie.
 */
@Singleton
public final class ConsoleSessions {

  /** Name of the HttpOnly cookie that carries the session id. */
  public static final String COOKIE = "tern_session";
  /** Header in which a cookie-authenticated request that changes something repeats its CSRF token. */
  public static final String CSRF_HEADER = "X-CSRF-Token";

  /** A live session. */
  public record Session(Caller caller, String csrfToken, Instant expiresAt) {
    public Session {
      Objects.requireNonNull(caller, "caller");
      Objects.requireNonNull(csrfToken, "csrfToken");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }

    /** True when {@code presented} is this session's CSRF token; constant time. */
    public boolean acceptsCsrfToken(String presented) {
      return Secrets.constantTimeEquals(csrfToken, presented);
    }
  }

  /** A session just started: the id goes into the cookie, the CSRF token to the console. */
  public record Started(String id, Session session) {}

  private final Map<String, Session> byIdHash = new ConcurrentHashMap<>();
  private final Clock clock;
  private final Duration ttl;

  public ConsoleSessions(Clock clock, SecuritySettings settings) {
    this.clock = clock;
    this.ttl = settings.sessionTtl();
  }

  public Duration ttl() {
    return ttl;
  }

  public Started start(Caller caller) {
    Instant now = clock.instant();
    byIdHash.values().removeIf(s -> !s.expiresAt().isAfter(now));
    String id = Secrets.randomToken();
    Session session = new Session(caller, Secrets.randomToken(), now.plus(ttl));
    byIdHash.put(Secrets.sha256Hex(id), session);
    return new Started(id, session);
  }

  /** The live session with this id; an expired one is forgotten. */
  public Optional<Session> find(String id) {
    String key = Secrets.sha256Hex(id);
    Session session = byIdHash.get(key);
    if (session == null) {
      return Optional.empty();
    }
    if (!session.expiresAt().isAfter(clock.instant())) {
      byIdHash.remove(key, session);
      return Optional.empty();
    }
    return Optional.of(session);
  }

  public void end(String id) {
    byIdHash.remove(Secrets.sha256Hex(id));
  }
}
