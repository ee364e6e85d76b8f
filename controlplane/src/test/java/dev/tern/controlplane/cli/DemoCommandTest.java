package dev.tern.controlplane.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.policy.geo.Region;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code tern demo} as a user runs it: it prints the credentials and what to try, {@code tern demo
 * region stop|start} takes a region down and up through the API, and stopping it leaves nothing
 * listening and no files behind.
 */
class DemoCommandTest {

  @Test
  void the_demo_prints_what_to_try_obeys_region_commands_and_stops_cleanly() throws Exception {
    Region frankfurt = Region.parse("aws:eu-central-1").orElseThrow();
    CompletableFuture<DemoWorld> ready = new CompletableFuture<>();
    DemoCommand command = new DemoCommand(ready::complete);
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    PrintStream original = System.out;
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    CompletableFuture<Integer> exit;
    DemoWorld world;
    try {
      exit = CompletableFuture.supplyAsync(() -> new CommandLine(command).execute("--port", "0", "--dns-port", "0"));
      world = ready.get(90, TimeUnit.SECONDS);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertTrue(out.matches("(?s).*\\badmin token: [A-Za-z0-9_-]{20,}\\n.*"), out);
    assertTrue(out.contains("console login: demo / "), out);
    assertTrue(out.contains("shop.tern.test +subnet=10.10.0.1/24"), out);
    assertTrue(out.contains("_tern.shop.tern.test TXT"), out);
    assertTrue(out.matches("(?s).*/api/v1/demo/regions/(aws:eu-central-1|azure:westeurope|gcp:europe-west1)/stop\\n.*"), out);

    Path tokenFile = world.operatorTokenFile();
    assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
        Files.getPosixFilePermissions(tokenFile));
    String server = world.urls().getFirst().toString();
    InetSocketAddress backend = world.regions().backend(frankfurt).orElseThrow().address();

    assertEquals(0, new CommandLine(new DemoCommand()).execute(
        "region", "stop", "aws:eu-central-1", "--server", server, "--token-file", tokenFile.toString()));
    assertFalse(world.regions().status(frankfurt).listening());
    assertThrows(IOException.class, () -> connect(backend));
    assertEquals(0, new CommandLine(new DemoCommand()).execute(
        "region", "start", "aws:eu-central-1", "--server", server, "--token-file", tokenFile.toString()));
    assertTrue(world.regions().status(frankfurt).listening());
    connect(backend);
    assertEquals(1, new CommandLine(new DemoCommand()).execute(
        "region", "stop", "aws:nowhere-1", "--server", server, "--token-file", tokenFile.toString()),
        "an unknown region is refused");

    List<URI> nodes = world.urls();
    command.stop();
    assertEquals(0, exit.get(30, TimeUnit.SECONDS));
    for (URI node : nodes) {
      awaitClosed(new InetSocketAddress(node.getHost(), node.getPort()));
    }
    assertThrows(IOException.class, () -> connect(backend));
    assertFalse(Files.exists(tokenFile), "the demo's files are deleted");
  }

  /** The HTTP server's listener closes on its event loop, a moment after stop returns. */
  private static void awaitClosed(InetSocketAddress address) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (true) {
      try {
        connect(address);
      } catch (IOException closed) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(address + " still accepts connections 2 s after the demo stopped");
      }
      Thread.sleep(50);
    }
  }

  private static void connect(InetSocketAddress address) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(address, 1000);
    }
  }
}
