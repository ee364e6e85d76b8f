package dev.tern.controlplane.security;

import dev.tern.controlplane.security.ConsoleSessions.Session;
import dev.tern.controlplane.server.Problems;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpHeaders;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.cookie.Cookie;
import io.micronaut.web.router.RouteMatch;
import io.micronaut.web.router.RouteMatchUtils;
import java.util.Optional;

/**
 * Authenticates and authorises every request that reached an endpoint, before its body is read.
 *
 * <table>
 *   <caption>What the filter answers</caption>
 *   <tr><th>Request</th><th>Answer</th></tr>
 *   <tr><td>endpoint is {@link Public}</td><td>passes</td></tr>
 *   <tr><td>no credentials, unknown token, expired or unknown session</td><td>401</td></tr>
 *   <tr><td>session cookie, method changes something, no or wrong {@code X-CSRF-Token}</td><td>403</td></tr>
 *   <tr><td>role below the endpoint's {@link EndpointAccess}</td><td>403</td></tr>
 *   <tr><td>otherwise</td><td>passes, with the {@link Caller} attached to the request</td></tr>
 * </table>
 *
 * <p>A bearer token wins over a cookie: a request that carries both is judged by its token.
 * Requests that match no route pass through, so the router can answer 404 or 405.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class AccessFilter implements Ordered {

  static final String CALLER_ATTRIBUTE = Caller.class.getName();
  private static final String BEARER = "Bearer ";

  private final ApiTokens tokens;
  private final ConsoleSessions sessions;
  private final Problems problems;

  AccessFilter(ApiTokens tokens, ConsoleSessions sessions, Problems problems) {
    this.tokens = tokens;
    this.sessions = sessions;
    this.problems = problems;
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE + 100;
  }

  @RequestFilter
  @Nullable
  HttpResponse<?> authorize(HttpRequest<?> request) {
    Optional<RouteMatch> route = RouteMatchUtils.findRouteMatch(request);
    if (route.isEmpty()) {
      return null;
    }
    EndpointAccess access =
        EndpointAccess.of(request.getMethod(), route.get().getRouteInfo().getAnnotationMetadata());
    if (access.isPublic()) {
      return null;
    }
    Role required = access.role().orElseThrow();

    Optional<String> authorization = request.getHeaders().getAuthorization();
    Caller caller;
    if (authorization.isPresent()) {
      String value = authorization.get();
      if (!value.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
        return unauthorized("Send the API token as 'Authorization: Bearer <token>'.");
      }
      Optional<Caller> byToken = tokens.authenticate(value.substring(BEARER.length()).strip());
      if (byToken.isEmpty()) {
        return unauthorized("The API token is not known. Check it, or ask an admin for a new one.");
      }
      caller = byToken.get();
    } else {
      Optional<Session> session = request.getCookies().findCookie(ConsoleSessions.COOKIE)
          .map(Cookie::getValue)
          .flatMap(sessions::find);
      if (session.isEmpty()) {
        return unauthorized("Send an API token as 'Authorization: Bearer <token>', "
            + "or log in with POST /api/v1/session.");
      }
      if (EndpointAccess.isMutating(request.getMethod())) {
        Optional<String> csrf = request.getHeaders().get(ConsoleSessions.CSRF_HEADER, String.class);
        if (csrf.isEmpty() || !session.get().acceptsCsrfToken(csrf.get())) {
          return problems.response(HttpStatus.FORBIDDEN, "A console request that changes something "
              + "must repeat the session's CSRF token (returned by POST /api/v1/session) in the "
              + ConsoleSessions.CSRF_HEADER + " header.");
        }
      }
      caller = session.get().caller();
    }

    if (!caller.role().covers(required)) {
      return problems.response(HttpStatus.FORBIDDEN, "This needs the " + required.wireName()
          + " role; '" + caller.name() + "' has " + caller.role().wireName() + ".");
    }
    request.setAttribute(CALLER_ATTRIBUTE, caller);
    return null;
  }

  private HttpResponse<?> unauthorized(String detail) {
    return problems.response(HttpStatus.UNAUTHORIZED, detail)
        .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"tern\"");
  }
}
