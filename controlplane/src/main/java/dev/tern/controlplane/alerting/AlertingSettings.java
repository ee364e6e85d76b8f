package dev.tern.controlplane.alerting;

import static dev.tern.controlplane.config.ConfigEntries.credentialUrl;
import static dev.tern.controlplane.config.ConfigEntries.secret;
import static dev.tern.controlplane.config.ConfigEntries.strings;
import static dev.tern.controlplane.config.ConfigEntries.text;
import static dev.tern.controlplane.config.ConfigEntries.url;

import dev.tern.controlplane.config.ConfigEntries;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.value.PropertyResolver;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code tern.alerting}: the routes, read once at start. Each route names its sink and how to
 * reach it; a secret (routing key, API key, webhook URL, signing secret) comes inline or, better,
 * from a file ({@code routing-key-file}, ...), never from the replicated state. A route that is
 * wrong stops the node at start, naming the key.
 *
 * @param consoleUrl the console's address as the on-call engineer reaches it, for links in pages
 */
public record AlertingSettings(String consoleUrl, List<AlertRoute> routes) {

  static final String PREFIX = "tern.alerting";
  static final List<String> SINKS = List.of("pagerduty", "opsgenie", "slack", "alertmanager", "webhook");
  static final Duration DEFAULT_RESEND = Duration.ofMinutes(1);

  public AlertingSettings {
    routes = List.copyOf(routes);
  }

  /** Reads {@code tern.alerting.*}. */
  public static AlertingSettings from(PropertyResolver p) {
    String console = p.getProperty(PREFIX + ".console-url", String.class).orElse("http://127.0.0.1:8080");
    List<Map<String, Object>> entries = ConfigEntries.list(p, PREFIX + ".routes");
    List<AlertRoute> routes = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      AlertRoute route = route(PREFIX + ".routes[" + i + "]", entries.get(i));
      if (!names.add(route.name())) {
        throw new IllegalArgumentException(PREFIX + ".routes[" + i + "].name '" + route.name() + "' is used twice");
      }
      routes.add(route);
    }
    return new AlertingSettings(console, routes);
  }

  static AlertRoute route(String at, Map<String, Object> e) {
    String name = text(e, "name").orElseThrow(() -> new IllegalArgumentException(at + ".name is required"));
    String sink = text(e, "sink").map(s -> s.toLowerCase(Locale.ROOT)).orElseThrow(() ->
        new IllegalArgumentException(at + ".sink is required: one of " + String.join(", ", SINKS)));
    Sink built = switch (sink) {
      case "pagerduty" -> new PagerDutySink(name, credentialUrl(at + ".url", text(e, "url").orElse(PagerDutySink.DEFAULT_URL)),
          secret(at, e, "routing-key"));
      case "opsgenie" -> {
        String region = text(e, "region").orElse("us").toLowerCase(Locale.ROOT);
        if (!region.equals("us") && !region.equals("eu")) {
          throw new IllegalArgumentException(at + ".region is us or eu, got '" + region + "'");
        }
        yield new OpsgenieSink(name, credentialUrl(at + ".url", text(e, "url").orElse(region.equals("eu") ? OpsgenieSink.EU_URL
            : OpsgenieSink.US_URL)), secret(at, e, "api-key"));
      }
      case "slack" -> new SlackSink(name, credentialUrl(at + ".url", secret(at, e, "url")));
      case "alertmanager" -> new AlertmanagerSink(name, url(at + ".url", text(e, "url")
          .orElseThrow(() -> new IllegalArgumentException(at + ".url is required: Alertmanager's base URL")))); 
      case "webhook" -> new WebhookSink(name, url(at + ".url", text(e, "url")
          .orElseThrow(() -> new IllegalArgumentException(at + ".url is required"))), secret(at, e, "secret"));
      default -> throw new IllegalArgumentException(at + ".sink '" + sink + "' is not one of " + String.join(", ", SINKS));
    };
    @SuppressWarnings("unchecked")
    Map<String, Object> match = e.get("match") instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    AlertRoute.Chaos chaos;
    try {
      chaos = AlertRoute.Chaos.valueOf(text(match, "chaos").orElse("include").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException x) {
      throw new IllegalArgumentException(at + ".match.chaos is include, exclude or only");
    }
    Duration resend = text(e, "resend").map(r -> {
      try {
        return Duration.parse("PT" + r.toUpperCase(Locale.ROOT));
      } catch (RuntimeException x) {
        throw new IllegalArgumentException(at + ".resend is a duration such as 1m or 30s, got '" + r + "'");
      }
    }).orElse(DEFAULT_RESEND);
    return new AlertRoute(name, sink, built, strings(match.get("kinds")), strings(match.get("services")), chaos, resend);
  }

  /** The settings as a bean. */
  @Factory
  static final class Beans {
    @Singleton
    AlertingSettings settings(PropertyResolver p) {
      return AlertingSettings.from(p);
    }
  }
}
