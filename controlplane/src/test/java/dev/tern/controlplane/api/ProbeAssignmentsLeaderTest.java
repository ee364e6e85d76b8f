package dev.tern.controlplane.api;

import static dev.tern.controlplane.testing.ProblemAssertions.assertProblem;

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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
