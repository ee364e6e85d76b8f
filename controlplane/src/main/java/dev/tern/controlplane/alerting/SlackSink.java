package dev.tern.controlplane.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.state.Incident;
import java.net.URI;
import java.util.List;

/**
 * A Slack incoming webhook: one readable message when an incident opens (what failed, who saw it,
 * what moved, a link) and one when it resolves. The webhook URL is the secret: it is never logged.
 */
final class SlackSink implements Sink {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String route;
  private final URI webhook;

  SlackSink(String route, URI webhook) {
    this.route = route;
    this.webhook = webhook;
  }

  @Override
  public Result send(Alert alert) {
    return HttpSinks.send(route, HttpSinks.json(webhook, body(alert), alert).build(),
        List.of(webhook.toString(), webhook.getRawPath()));
  }

  String body(Alert alert) {
    Incident i = alert.incident();
    boolean resolve = alert.event() == Alert.Event.RESOLVE;
    String icon = resolve ? ":white_check_mark:" : alert.fromChaos() ? ":test_tube:" : ":rotating_light:";
    String text = icon + " " + alert.title();
    ObjectNode root = JSON.createObjectNode();
    root.put("text", text);
    ArrayNode blocks = root.putArray("blocks");
    blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", "*" + escape(text) + "*");
    StringBuilder facts = new StringBuilder();
    if (!i.failed().isEmpty()) {
      facts.append("*Failed:* ").append(escape(String.join(", ", i.failed()))).append('\n');
    }
    if (!i.seenBy().isEmpty()) {
      facts.append("*Seen down by:* ").append(escape(String.join(", ", i.seenBy()))).append('\n');
    }
    if (!i.changes().isEmpty()) {
      facts.append("*Moved:*\n```").append(escape(String.join("\n", i.changes().subList(Math.max(0, i.changes().size() - 10),
          i.changes().size())))).append("```\n");
    }
    i.detectedAt().ifPresent(t -> facts.append("*Detected:* ").append(t).append("  *Decided:* ").append(i.openedAt()).append('\n'));
    i.resolvedAt().ifPresent(t -> facts.append("*Resolved:* ").append(t).append('\n'));
    alert.sender().ifPresent(s -> facts.append("*Sent by:* ").append(escape(s.node())).append(", leader in term ")
        .append(s.term()).append('\n'));
    facts.append("<").append(alert.link()).append("|Tern timeline>");
    blocks.addObject().put("type", "section").putObject("text").put("type", "mrkdwn").put("text", facts.toString());
    return root.toString();
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
