package dev.tern.controlplane.api;

import dev.tern.controlplane.provider.Provider;
import dev.tern.controlplane.provider.ProviderException;
import dev.tern.controlplane.provider.ProviderReconciler;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/** The providers' standing on this node (docs/providers/): per provider and service, the plan applied and the last error. */
@Controller("/api/v1/providers")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ProvidersController {

  /** One provider and service as served. The standing is the leader's: on another node it is empty. */
  @Serdeable
  record StatusView(String provider, String kind, String service, long appliedVersion, @Nullable Instant lastSync,
      @Nullable String lastError, long driftCorrected) {}

  private final ProviderReconciler reconciler;

  ProvidersController(ProviderReconciler reconciler) {
    this.reconciler = reconciler;
  }

  @Get
  @RequiresRole(Role.VIEWER)
  List<StatusView> status() {
    return reconciler.status().stream().map(s -> new StatusView(s.provider(), s.kind(), s.service(), s.appliedVersion(),
        s.lastSync().orElse(null), s.lastError().orElse(null), s.driftCorrected())).toList();
  }

  /** What a provider would change to serve a service's committed plan, from the leader's view; nothing is applied. */
  @Serdeable
  record DryRunView(String provider, String service, long planVersion, List<String> changes) {}

  @Post("/{name}/dry-run")
  @RequiresRole(Role.OPERATOR)
  DryRunView dryRun(String name, @QueryValue String service) {
    try {
      Provider.Result r = reconciler.dryRun(name, service).orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND,
          "service " + service + " has no plan yet"));
      return new DryRunView(name, service, r.planVersion(), r.changes().stream().map(Provider.Change::toString).toList());
    } catch (IllegalArgumentException e) {
      throw new HttpStatusException(HttpStatus.NOT_FOUND, e.getMessage());
    } catch (ProviderException e) {
      throw new HttpStatusException(HttpStatus.BAD_GATEWAY, name + ": " + e.getMessage());
    }
  }
}
