package dev.tern.controlplane.api;

import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;
import java.util.Locale;

/** {@code GET /api/v1/whoami}: who the server takes the caller to be. */
@Controller("/api/v1")
final class WhoAmIController {

  /** The caller as the API shows it. */
  @Serdeable
  record WhoAmI(String name, String role, String via) {}

  @Get("/whoami")
  @RequiresRole(Role.VIEWER)
  WhoAmI whoAmI(Caller caller) {
    return new WhoAmI(caller.name(), caller.role().wireName(), caller.via().name().toLowerCase(Locale.ROOT));
  }
}
