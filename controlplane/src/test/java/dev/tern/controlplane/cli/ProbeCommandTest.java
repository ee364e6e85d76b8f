package dev.tern.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import dev.tern.probe.agent.ProbeAgent;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code tern probe} against a real single-node control plane: the agent picks up a service
 * applied after it started, checks its backend (a TCP listener on loopback) and its observations
 * reach the health book.
 */
@MicronautTest
class ProbeCommandTest {

  static final String POLICY = """
      kind: Service
      name: edge
      hostname: edge.gslb.example.com
      routing:
        method: failover
      backends:
        - name: fra
          cloud: aws
          region: eu-central-1
          jurisdiction: EU
          address: 127.0.0.1
          priority: 1
          healthCheck:
            kind: tcp
            port: %d
            interval: 1s
            timeout: 500ms
      """;

  @Inject
  EmbeddedServer server;

  @Test
  void an_agent_started_from_the_command_line_probes_a_new_backend_until_its_health_and_plan_appear(
      @TempDir Path dir) throws Exception {
    Path tokenFile = dir.resolve("probe.token");
    Files.writeString(tokenFile, TestCredentials.TOKENS.get(Role.PROBE) + "\n");
    Http http = new Http(server.getURI());
    CompletableFuture<ProbeAgent> started = new CompletableFuture<>();
    ProbeCommand command = new ProbeCommand(started::complete);
    try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor = Thread.ofVirtual().start(() -> {
        while (!backend.isClosed()) {
          try (Socket accepted = backend.accept()) {
            accepted.getInputStream().available();
          } catch (IOException e) {
            return;
          }
        }
      });
      CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> new CommandLine(command).execute(
          "--region", "aws:eu-central-1", "--control-plane", server.getURI().toString(),
          "--token-file", tokenFile.toString(), "--metrics", "127.0.0.1:0"));
      ProbeAgent agent = started.get(10, TimeUnit.SECONDS);

      HttpResponse<String> applied = http.send("PUT", "/api/v1/services/edge?reason=launch", "application/yaml",
          POLICY.formatted(backend.getLocalPort()), "Authorization", TestCredentials.bearer(Role.ADMIN));
      assertEquals(200, applied.statusCode(), applied.body());
      await(http, "/api/v1/services/edge/backends", "\"vantage\":\"aws:eu-central-1\",\"opinion\":\"UP\"");
      await(http, "/api/v1/services/edge/plan", "\"backend\":\"fra\"");
      String metrics = agent.scrape();
      assertTrue(metrics.contains("tern_probe_checks_total{backend=\"fra\",outcome=\"ok\",service=\"edge\"}"), metrics);
      assertFalse(metrics.contains(TestCredentials.TOKENS.get(Role.PROBE)));

      command.stop();
      assertEquals(0, exit.get(10, TimeUnit.SECONDS));
      backend.close();
      acceptor.join(Duration.ofSeconds(5));
    }
  }

  @Test
  void flags_it_cannot_use_are_refused_before_anything_starts(@TempDir Path dir) throws Exception {
    Path tokenFile = dir.resolve("probe.token");
    Files.writeString(tokenFile, "some-token");
    String missing = dir.resolve("missing.token").toString();
    String[][] refused = {
        {"--region", "aws:nowhere-1", "--control-plane", "http://127.0.0.1:1", "--token-file", tokenFile.toString()},
        {"--region", "aws:eu-central-1", "--control-plane", "ftp://127.0.0.1:1", "--token-file", tokenFile.toString()},
        {"--region", "aws:eu-central-1", "--control-plane", "http://127.0.0.1:1", "--token-file", missing},
        {"--region", "aws:eu-central-1", "--control-plane", "http://127.0.0.1:1", "--token-file", tokenFile.toString(),
            "--metrics", "nowhere"},
        {"--region", "aws:eu-central-1", "--control-plane", "http://127.0.0.1:1", "--token-file", tokenFile.toString(),
            "--buffer", "10"},
        {"--region", "aws:eu-central-1", "--control-plane", "http://127.0.0.1:1", "--token-file", tokenFile.toString(),
            "--metrics-token-file", missing},
    };
    for (String[] args : refused) {
      assertEquals(2, new CommandLine(new ProbeCommand()).execute(args), String.join(" ", args));
    }
  }

  private static void await(Http http, String path, String fragment) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(20);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      last = http.get(path, "Authorization", TestCredentials.bearer(Role.VIEWER)).body();
      if (last.contains(fragment)) {
        return;
      }
      Thread.sleep(100);
    }
    throw new AssertionError("never saw " + fragment + " in " + last);
  }
}
