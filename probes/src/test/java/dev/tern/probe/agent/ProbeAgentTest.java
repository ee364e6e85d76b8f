package dev.tern.probe.agent;

import dev.tern.policy.validation.ReservedAddresses;
import dev.tern.probe.check.Checkers;
import dev.tern.probe.check.TcpChecker;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tern.policy.geo.Region;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A whole agent against fake control-plane nodes on loopback, checking real TCP listeners. */
class ProbeAgentTest {

  static final String TOKEN = "probe-secret-token-q7w2";
  static final Region FRANKFURT = Region.parse("aws:eu-central-1").orElseThrow();

  final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
  }

  <T extends AutoCloseable> T opened(T resource) {
    open.add(resource);
    return resource;
  }

  ProbeAgent agent(List<URI> nodes, Reporter.Settings reporting) throws IOException {
    ProbeAgent.Settings settings = new ProbeAgent.Settings(FRANKFURT, nodes, TOKEN,
        new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(2), reporting);
    return opened(new ProbeAgent(settings, new TcpChecker(Optional.empty()), Clock.systemUTC(),
        new SplittableRandom(7)));
  }

  static Reporter.Settings fastReporting(int buffer) {
    return new Reporter.Settings(5, Duration.ofMillis(50), buffer, Duration.ofMillis(20), Duration.ofMillis(200),
        Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  static long countFor(FakeControlPlane node, String backend) {
    return node.observations().stream().filter(o -> o.path("backend").asText().equals(backend)).count();
  }

  @Test
  void agent_follows_an_assignment_change_without_a_restart() throws Exception {
    TcpBackend fra = opened(new TcpBackend());
    TcpBackend ams = opened(new TcpBackend());
    FakeControlPlane node = opened(FakeControlPlane.start(TOKEN));
    node.assign("[" + FakeControlPlane.tcpTarget("shop", "fra", fra.port(), 50) + "]");
    agent(List.of(node.uri()), fastReporting(1000));

    Eventually.await(Duration.ofSeconds(10), () -> countFor(node, "fra") >= 3, () -> "fra observed: " + node.observations());
    node.assign("[" + FakeControlPlane.tcpTarget("shop", "ams", ams.port(), 50) + "]");
    Eventually.await(Duration.ofSeconds(10), () -> countFor(node, "ams") >= 3, () -> "ams observed: " + node.observations());

    long fraAfterSwitch = countFor(node, "fra");
    Thread.sleep(400);
    assertEquals(fraAfterSwitch, countFor(node, "fra"), "the removed target is no longer checked");
    JsonNode last = node.observations().getLast();
    assertEquals("aws:eu-central-1", last.path("vantage").asText());
    assertTrue(last.path("ok").asBoolean(), "the listener accepts connections: " + last);
  }

  @Test
  void observations_reach_every_node() throws Exception {
    TcpBackend fra = opened(new TcpBackend());
    String targets = "[" + FakeControlPlane.tcpTarget("shop", "fra", fra.port(), 50) + "]";
    List<FakeControlPlane> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      FakeControlPlane node = opened(FakeControlPlane.start(TOKEN));
      node.assign(targets);
      nodes.add(node);
    }
    agent(nodes.stream().map(FakeControlPlane::uri).toList(), fastReporting(1000));

    for (FakeControlPlane node : nodes) {
      Eventually.await(Duration.ofSeconds(10), () -> countFor(node, "fra") >= 5, () -> node.uri() + " got too few");
    }
  }

  @Test
  void an_outage_of_one_node_loses_at_most_what_overflows_its_buffer_and_heals_by_itself() throws Exception {
    TcpBackend fra = opened(new TcpBackend());
    String targets = "[" + FakeControlPlane.tcpTarget("shop", "fra", fra.port(), 10) + "]";
    FakeControlPlane steady = opened(FakeControlPlane.start(TOKEN));
    FakeControlPlane flaky = opened(FakeControlPlane.start(TOKEN));
    steady.assign(targets);
    flaky.assign(targets);
    int bound = 20;
    ProbeAgent agent = agent(List.of(steady.uri(), flaky.uri()), fastReporting(bound));
    Eventually.await(Duration.ofSeconds(10), () -> countFor(flaky, "fra") >= 3, () -> "no observations before the outage");

    Instant outageStart = Instant.now();
    flaky.stop();
    Eventually.await(Duration.ofSeconds(10), () -> agent.reporter().dropped(flaky.uri()) >= 30,
        () -> "the flaky node's buffer never overflowed");
    assertTrue(agent.reporter().buffered(flaky.uri()) <= bound, "the buffer stays within its bound");
    flaky.restart();
    Eventually.await(Duration.ofSeconds(10), () -> flaky.observations().stream()
            .filter(o -> !Instant.parse(o.path("at").asText()).isBefore(outageStart)).count() >= bound,
        () -> "the buffered observations never reached the node after it came back");

    agent.scheduler().apply(List.of());
    Eventually.await(Duration.ofSeconds(10),
        () -> agent.reporter().buffered(steady.uri()) == 0 && agent.reporter().buffered(flaky.uri()) == 0,
        () -> "the buffers never drained");
    Set<String> atSteady = steady.observations().stream().map(o -> o.path("at").asText()).collect(Collectors.toSet());
    Set<String> atFlaky = flaky.observations().stream().map(o -> o.path("at").asText()).collect(Collectors.toSet());
    long lost = atSteady.stream().filter(at -> !atFlaky.contains(at)).count();
    assertEquals(0, agent.reporter().dropped(steady.uri()), "the steady node lost nothing");
    assertTrue(lost > 0 && lost <= agent.reporter().dropped(flaky.uri()),
        "lost " + lost + ", counted as dropped " + agent.reporter().dropped(flaky.uri()));
    assertTrue(agent.scrape().contains("tern_probe_report_dropped_total{node=\"" + flaky.uri() + "\"}"),
        "drops are exported per node");
  }

  @Test
  void an_assignment_naming_the_cloud_metadata_address_is_reported_failed_and_never_contacted() throws Exception {
    assertTrue(ReservedAddresses.refusal("169.254.169.254").isPresent(), "the address is reserved");
    FakeControlPlane node = opened(FakeControlPlane.start(TOKEN));
    node.assign("[{\"service\":\"shop\",\"backend\":\"imds\",\"address\":\"169.254.169.254\",\"kind\":\"http\","
        + "\"port\":80,\"path\":\"/latest/meta-data/iam/security-credentials/\",\"expectStatus\":[200],"
        + "\"bodyContains\":\"AccessKeyId\",\"intervalMs\":50,\"timeoutMs\":200}]");
    ProbeAgent.Settings settings = new ProbeAgent.Settings(FRANKFURT, List.of(node.uri()), TOKEN,
        new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(2), fastReporting(1000));
    opened(new ProbeAgent(settings, opened(new Checkers(Optional.empty())), Clock.systemUTC(), new SplittableRandom(7)));

    Eventually.await(Duration.ofSeconds(10), () -> countFor(node, "imds") >= 3, () -> "imds observed: " + node.observations());
    for (JsonNode o : node.observations()) {
      assertFalse(o.path("ok").asBoolean(), o.toString());
      assertTrue(o.path("error").asText().startsWith("reserved_address: not checked: 169.254.169.254, which is link-local"),
          o.toString());
    }
  }

  @Test
  void with_a_metrics_token_metrics_answer_only_its_bearer_and_health_stays_open() throws Exception {
    FakeControlPlane node = opened(FakeControlPlane.start(TOKEN));
    node.assign("[]");
    ProbeAgent.Settings settings = new ProbeAgent.Settings(FRANKFURT, List.of(node.uri()), TOKEN,
        new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(2), fastReporting(1000))
        .withMetricsToken("scrape-secret-7f3k");
    ProbeAgent agent = opened(new ProbeAgent(settings, new TcpChecker(Optional.empty()), Clock.systemUTC(),
        new SplittableRandom(7)));
    HttpClient client = opened(HttpClient.newHttpClient());
    URI base = URI.create("http://127.0.0.1:" + agent.metricsAddress().getPort());

    HttpResponse<String> anonymous = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> wrong = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
        .header("Authorization", "Bearer scrape-secret-7f3").build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> bearer = client.send(HttpRequest.newBuilder(base.resolve("/metrics"))
        .header("Authorization", "Bearer scrape-secret-7f3k").build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> health = client.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
        HttpResponse.BodyHandlers.ofString());

    assertEquals(401, anonymous.statusCode());
    assertEquals(Optional.of("Bearer realm=\"tern-probe\""), anonymous.headers().firstValue("WWW-Authenticate"));
    assertFalse(anonymous.body().contains("tern_probe_"), anonymous.body());
    assertEquals(401, wrong.statusCode());
    assertEquals(200, bearer.statusCode());
    assertTrue(bearer.body().contains("tern_probe_targets"), bearer.body());
    assertEquals(200, health.statusCode());
  }

  @Test
  void the_token_never_appears_in_logs_metrics_or_health() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    SimpleFormatter formatter = new SimpleFormatter();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord record) {
        logged.add(formatter.format(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger root = Logger.getLogger("");
    root.addHandler(capture);
    try {
      TcpBackend fra = opened(new TcpBackend());
      FakeControlPlane refusing = opened(FakeControlPlane.start(TOKEN));
      FakeControlPlane down = opened(FakeControlPlane.start(TOKEN));
      down.stop();
      refusing.assign("[" + FakeControlPlane.tcpTarget("shop", "fra", fra.port(), 20) + ","
          + FakeControlPlane.tcpTarget("shop", "gone", down.uri().getPort(), 20) + "]");
      refusing.answerObservationsWith(400, 503, 429, 500);
      ProbeAgent agent = agent(List.of(down.uri(), refusing.uri()), fastReporting(1000));

      Eventually.await(Duration.ofSeconds(10), () -> refusing.posts().size() >= 6, () -> "too few posts");
      Eventually.await(Duration.ofSeconds(10), 
          () -> logged.stream().anyMatch(l -> l.contains("refused a batch")), () -> "nothing logged: " + logged);
      HttpClient client = opened(HttpClient.newHttpClient());
      URI base = URI.create("http://127.0.0.1:" + agent.metricsAddress().getPort());
      String metrics = client.send(HttpRequest.newBuilder(base.resolve("/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      String health = client.send(HttpRequest.newBuilder(base.resolve("/health")).build(),
          HttpResponse.BodyHandlers.ofString()).body();

      for (String documented : List.of("tern_probe_checks_total{backend=\"fra\",outcome=\"ok\",service=\"shop\"}",
          "tern_probe_check_failures_total{reason=\"connect_refused\"}", "tern_probe_check_latency_seconds_bucket{backend=\"fra\",service=\"shop\",le=\"0.005\"}",
          "tern_probe_check_phase_seconds_count{phase=\"connect\",service=\"shop\"}",
          "tern_probe_achieved_interval_seconds{backend=\"fra\",service=\"shop\"}",
          "tern_probe_report_buffer_depth{node=\"" + down.uri() + "\"}",
          "tern_probe_report_dropped_total{node=\"" + refusing.uri() + "\"}",
          "tern_probe_report_batches_total{node=\"" + refusing.uri() + "\",outcome=\"rejected\"} 1.0",
          "tern_probe_assignment_policy_version 2.0", "tern_probe_targets 2.0")) {
        assertTrue(metrics.contains(documented), documented + " missing from\n" + metrics);
      }
      assertTrue(health.startsWith("ok"), health);
      assertFalse(metrics.contains(TOKEN), "metrics hold the token");
      assertFalse(health.contains(TOKEN), "health holds the token");
      List<String> leaks = logged.stream().filter(l -> l.contains(TOKEN)).toList();
      assertTrue(leaks.isEmpty(), "logs hold the token: " + leaks);
      assertTrue(refusing.posts().stream().allMatch(p -> ("Bearer " + TOKEN).equals(p.authorization())),
          "every post carries the token in its header");
    } finally {
      root.removeHandler(capture);
    }
  }
}
