package dev.tern.controlplane.alerting;

import dev.tern.controlplane.state.Incident;
import dev.tern.controlplane.state.LeaderStamp;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * What one sink is asked to send: an incident's trigger or resolve, or a test.
 *
 * @param dedupKey the same for the trigger and the resolve of one incident, so every sink
 *     deduplicates a repeat (a new leader resending what the old one sent just before it died)
 * @param link the console's timeline, where the incident's plan changes are
 * @param sender the leader that sends it and the term it leads; every sink puts both in the request
 *     ({@code X-Tern-Node}, {@code X-Tern-Term}) and, where the receiver keeps free-form fields, in
 *     the body. Empty only for a test alert sent through a node that does not lead.
 */
public record Alert(Event event, Incident incident, String dedupKey, String title, String link, Instant at,
    Optional<LeaderStamp> sender) {

  /** What the alert says happened. */
  public enum Event {
    TRIGGER,
    RESOLVE
  }

  public Alert {
    Objects.requireNonNull(event, "event");
    Objects.requireNonNull(incident, "incident");
    Objects.requireNonNull(dedupKey, "dedupKey");
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(at, "at");
    Objects.requireNonNull(sender, "sender");
  }

  /** An alert no leader sends yet; see {@link #sentBy}. */
  public Alert(Event event, Incident incident, String dedupKey, String title, String link, Instant at) {
    this(event, incident, dedupKey, title, link, at, Optional.empty());
  }

  /** This alert, sent by {@code leader}. */
  public Alert sentBy(LeaderStamp leader) {
    return new Alert(event, incident, dedupKey, title, link, at, Optional.of(leader));
  }

  /** The alert for {@code incident}: titled with its summary, marked as a chaos test when it is one. */
  public static Alert of(Event event, Incident incident, String consoleUrl, Instant at) {
    String test = incident.chaosRun().map(r -> "[chaos test " + r + "] ").orElse("");
    String title = test + (event == Event.RESOLVE ? "Resolved: " : "") + incident.summary();
    return new Alert(event, incident, "tern-incident-" + incident.id(), title.length() > 1000 ? title.substring(0, 1000) : title,
        consoleUrl.replaceAll("/+$", "") + "/#/timeline", at);
  }

  public boolean fromChaos() {
    return incident.chaosRun().isPresent();
  }

  public Optional<String> chaosRun() {
    return incident.chaosRun();
  }
}
