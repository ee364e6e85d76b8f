package dev.tern.chaos.run;

import dev.tern.policy.geo.Region;
import java.util.Objects;

/** One backend a run's fault hits, with where it runs, as resolved from the policy when the run started. */
public record TargetBackend(String service, String backend, Region region) {

  public TargetBackend {
    Objects.requireNonNull(service, "service");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(region, "region");
  }

  /** {@code service/backend}, as scenarios and reports name it. */
  public String key() {
    return service + "/" + backend;
  }
}
