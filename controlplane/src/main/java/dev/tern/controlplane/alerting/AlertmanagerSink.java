package dev.tern.controlplane.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.state.Incident;
import java.net.URI;
import java.util.List;

/**
 * Prometheus Alertmanager API v2 ({@code POST /api/v2/alerts}): alert {@code TernIncident} with
 * the incident's labels, sent again while it fires (Alertmanager resolves an alert it stops
 * hearing about) and sent with {@code endsAt} when it resolves.
 */
final class AlertmanagerSink implements Sink {

  static final String ALERT_NAME = "TernIncident";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String route;
  private final URI alerts;

  AlertmanagerSink(String route, URI base) {
    this.route = route;
    this.alerts = URI.create(base.toString().replaceAll("/+$", "") + "/api/v2/alerts");
  }

  @Override
  public Result send(Alert alert) {
    return HttpSinks.send(route, HttpSinks.json(alerts, body(alert), alert).build(), List.of());
  }

  String body(Alert alert) {
    Incident i = alert.incident();
    ArrayNode root = JSON.createArrayNode();
    ObjectNode a = root.addObject();
    ObjectNode labels = a.putObject("labels");
    labels.put("alertname", ALERT_NAME);
    labels.put("service", i.service());
    labels.put("kind", i.kind());
    labels.put("severity", alert.fromChaos() ? "warning" : i.severity());
    labels.put("incident", String.valueOf(i.id()));
    labels.put("chaos", String.valueOf(alert.fromChaos()));
    ObjectNode annotations = a.putObject("annotations");
    annotations.put("summary", i.summary());
    annotations.put("description", String.join("\n", i.changes()));
    annotations.put("link", alert.link());
    alert.chaosRun().ifPresent(r -> annotations.put("chaos_run", r));
    alert.sender().ifPresent(s -> annotations.put("sender_node", s.node()).put("sender_term", Long.toString(s.term())));
    a.put("startsAt", i.openedAt().toString());
    if (alert.event() == Alert.Event.RESOLVE) {
      a.put("endsAt", i.resolvedAt().orElse(alert.at()).toString());
    }
    a.put("generatorURL", alert.link());
    return root.toString();
  }
}
