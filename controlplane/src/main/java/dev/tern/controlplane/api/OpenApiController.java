package dev.tern.controlplane.api;

import dev.tern.controlplane.security.Public;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Produces;

/** {@code GET /api/v1/openapi.yml}: the API's OpenAPI description, public like any API docs. */
@Controller("/api/v1")
final class OpenApiController {

  static final String APPLICATION_YAML = "application/yaml";

  private final OpenApiSpec spec;

  OpenApiController(OpenApiSpec spec) {
    this.spec = spec;
  }

  @Get("/openapi.yml")
  @Produces(APPLICATION_YAML)
  @Public
  String openApi() {
    return spec.yaml();
  }
}
