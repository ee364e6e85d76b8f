package dev.tern.controlplane.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.RequestFilter;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.web.router.RouteMatchUtils;
import io.micronaut.web.router.UriRouteMatch;
import java.util.concurrent.TimeUnit;

/**
 * Times every request as {@code http_server_requests_seconds{method,uri,status}}. The {@code uri}
 * tag is the route template, never the raw path, so a scan of random paths cannot blow up the
 * number of series.
 */
@ServerFilter(ServerFilter.MATCH_ALL_PATTERN)
final class RequestMetricsFilter implements Ordered {

  private static final String STARTED = RequestMetricsFilter.class.getName() + ".started";

  private final MeterRegistry registry;

  RequestMetricsFilter(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE;
  }

  @RequestFilter
  void start(HttpRequest<?> request) {
    request.setAttribute(STARTED, System.nanoTime());
  }

  @ResponseFilter
  void stop(HttpRequest<?> request, HttpResponse<?> response) {
    Long started = request.getAttribute(STARTED, Long.class).orElse(null);
    if (started == null) {
      return;
    }
    String uri = RouteMatchUtils.findRouteMatch(request)
        .filter(UriRouteMatch.class::isInstance)
        .map(m -> ((UriRouteMatch<?, ?>) m).getRouteInfo().getUriMatchTemplate().toPathString())
        .orElse("UNMATCHED");
    Timer.builder("http.server.requests")
        .tag("method", request.getMethodName())
        .tag("uri", uri)
        .tag("status", Integer.toString(response.code()))
        .register(registry)
        .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
  }
}
