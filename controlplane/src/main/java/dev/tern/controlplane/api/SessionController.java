package dev.tern.controlplane.api;

import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.ConsoleSessions;
import dev.tern.controlplane.security.ConsoleUsers;
import dev.tern.controlplane.security.Public;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micronaut.core.annotation.Introspected;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.CookieValue;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.http.cookie.SameSite;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import java.time.Instant;

/**
 * {@code /api/v1/session}: console login and logout. Logging in sets an HttpOnly, SameSite=Strict
 * session cookie (Secure over TLS) and returns the CSRF token the console repeats in
 * {@code X-CSRF-Token} on every request that changes something.
 */
@Controller("/api/v1/session")
class SessionController { // not final: Micronaut proxies it to validate the @Valid body

  /** Login form. */
  @Serdeable
  @Introspected
  record LogIn(@NotBlank String username, @NotBlank String password) {}

  /** A started session, as the console sees it; the session id travels only in the cookie. */
  @Serdeable
  record SessionView(String username, String role, String csrfToken, Instant expiresAt) {}

  private final ConsoleUsers users;
  private final ConsoleSessions sessions;

  SessionController(ConsoleUsers users, ConsoleSessions sessions) {
    this.users = users;
    this.sessions = sessions;
  }

  @Post(consumes = MediaType.APPLICATION_JSON)
  @Public
  @ExecuteOn(TaskExecutors.BLOCKING)
  HttpResponse<SessionView> logIn(@Valid @Body LogIn logIn, HttpRequest<?> request) {
    Caller caller = users.authenticate(logIn.username(), logIn.password())
        .orElseThrow(() -> new HttpStatusException(HttpStatus.UNAUTHORIZED, "Wrong username or password."));
    ConsoleSessions.Started started = sessions.start(caller);
    Cookie cookie = sessionCookie(started.id(), request)
        .maxAge(sessions.ttl());
    return HttpResponse.ok(new SessionView(caller.name(), caller.role().wireName(),
            started.session().csrfToken(), started.session().expiresAt()))
        .cookie(cookie);
  }

  @Delete
  @RequiresRole(Role.VIEWER)
  HttpResponse<Void> logOut(@Nullable @CookieValue(ConsoleSessions.COOKIE) String sessionId,
      Caller caller, HttpRequest<?> request) {
    if (sessionId != null && caller.via() == Caller.AuthMethod.SESSION) {
      sessions.end(sessionId);
    }
    return HttpResponse.<Void>noContent().cookie(sessionCookie("", request).maxAge(0));
  }

  private static Cookie sessionCookie(String value, HttpRequest<?> request) {
    return Cookie.of(ConsoleSessions.COOKIE, value)
        .path("/")
        .httpOnly(true)
        .sameSite(SameSite.Strict)
        .secure(request.isSecure());
  }
}
