package dev.tern.controlplane.api;

import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.Put;
import io.micronaut.serde.annotation.Serdeable;

/**
 * Endpoints of every access kind for the access contract test, until production has operator and
 * admin endpoints of its own. Present only when the test switches them on.
 */
@Controller("/test/access")
@Requires(property = AccessFixtureController.ENABLED, value = "true")
class AccessFixtureController {

  static final String ENABLED = "tern.test.access-fixtures";

  /** A body every fixture returns. */
  @Serdeable
  record Done(String endpoint) {}

  @Get("/undeclared")
  Done readUndeclared() {
    return new Done("read-undeclared");
  }

  @Post("/undeclared")
  Done changeUndeclared() {
    return new Done("change-undeclared");
  }

  @Put("/operator/{id}")
  @RequiresRole(Role.OPERATOR)
  Done changeAsOperator(String id) {
    return new Done("operator " + id);
  }

  @Delete("/admin")
  @RequiresRole(Role.ADMIN)
  Done removeAsAdmin() {
    return new Done("admin");
  }
}
