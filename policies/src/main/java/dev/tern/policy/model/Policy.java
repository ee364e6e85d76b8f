package dev.tern.policy.model;

import dev.tern.policy.geo.ZoneTable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Everything an operator configures: the services and the table that maps client networks to zones. */
public record Policy(List<Service> services, ZoneTable zoneTable) {

  public Policy {
    services = List.copyOf(services);
    Objects.requireNonNull(zoneTable, "zoneTable");
  }

  public Optional<Service> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }
}
