package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.ServiceState;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import java.util.Comparator;
import java.util.List;

/**
 * {@code GET /api/v1/plans}: the current plan of every service in one answer, by service name, so
 * the console's overview needs one request however many services there are. A service that has
 * no plan yet is left out.
 */
@Controller("/api/v1/plans")
final class PlansController {

  private final RaftNode node;

  PlansController(RaftNode node) {
    this.node = node;
  }

  @Get
  List<Views.Plan> all() {
    return node.state().services().stream()
        .sorted(Comparator.comparing(ServiceState::name))
        .flatMap(s -> s.plan().stream())
        .map(Views.Plan::of)
        .toList();
  }
}
