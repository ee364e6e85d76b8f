package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.util.List;

/** What happened: failover events (newest first) and the audit log (oldest first, paged). */
@Controller("/api/v1")
final class ActivityController {

  static final int MAX_PAGE = 1000;

  private final RaftNode node;

  ActivityController(RaftNode node) {
    this.node = node;
  }

  @Get("/failovers")
  List<Views.Failover> failovers(@Nullable @QueryValue Integer limit) {
    return node.state().failovers(page(limit)).stream().map(Views.Failover::of).toList();
  }

  /** Entries after sequence {@code after} (0 for the oldest kept). */
  @Get("/audit")
  List<Views.Audit> audit(@Nullable @QueryValue Long after, @Nullable @QueryValue Integer limit) {
    return node.state().audit(after == null ? 0 : after, page(limit)).stream().map(Views.Audit::of).toList();
  }

  private static int page(Integer limit) {
    return limit == null ? 100 : Math.max(1, Math.min(MAX_PAGE, limit));
  }
}
