package dev.tern.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.server.TernServer;
import dev.tern.controlplane.testing.Http;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ServerCommandTest {

  /** Builds commands as picocli does, except that {@code server} reports the node it started. */
  private static CommandLine.IFactory reportingTo(CompletableFuture<TernServer> started) {
    return new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        if (type == ServerCommand.class) {
          return type.cast(new ServerCommand(started::complete));
        }
        return CommandLine.defaultFactory().create(type);
      }
    };
  }

  @Test
  void tern_server_answers_health_with_the_config_file_applied_until_stopped(@TempDir Path dir) throws Exception {
    // The viewer token's hash: the file's keys must reach the running node.
    Path config = dir.resolve("tern.yml");
    Files.writeString(config, """
        micronaut:
          server:
            host: 127.0.0.1
            port: -1
        tern:
          security:
            tokens:
              - name: from-config-file
                role: viewer
                sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
          cluster:
            secret: server-command-test-secret-0123
            data-dir: %s
          dns:
            port: 0
        """.formatted(dir.resolve("raft")));
    CompletableFuture<TernServer> started = new CompletableFuture<>();
    CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() ->
        new CommandLine(new TernCommand(), reportingTo(started)).execute("server", "--config", config.toString()));

    TernServer server = started.get(60, TimeUnit.SECONDS);
    try {
      assertNotEquals(8080, server.port());
      Http http = new Http(server.uri());
      HttpResponse<String> health = http.get("/health");
      assertEquals(200, health.statusCode(), health.body());
      // sha256("test") is configured above.
      HttpResponse<String> whoami = http.get("/api/v1/whoami", "Authorization", "Bearer test");
      assertEquals(200, whoami.statusCode(), whoami.body());
    } finally {
      server.close();
    }
    assertEquals(0, exit.get(30, TimeUnit.SECONDS));
  }

  @Test
  void tern_server_refuses_a_config_file_it_cannot_read(@TempDir Path dir) {
    int exit = new CommandLine(new TernCommand()).execute("server", "--config", dir.resolve("missing.yml").toString());
    assertEquals(2, exit);
  }

  @Test
  void tern_server_does_not_start_with_a_plaintext_token_in_the_config(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tern.yml");
    Files.writeString(config, """
        micronaut.server.port: -1
        tern.security.tokens:
          - {name: ci, role: admin, sha256: my-plaintext-token}
        """);
    int exit = new CommandLine(new TernCommand()).execute("server", "--config", config.toString());
    assertEquals(1, exit);
  }

  @Test
  void tern_server_does_not_start_with_a_bad_cluster_timing_and_says_which(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("tern.yml");
    Files.writeString(config, """
        micronaut.server.port: -1
        tern:
          cluster:
            secret: server-command-test-secret-0123
            data-dir: %s
            timing:
              failure-timeout: 4 seconds
          dns:
            port: 0
        """.formatted(dir.resolve("raft")));
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit;
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      exit = new CommandLine(new TernCommand()).execute("server", "--config", config.toString());
    } finally {
      System.setErr(oldErr);
    }
    String said = err.toString(StandardCharsets.UTF_8);
    assertEquals(1, exit, said);
    assertTrue(said.contains("tern server: did not start: tern.cluster.timing.failure-timeout is '4 seconds', not a "
        + "duration"), said);
  }
}
