package dev.tern.controlplane.api;

import dev.tern.controlplane.alerting.AlertRoute;
import dev.tern.controlplane.alerting.AlertingSettings;
import dev.tern.controlplane.alerting.Notifier;
import dev.tern.controlplane.alerting.Sink;
import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.Incident;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/** Incidents (docs/alerting.md), newest first, and the alerting routes with a test per route. */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class IncidentsController {

  /** One incident as served: everything but what no one needs twice. */
  @Serdeable
  record IncidentView(long id, String service, String kind, String severity, String summary, boolean open,
      Instant openedAt, @Nullable Instant detectedAt, @Nullable Instant resolvedAt, List<String> failed, List<String> seenBy,
      List<String> changes, @Nullable String chaosRun, long timelineSequence, List<UpdateView> updates,
      List<DeliveryView> deliveries) {
    static IncidentView of(Incident i) {
      return new IncidentView(i.id(), i.service(), i.kind(), i.severity(), i.summary(), i.open(), i.openedAt(),
          i.detectedAt().orElse(null), i.resolvedAt().orElse(null), i.failed(), i.seenBy(), i.changes(),
          i.chaosRun().orElse(null), i.timelineSequence(),
          i.updates().stream().map(u -> new UpdateView(u.at(), u.what())).toList(),
          i.deliveries().stream().map(d -> new DeliveryView(d.route(), d.event(), d.at(), d.outcome())).toList());
    }
  }

  /** Something that happened in an incident after it opened. */
  @Serdeable
  record UpdateView(Instant at, String what) {}

  /** One route told of an incident's trigger or resolve, or not: {@code delivered}, or why not. */
  @Serdeable
  record DeliveryView(String route, String event, Instant at, String outcome) {}

  /** A route as served: its sink and what it takes, never its secrets. */
  @Serdeable
  record RouteView(String name, String sink, List<String> kinds, List<String> services, String chaos,
      int consecutiveFailures) {}

  /** What a test alert came to. */
  @Serdeable
  record TestResult(String route, String outcome, @Nullable String detail) {}

  private final RaftNode node;
  private final AlertingSettings settings;
  private final Notifier notifier;

  IncidentsController(RaftNode node, AlertingSettings settings, Notifier notifier) {
    this.node = node;
    this.settings = settings;
    this.notifier = notifier;
  }

  /** Incidents kept, newest first; {@code open=true} for open ones only. */
  @Get("/incidents")
  @RequiresRole(Role.VIEWER)
  List<IncidentView> incidents(@Nullable @QueryValue Boolean open, @Nullable @QueryValue Integer limit) {
    int max = limit == null ? 100 : Math.max(1, Math.min(1000, limit));
    return node.state().incidents().reversed().stream().filter(i -> !Boolean.TRUE.equals(open) || i.open()).limit(max)
        .map(IncidentView::of).toList();
  }

  @Get("/incidents/{id}")
  @RequiresRole(Role.VIEWER)
  IncidentView incident(long id) {
    return node.state().incident(id).map(IncidentView::of)
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no incident " + id));
  }

  @Get("/alerting/routes")
  @RequiresRole(Role.VIEWER)
  List<RouteView> routes() {
    return settings.routes().stream().map(r -> new RouteView(r.name(), r.sinkKind(), r.kinds(), r.services(),
        r.chaos().name().toLowerCase(java.util.Locale.ROOT), notifier.consecutiveFailures().getOrDefault(r.name(), 0)))
        .toList();
  }

  /** Sends a test alert through the route now; the answer says whether its receiver took it. */
  @Post("/alerting/routes/{name}/test")
  @RequiresRole(Role.ADMIN)
  TestResult test(String name, Caller caller) {
    AlertRoute route = settings.routes().stream().filter(r -> r.name().equals(name)).findFirst()
        .orElseThrow(() -> new HttpStatusException(HttpStatus.NOT_FOUND, "no alerting route " + name));
    return switch (notifier.test(route, caller.name())) {
      case Sink.Delivered d -> new TestResult(name, "delivered", null);
      case Sink.Retry r -> new TestResult(name, "not delivered", r.why());
      case Sink.Failed f -> new TestResult(name, "not delivered", f.why());
    };
  }
}
