package dev.tern.controlplane.alerting;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tern.controlplane.state.Incident;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A generic webhook: the incident as JSON, signed so the receiver can tell it came from Tern and
 * was not replayed. {@code X-Tern-Signature: sha256=HEX} is the HMAC-SHA256, keyed with the route's
 * secret, of {@code TIMESTAMP + "." + body}, where {@code X-Tern-Timestamp} is the Unix time in
 * seconds; {@code X-Tern-Delivery} is the same for repeats of one event (deduplicate on it).
 * {@code sender} in the body (signed with it) and {@code X-Tern-Node}, {@code X-Tern-Term} name the
 * leader that sent it and its term.
 */
final class WebhookSink implements Sink {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final String route;
  private final URI url;
  private final byte[] secret;

  WebhookSink(String route, URI url, String secret) {
    this.route = route;
    this.url = url;
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Result send(Alert alert) {
    String body = body(alert);
    String timestamp = String.valueOf(alert.at().getEpochSecond());
    return HttpSinks.send(route, HttpSinks.json(url, body, alert)
        .header("X-Tern-Event", alert.event().name().toLowerCase(java.util.Locale.ROOT))
        .header("X-Tern-Delivery", alert.dedupKey() + "-" + alert.event().name().toLowerCase(java.util.Locale.ROOT))
        .header("X-Tern-Timestamp", timestamp)
        .header("X-Tern-Signature", "sha256=" + sign(secret, timestamp + "." + body))
        .build(), List.of(new String(secret, StandardCharsets.UTF_8)));
  }

  /** HMAC-SHA256 of {@code text} keyed with {@code key}, as lowercase hex. */
  static String sign(byte[] key, String text) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
    }
  }

  String body(Alert alert) {
    Incident i = alert.incident();
    ObjectNode root = JSON.createObjectNode();
    root.put("event", alert.event().name().toLowerCase(java.util.Locale.ROOT));
    root.put("dedupKey", alert.dedupKey());
    root.put("title", alert.title());
    root.put("link", alert.link());
    root.put("at", alert.at().toString());
    alert.sender().ifPresent(s -> root.putObject("sender").put("node", s.node()).put("term", s.term()));
    ObjectNode incident = root.putObject("incident");
    incident.put("id", i.id());
    incident.put("service", i.service());
    incident.put("kind", i.kind());
    incident.put("severity", i.severity());
    incident.put("summary", i.summary());
    incident.put("openedAt", i.openedAt().toString());
    i.detectedAt().ifPresent(t -> incident.put("detectedAt", t.toString()));
    i.resolvedAt().ifPresent(t -> incident.put("resolvedAt", t.toString()));
    i.failed().forEach(incident.putArray("failed")::add);
    i.seenBy().forEach(incident.putArray("seenBy")::add);
    i.changes().forEach(incident.putArray("changes")::add);
    incident.put("chaosTest", alert.fromChaos());
    alert.chaosRun().ifPresent(r -> incident.put("chaosRun", r));
    return root.toString();
  }
}
