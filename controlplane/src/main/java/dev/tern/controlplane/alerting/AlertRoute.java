package dev.tern.controlplane.alerting;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One configured route: which incidents go to which sink. Secrets stay inside the sink.
 *
 * @param kinds incident kinds it takes; empty means every kind
 * @param services services it takes; empty means every service
 * @param chaos what it does with incidents a chaos run caused
 * @param resend how often a firing alert is sent again (Alertmanager forgets alerts not re-sent)
 */
public record AlertRoute(String name, String sinkKind, Sink sink, List<String> kinds, List<String> services, Chaos chaos,
    Duration resend) {

  /** Incidents from chaos runs: also sent, never sent, or the only ones sent (a test channel). */
  public enum Chaos {
    INCLUDE,
    EXCLUDE,
    ONLY
  }

  public AlertRoute {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sinkKind, "sinkKind");
    Objects.requireNonNull(sink, "sink");
    kinds = List.copyOf(kinds);
    services = List.copyOf(services);
    Objects.requireNonNull(chaos, "chaos");
    Objects.requireNonNull(resend, "resend");
  }

  public boolean takes(String kind, String service, boolean fromChaos) {
    boolean chaosOk = switch (chaos) {
      case INCLUDE -> true;
      case EXCLUDE -> !fromChaos;
      case ONLY -> fromChaos;
    };
    return chaosOk && (kinds.isEmpty() || kinds.contains(kind)) && (services.isEmpty() || services.contains(service));
  }
}
