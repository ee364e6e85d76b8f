package dev.tern.probe.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tern.probe.check.CheckSpec;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Following the region's assignment across nodes that come and go. */
class AssignmentFollowerTest {

  static final String TOKEN = "follower-secret-token-p4d9";

  @Test
  void http_and_tcp_targets_become_the_checks_the_agent_runs() throws IOException {
    Assignment a = AssignmentFollower.parse("""
        {"region":"aws:eu-central-1","policyVersion":7,"targets":[
          {"service":"shop","backend":"fra","address":"192.0.2.10","kind":"https","port":443,"path":"/healthz",
           "expectStatus":[200,204],"bodyContains":"ok","intervalMs":5000,"timeoutMs":2000},
          {"service":"shop","backend":"ams","address":"192.0.2.20","kind":"tcp","port":5432,"path":"/",
           "expectStatus":[200],"bodyContains":null,"intervalMs":10000,"timeoutMs":1000}]}""");

    assertEquals(7, a.version());
    assertEquals(List.of(
        new ProbeTarget("shop", "fra", new CheckSpec.Http(true, "192.0.2.10", 443, "/healthz", Optional.empty(),
            Set.of(200, 204), Optional.of("ok"), 64 * 1024, Optional.empty(), false, Duration.ofSeconds(2)),
            Duration.ofSeconds(5)),
        new ProbeTarget("shop", "ams", new CheckSpec.Tcp("192.0.2.20", 5432, Duration.ofSeconds(1)),
            Duration.ofSeconds(10))), a.targets());
  }

  @Test
  void tls_host_keep_alive_body_and_dns_settings_reach_the_checks() throws IOException {
    Assignment a = AssignmentFollower.parse("""
        {"region":"aws:eu-central-1","policyVersion":9,"targets":[
          {"service":"shop","backend":"fra","address":"192.0.2.10","kind":"https","port":8443,"path":"/ready",
           "expectStatus":[200],"host":"shop.example.com","caCertificate":"-----BEGIN CERTIFICATE-----\\n...",
           "keepAlive":true,"maxBodyBytes":4096,"intervalMs":5000,"timeoutMs":2000},
          {"service":"shop","backend":"ns1","address":"192.0.2.53","kind":"dns","port":53,
           "query":"probe.shop.example.com","queryType":"AAAA","intervalMs":5000,"timeoutMs":1000}]}""");

    assertEquals(List.of(
        new ProbeTarget("shop", "fra", new CheckSpec.Http(true, "192.0.2.10", 8443, "/ready",
            Optional.of("shop.example.com"), Set.of(200), Optional.empty(), 4096,
            Optional.of("-----BEGIN CERTIFICATE-----\n..."), true, Duration.ofSeconds(2)), Duration.ofSeconds(5)),
        new ProbeTarget("shop", "ns1", new CheckSpec.Dns("192.0.2.53", 53, "probe.shop.example.com", "AAAA",
            Duration.ofSeconds(1)), Duration.ofSeconds(5))), a.targets());
  }

  @Test
  void an_assignment_it_cannot_turn_into_checks_is_refused_whole() {
    assertThrows(IOException.class, () -> AssignmentFollower.parse("""
        {"policyVersion":3,"targets":[{"service":"shop","backend":"fra","address":"192.0.2.10","kind":"icmp",
         "port":1,"intervalMs":1000,"timeoutMs":500}]}"""));
    assertThrows(IOException.class, () -> AssignmentFollower.parse("{\"targets\":[]}"));
    assertThrows(IOException.class, () -> AssignmentFollower.parse("""
        {"policyVersion":3,"targets":[{"service":"shop","backend":"fra","address":"192.0.2.10","kind":"http",
         "port":80,"maxBodyBytes":104857600,"intervalMs":1000,"timeoutMs":500}]}"""), "an unbounded body read");
    assertThrows(IOException.class, () -> AssignmentFollower.parse("""
        {"policyVersion":3,"targets":[{"service":"shop","backend":"ns1","address":"192.0.2.53","kind":"dns",
         "port":53,"intervalMs":1000,"timeoutMs":500}]}"""), "a dns check without a question");
  }

  @Test
  void keeps_the_last_assignment_while_every_node_is_down_and_takes_the_next_from_whichever_answers()
      throws Exception {
    List<Assignment> received = new CopyOnWriteArrayList<>();
    try (FakeControlPlane first = FakeControlPlane.start(TOKEN);
        FakeControlPlane second = FakeControlPlane.start(TOKEN);
        HttpClient client = HttpClient.newHttpClient()) {
      first.assign("[" + FakeControlPlane.tcpTarget("shop", "fra", 9, 1000) + "]");
      try (AssignmentFollower follower = new AssignmentFollower(List.of(first.uri(), second.uri()),
          "aws:eu-central-1", TOKEN, client, Duration.ofSeconds(1), new SplittableRandom(1), received::add)) {
        Eventually.await(Duration.ofSeconds(5), () -> received.size() == 1, () -> "no first assignment");
        first.stop();
        second.stop();
        Thread.sleep(1500);
        assertEquals(Optional.of(received.getFirst()), follower.current(), "the last assignment stays in force");

        second.restart();
        second.assign("[]");
        second.assign("[" + FakeControlPlane.tcpTarget("shop", "ams", 9, 1000) + "]");
        Eventually.await(Duration.ofSeconds(15), () -> received.size() == 2, () -> "never followed the live node");
        assertEquals("ams", follower.current().orElseThrow().targets().getFirst().backend());
      }
    }
  }

  @Test
  void dead_nodes_earlier_in_the_list_do_not_hold_the_agent_off_a_live_one() throws Exception {
    List<Assignment> received = new CopyOnWriteArrayList<>();
    try (FakeControlPlane dead1 = FakeControlPlane.start(TOKEN);
        FakeControlPlane dead2 = FakeControlPlane.start(TOKEN);
        FakeControlPlane dead3 = FakeControlPlane.start(TOKEN);
        FakeControlPlane live = FakeControlPlane.start(TOKEN);
        HttpClient client = HttpClient.newHttpClient()) {
      dead1.stop();
      dead2.stop();
      dead3.stop();
      live.assign("[" + FakeControlPlane.tcpTarget("shop", "fra", 9, 1000) + "]");
      try (AssignmentFollower follower = new AssignmentFollower(List.of(dead1.uri(), dead2.uri(), dead3.uri(),
          live.uri()), "aws:eu-central-1", TOKEN, client, Duration.ofSeconds(1), new SplittableRandom(1),
          received::add)) {
        Eventually.await(Duration.ofSeconds(5), () -> received.size() == 1, () -> "no first assignment");
        // Every node down for five seconds: the backoff grows, once per round of the list.
        live.stop();
        Thread.sleep(5_000);
        live.restart();
        live.assign("[]");
        live.assign("[" + FakeControlPlane.tcpTarget("shop", "ams", 9, 1000) + "]");
        // Growing per failed node instead, it would wait 6.4 s, then 10 s, before each dead node first.
        Eventually.await(Duration.ofSeconds(8), () -> received.size() == 2,
            () -> "the live node's assignment came late");
      }
    }
  }

  @Test
  void a_node_that_lags_behind_never_rolls_the_assignment_back() throws Exception {
    List<Assignment> received = new CopyOnWriteArrayList<>();
    try (FakeControlPlane ahead = FakeControlPlane.start(TOKEN);
        FakeControlPlane behind = FakeControlPlane.start(TOKEN);
        HttpClient client = HttpClient.newHttpClient()) {
      ahead.assign("[]");
      ahead.assign("[" + FakeControlPlane.tcpTarget("shop", "fra", 9, 1000) + "]");
      behind.assign("[]");
      try (AssignmentFollower follower = new AssignmentFollower(List.of(ahead.uri(), behind.uri()),
          "aws:eu-central-1", TOKEN, client, Duration.ofSeconds(1), new SplittableRandom(1), received::add)) {
        Eventually.await(Duration.ofSeconds(5), () -> received.size() == 1, () -> "no first assignment");
        ahead.stop();
        Thread.sleep(2500);
        assertEquals(3, follower.current().orElseThrow().version(), "still the newest version seen");
        assertEquals(1, received.size());

        behind.assign("[]");
        behind.assign("[" + FakeControlPlane.tcpTarget("shop", "ams", 9, 1000) + "]");
        Eventually.await(Duration.ofSeconds(10), () -> received.size() == 2, () -> "never took the newer version");
        assertEquals(4, follower.current().orElseThrow().version());
      }
    }
  }
}
