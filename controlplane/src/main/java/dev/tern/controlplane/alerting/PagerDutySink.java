package dev.tern.controlplane.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.state.Incident;
import java.net.URI;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * PagerDuty Events API v2: {@code trigger} and {@code resolve} with the incident's
 * {@code dedup_key}, the route's {@code routing_key}, and a payload with summary, source,
 * severity, timestamp and custom details; a link to the console's timeline. A 202 is delivered;
 * 429 and 5xx are retried; a 400 is not. At most {@link #EVENTS_PER_MINUTE} events a minute leave
 * for one routing key, as PagerDuty asks.
 */
final class PagerDutySink implements Sink {

  static final String DEFAULT_URL = "https://events.pagerduty.com/v2/enqueue";
  static final int EVENTS_PER_MINUTE = 120;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String route;
  private final URI url;
  private final String routingKey;
  private final TokenBucket bucket;

  PagerDutySink(String route, URI url, String routingKey) {
    this(route, url, routingKey, new TokenBucket(EVENTS_PER_MINUTE, Duration.ofMinutes(1)));
  }

  PagerDutySink(String route, URI url, String routingKey, TokenBucket bucket) {
    this.bucket = bucket;
    this.route = route;
    this.url = url;
    this.routingKey = routingKey;
  }

  @Override
  public Result send(Alert alert) {
    Duration wait = bucket.take();
    if (!wait.isZero()) {
      return new Retry(wait, route + ": holding to " + EVENTS_PER_MINUTE + " events a minute for this routing key");
    }
    return HttpSinks.send(route, HttpSinks.json(url, body(alert), alert).build(), List.of(routingKey));
  }

  String body(Alert alert) {
    ObjectNode root = JSON.createObjectNode();
    root.put("routing_key", routingKey);
    root.put("dedup_key", alert.dedupKey());
    if (alert.event() == Alert.Event.RESOLVE) {
      root.put("event_action", "resolve");
      return root.toString();
    }
    Incident i = alert.incident();
    root.put("event_action", "trigger");
    ObjectNode payload = root.putObject("payload");
    payload.put("summary", alert.title().length() > 1024 ? alert.title().substring(0, 1024) : alert.title());
    payload.put("source", "tern/" + i.service());
    payload.put("severity", alert.fromChaos() ? "warning" : i.severity());
    payload.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(i.openedAt()));
    payload.put("component", i.service());
    payload.put("group", "tern");
    payload.put("class", i.kind());
    ObjectNode details = payload.putObject("custom_details");
    details.put("incident", i.id());
    details.put("kind", i.kind());
    details.put("failed", String.join(", ", i.failed()));
    details.put("seen_by", String.join(", ", i.seenBy()));
    details.put("changes", String.join("\n", i.changes()));
    i.detectedAt().ifPresent(t -> details.put("detected_at", t.toString()));
    details.put("opened_at", i.openedAt().toString());
    details.put("chaos_test", alert.fromChaos());
    alert.chaosRun().ifPresent(r -> details.put("chaos_run", r));
    alert.sender().ifPresent(s -> details.putObject("sender").put("node", s.node()).put("term", s.term()));
    root.putArray("links").addObject().put("href", alert.link()).put("text", "Tern timeline");
    root.put("client", "Tern");
    root.put("client_url", alert.link());
    return root.toString();
  }
}
