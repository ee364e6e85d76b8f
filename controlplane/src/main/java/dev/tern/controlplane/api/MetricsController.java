package dev.tern.controlplane.api;

import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/** {@code GET /metrics}: this node's meters in the Prometheus text format, for a scraper's token. */
@Controller
final class MetricsController {

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;

  MetricsController(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Get("/metrics")
  @Produces(PROMETHEUS_TEXT)
  @RequiresRole(Role.VIEWER)
  String metrics() {
    return registry.scrape();
  }
}
