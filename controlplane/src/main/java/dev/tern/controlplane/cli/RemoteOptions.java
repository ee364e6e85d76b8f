package dev.tern.controlplane.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Option;

/** Where a command reaches the control plane, and with which token. */
final class RemoteOptions {

  @Option(names = "--server", paramLabel = "URL", defaultValue = "${TERN_SERVER:-http://127.0.0.1:8080}",
      description = "Any control-plane node (default: $TERN_SERVER, else ${DEFAULT-VALUE}).")
  URI server;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "File holding the API token (default: the TERN_TOKEN environment variable).")
  Optional<Path> tokenFile = Optional.empty();

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** The response, or an exception whose message says what to check. */
  HttpResponse<String> send(String method, String path, String contentType, String body) throws IOException {
    HttpRequest.Builder request = HttpRequest.newBuilder(server.resolve(path))
        .timeout(Duration.ofSeconds(30))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    token().ifPresent(t -> request.header("Authorization", "Bearer " + t));
    if (contentType != null) {
      request.header("Content-Type", contentType);
    }
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (java.net.ConnectException e) {
      throw new IOException("cannot reach " + server + "; is a node running there? (--server or TERN_SERVER)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private Optional<String> token() throws IOException {
    if (tokenFile.isPresent()) {
      return Optional.of(Files.readString(tokenFile.get(), StandardCharsets.UTF_8).strip());
    }
    return Optional.ofNullable(System.getenv("TERN_TOKEN")).filter(t -> !t.isBlank());
  }

  /** A one-line reading of an error response (problem+json detail when there is one). */
  static String problem(HttpResponse<String> response) {
    String body = response.body();
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"detail\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(body);
    return "HTTP " + response.statusCode() + ": " + (m.find() ? m.group(1).replace("\\\"", "\"") : body);
  }
}
