package dev.tern.controlplane.api;

import dev.tern.controlplane.demo.DemoRegions;
import dev.tern.controlplane.demo.DemoRegions.RegionStatus;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.policy.geo.Region;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * {@code tern demo} only: takes a demo region's backend down (it stops listening) and up again.
 * Present only on the demo's nodes ({@code tern.demo.enabled}), where the world is in the process.
 */
@Controller("/api/v1/demo/regions")
@Requires(property = "tern.demo.enabled", value = "true")
@ExecuteOn(TaskExecutors.BLOCKING)
final class DemoRegionsController {

  private final DemoRegions regions;

  DemoRegionsController(DemoRegions regions) {
    this.regions = regions;
  }

  @Get
  List<RegionStatus> list() {
    return regions.status();
  }

  /** The region's backend closes its socket: probes see connections refused, as in an outage. */
  @Post("/{region}/stop")
  @RequiresRole(Role.OPERATOR)
  RegionStatus stop(String region) {
    return act(region, regions::stop);
  }

  /** The region's backend listens again on the same address and port. */
  @Post("/{region}/start")
  @RequiresRole(Role.OPERATOR)
  RegionStatus start(String region) {
    try {
      return act(region, regions::start);
    } catch (UncheckedIOException e) {
      throw new HttpStatusException(HttpStatus.CONFLICT, e.getMessage() + "; free the port and start the region again");
    }
  }

  private RegionStatus act(String key, Function<Region, Optional<RegionStatus>> action) {
    List<String> known = regions.regions().stream().map(Region::key).toList();
    return Region.parse(key).flatMap(action)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND,
            "the demo has no region " + key + "; its regions are " + String.join(", ", known)));
  }
}
