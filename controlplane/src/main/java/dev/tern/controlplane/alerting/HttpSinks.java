package dev.tern.controlplane.alerting;

import dev.tern.controlplane.security.Secrets;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;

/** What every HTTP sink shares: one client, and the mapping of an answer to a result. */
final class HttpSinks {

  static final Duration TIMEOUT = Duration.ofSeconds(10);
  static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  private HttpSinks() {}

  /**
   * Sends {@code request} and reads the answer: 2xx delivered; 429 and 5xx retried (after
   * Retry-After when given); any other status failed for good; no answer retried. The messages
   * name the route, never the URL (a webhook URL is itself a secret), and quote the answer with
   * {@code secrets} and any credential in it redacted, for a receiver may repeat the request.
   */
  static Sink.Result send(String route, HttpRequest request, Collection<String> secrets) {
    HttpResponse<String> response;
    try {
      response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Sink.Retry(Duration.ofSeconds(1), route + ": no answer (" + e.getClass().getSimpleName() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Sink.Retry(Duration.ofSeconds(1), route + ": interrupted");
    }
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return new Sink.Delivered();
    }
    String body = response.body() == null ? ""
        : Secrets.redact(response.body(), secrets).replaceAll("\\s+", " ").strip();
    String why = route + ": HTTP " + status + (body.isEmpty() ? "" : " " + (body.length() > 200 ? body.substring(0, 200) : body));
    if (status == 429 || status >= 500) {
      Duration after = retryAfter(response).orElse(Duration.ofSeconds(1));
      return new Sink.Retry(after, why);
    }
    return new Sink.Failed(why);
  }

  private static Optional<Duration> retryAfter(HttpResponse<?> response) {
    return response.headers().firstValue("Retry-After").flatMap(v -> {
      try {
        long seconds = Long.parseLong(v.strip());
        return Optional.of(Duration.ofSeconds(Math.max(0, Math.min(seconds, 300))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  /** A JSON POST of {@code alert}, with its sender's node and term as {@code X-Tern-Node} and {@code X-Tern-Term}. */
  static HttpRequest.Builder json(java.net.URI uri, String body, Alert alert) {
    HttpRequest.Builder request = json(uri, body);
    alert.sender().ifPresent(s -> request.header("X-Tern-Node", s.node()).header("X-Tern-Term", Long.toString(s.term())));
    return request;
  }

  private static HttpRequest.Builder json(java.net.URI uri, String body) {
    return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
  }
}
