package dev.tern.controlplane.api;

import static dev.tern.controlplane.testing.ProblemAssertions.assertProblem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node cut off from the cluster's majority sends probes elsewhere: its assignments may be stale,
 * and a probe following it would miss new targets and a chaos run's fault.
 */
class ProbeAssignmentsLeaderTest {

  @Test
  void a_node_that_knows_no_leader_answers_assignment_polls_with_503(@TempDir Path dir) throws Exception {
    // One member of three, the other two never started: no majority, no leader.
    List<String> members = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      members.add("n" + i + "@127.0.0.1:" + freePort());
    }
    try (EmbeddedServer server = ApplicationContext.run(EmbeddedServer.class, Map.of(
        "tern.cluster.node-id", "n1",
        "tern.cluster.members", members,
        "tern.cluster.data-dir", dir.resolve("raft").toString(),
        "tern.dns.enabled", false), "test")) {
      Http http = new Http(server.getURI());
      for (String query : List.of("?region=aws:eu-west-1", "?region=aws:eu-west-1&after=0&waitSeconds=1")) {
        HttpResponse<String> r = http.get("/api/v1/probes/assignments" + query, "Authorization",
            TestCredentials.bearer(Role.PROBE));
        // The reason is in the node's log; a 5xx problem never carries internals.
        assertProblem(503, r);
      }
    }
  }

  @Test
  void a_poll_waiting_on_a_node_that_loses_its_leader_is_answered_503_within_seconds(@TempDir Path dir)
      throws Exception {
    // Two members: the majority is both, so stopping one leaves the other without a leader.
    List<String> members = List.of("n1@127.0.0.1:" + freePort(), "n2@127.0.0.1:" + freePort());
    EmbeddedServer n1 = node("n1", members, dir);
    EmbeddedServer n2 = node("n2", members, dir);
    try (n1) {
      Http http = new Http(n1.getURI());
      String auth = TestCredentials.bearer(Role.PROBE);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      HttpResponse<String> first;
      do {
        Thread.sleep(100);
        first = http.get("/api/v1/probes/assignments?region=aws:eu-west-1", "Authorization", auth);
      } while (first.statusCode() != 200 && System.nanoTime() < deadline);
      assertEquals(200, first.statusCode(), "n1 never knew a leader: " + first.body());
      Matcher version = Pattern.compile("\"version\":(\\d+)").matcher(first.body());
      assertTrue(version.find(), first.body());

      // Nothing changes the policy: without the leader check the poll would wait its full 30 s.
      CompletableFuture<HttpResponse<String>> poll = CompletableFuture.supplyAsync(() -> http.get(
          "/api/v1/probes/assignments?region=aws:eu-west-1&after=" + version.group(1) + "&waitSeconds=30",
          "Authorization", auth));
      Thread.sleep(1_500);
      assertFalse(poll.isDone(), "the poll should still be waiting for a newer version");
      long stopped = System.nanoTime();
      n2.close();
      HttpResponse<String> r = poll.get(20, TimeUnit.SECONDS);
      Duration took = Duration.ofNanos(System.nanoTime() - stopped);
      assertProblem(503, r);
      assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "answered only after " + took);
    } finally {
      n2.close();
    }
  }

  private static EmbeddedServer node(String id, List<String> members, Path dir) {
    return ApplicationContext.run(EmbeddedServer.class, Map.of(
        "tern.cluster.node-id", id,
        "tern.cluster.members", members,
        "tern.cluster.data-dir", dir.resolve(id).toString(),
        "tern.dns.enabled", false), "test");
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
