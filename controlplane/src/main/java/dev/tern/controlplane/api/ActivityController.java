package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.AuditEntry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What happened: failover events (newest first), the timeline of plan changes with their causes
 * (newest first), and the audit log (oldest first unless asked otherwise, filtered, paged).
 */
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

  /** Plan changes of one service or all, newest first; {@code before} pages back by sequence. */
  @Get("/timeline")
  List<Views.TimelineEntry> timeline(@Nullable @QueryValue String service, @Nullable @QueryValue Long before,
      @Nullable @QueryValue Integer limit) {
    return node.state().planChanges(Optional.ofNullable(service).filter(s -> !s.isBlank()),
        before == null ? Long.MAX_VALUE : before, page(limit)).stream().map(Views.TimelineEntry::of).toList();
  }

  /**
   * Audit entries after sequence {@code after} (0 for the oldest kept), oldest first; with {@code
   * newestFirst=true}, entries before sequence {@code before}, newest first. Filters: {@code actor}
   * (exact), {@code action} and {@code target} (prefixes, e.g. {@code service.} or {@code shop/}),
   * {@code q} (words found in the target or the reason, any case).
   */
  @Get("/audit")
  List<Views.Audit> audit(@Nullable @QueryValue Long after, @Nullable @QueryValue Long before,
      @Nullable @QueryValue Integer limit, @Nullable @QueryValue String actor, @Nullable @QueryValue String action,
      @Nullable @QueryValue String target, @Nullable @QueryValue String q, @Nullable @QueryValue Boolean newestFirst) {
    Predicate<AuditEntry> filter = e -> true;
    if (actor != null && !actor.isBlank()) {
      filter = filter.and(e -> e.actor().equals(actor.strip()));
    }
    if (action != null && !action.isBlank()) {
      filter = filter.and(e -> e.action().startsWith(action.strip()));
    }
    if (target != null && !target.isBlank()) {
      filter = filter.and(e -> e.target().startsWith(target.strip()));
    }
    if (q != null && !q.isBlank()) {
      String words = q.strip().toLowerCase(Locale.ROOT);
      filter = filter.and(e -> e.target().toLowerCase(Locale.ROOT).contains(words)
          || e.reason().toLowerCase(Locale.ROOT).contains(words));
    }
    return node.state().audit(after == null ? 0 : after, before == null ? Long.MAX_VALUE : before, filter,
        Boolean.TRUE.equals(newestFirst), page(limit)).stream().map(Views.Audit::of).toList();
  }

  private static int page(Integer limit) {
    return limit == null ? 100 : Math.max(1, Math.min(MAX_PAGE, limit));
  }
}
