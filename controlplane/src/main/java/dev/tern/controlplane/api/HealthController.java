package dev.tern.controlplane.api;

import dev.tern.controlplane.security.Public;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;

/** {@code GET /health}: answers while this node serves HTTP; for load balancers and orchestrators. */
@Controller
final class HealthController {

  /** The body of a health answer. */
  @Serdeable
  record Health(String status) {}

  @Get("/health")
  @Public
  Health health() {
    return new Health("UP");
  }
}
