package dev.tern.controlplane.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.state.Incident;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Opsgenie Alert API v2: an alert created with the incident's key as its {@code alias} (Opsgenie
 * deduplicates on it), closed by alias on resolve. {@code GenieKey} authorization; the EU
 * instance when configured. Opsgenie's support ends on 2027-04-05 (see docs/alerting.md).
 */
final class OpsgenieSink implements Sink {

  static final String US_URL = "https://api.opsgenie.com";
  static final String EU_URL = "https://api.eu.opsgenie.com";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String route;
  private final URI base;
  private final String apiKey;

  OpsgenieSink(String route, URI base, String apiKey) {
    this.route = route;
    this.base = base;
    this.apiKey = apiKey;
  }

  @Override
  public Result send(Alert alert) {
    String root = base.toString().replaceAll("/+$", "");
    HttpRequest request;
    if (alert.event() == Alert.Event.RESOLVE) {
      ObjectNode body = JSON.createObjectNode().put("source", "Tern").put("note", alert.title());
      request = HttpSinks.json(URI.create(root + "/v2/alerts/" + URLEncoder.encode(alert.dedupKey(), StandardCharsets.UTF_8)
          + "/close?identifierType=alias"), body.toString(), alert).header("Authorization", "GenieKey " + apiKey).build();
    } else {
      request = HttpSinks.json(URI.create(root + "/v2/alerts"), body(alert), alert).header("Authorization", "GenieKey " + apiKey)
          .build();
    }
    return HttpSinks.send(route, request, List.of(apiKey));
  }

  String body(Alert alert) {
    Incident i = alert.incident();
    ObjectNode root = JSON.createObjectNode();
    root.put("message", alert.title().length() > 130 ? alert.title().substring(0, 127) + "..." : alert.title());
    root.put("alias", alert.dedupKey());
    root.put("description", alert.title() + "\n\n" + String.join("\n", i.changes()) + "\n\n" + alert.link());
    root.put("priority", alert.fromChaos() ? "P3" : "P1");
    root.put("source", "Tern");
    root.put("entity", i.service());
    root.putArray("tags").add("tern").add(i.service()).add(i.kind()).add(alert.fromChaos() ? "chaos-test" : "production");
    ObjectNode details = root.putObject("details");
    details.put("incident", String.valueOf(i.id()));
    details.put("kind", i.kind());
    details.put("failed", String.join(", ", i.failed()));
    details.put("seenBy", String.join(", ", i.seenBy()));
    details.put("link", alert.link());
    alert.chaosRun().ifPresent(r -> details.put("chaosRun", r));
    alert.sender().ifPresent(s -> details.put("senderNode", s.node()).put("senderTerm", Long.toString(s.term())));
    return root.toString();
  }
}
