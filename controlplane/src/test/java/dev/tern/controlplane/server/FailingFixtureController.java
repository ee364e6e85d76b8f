package dev.tern.controlplane.server;

import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;

/** An endpoint that fails with a secret in its exception, to prove 500s do not leak it. */
@Controller("/test/failing")
@Requires(property = FailingFixtureController.ENABLED, value = "true")
class FailingFixtureController {

  static final String ENABLED = "tern.test.failing-endpoint";
  static final String SECRET = "db-password=hunter2";

  @Get
  @RequiresRole(Role.VIEWER)
  String fail() {
    throw new IllegalStateException("lost the connection with " + SECRET);
  }
}
