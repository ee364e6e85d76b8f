package dev.tern.controlplane.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.kubernetes.BackendMerge.MergedBackend;
import dev.tern.controlplane.kubernetes.DiscoveredBackend;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.Jurisdiction;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes discovery through the replicated state: what the leader commits of a cluster becomes
 * backends of the service named, under the policy's {@code discovery} block, identically on
 * replay and across a snapshot.
 */
class DiscoveryReplayTest {

  private static final Instant T = Instant.parse("2026-12-05T10:00:00Z");

  static DiscoveredBackend found(String cluster, String name, String address, boolean ready) {
    return new DiscoveredBackend(name, new DiscoveredBackend.Source(cluster, DiscoveredBackend.Kind.SERVICE, "shop",
        "web"), Region.parse("aws:eu-central-1").orElseThrow(), new Jurisdiction("EU"), address, 40, 1, 1000, ready,
        List.of());
  }

  private static String policy(String discovery) {
    return """
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: weighted
        backends:
          - {name: iad, cloud: aws, region: us-east-1, jurisdiction: US, address: 198.51.100.10}
        %s
        """.formatted(discovery);
  }

  private static Command.RecordDiscovery commit(Instant at, boolean stale, DiscoveredBackend... backends) {
    return new Command.RecordDiscovery("kubernetes-discovery", at, "eks-fra", stale,
        backends.length == 0 ? Map.of() : Map.of("shop", List.of(backends)));
  }

  private static List<String> names(TernStateMachine sm) {
    return sm.state().service("shop").orElseThrow().model().backends().stream().map(Backend::name).toList();
  }

  @Test
  void a_discovered_backend_joins_its_service_after_the_declared_ones_and_leaves_with_its_cluster_object() {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", policy("")));
    assertEquals(1, ((ApplyResult.Applied) sm.apply(commit(T, false, found("eks-fra", "fra-web", "203.0.113.7",
        false)))).version());

    ServiceState s = sm.state().service("shop").orElseThrow();
    assertEquals(List.of("iad", "fra-web"), names(sm));
    Backend fra = s.model().backend("fra-web").orElseThrow();
    assertEquals("203.0.113.7", fra.address());
    assertEquals(40, fra.weight());
    assertEquals(HealthCheck.defaults(), fra.healthCheck(), "no discovery block: the default check");
    MergedBackend how = s.discoveredBackend("fra-web").orElseThrow();
    assertEquals("eks-fra/service/shop/web", how.source().orElseThrow().toString());
    assertFalse(how.ready(), "no ready endpoint, as the cluster said");
    assertTrue(s.discoveredBackend("iad").isEmpty(), "the policy's own backend is not marked discovered");
    long generation = sm.state().discoveryGeneration();
    assertTrue(sm.state().audit(0, 100).stream().anyMatch(e -> e.action().equals("service.discovered")
        && e.toString().contains("fra-web 203.0.113.7")), sm.state().audit(0, 100).toString());

    // A verdict on the discovered backend is kept while it stays, forgotten when it goes.
    sm.apply(new Command.RecordVerdicts("decision-loop", T, List.of(new VerdictRecord("shop", "fra-web",
        Health.UNHEALTHY, T, Optional.empty(), "down", List.of()))));
    assertTrue(sm.state().service("shop").orElseThrow().verdicts().containsKey("fra-web"));
    sm.apply(commit(T.plusSeconds(5), false));
    assertEquals(List.of("iad"), names(sm));
    assertFalse(sm.state().service("shop").orElseThrow().verdicts().containsKey("fra-web"));
    assertEquals(generation + 1, sm.state().discoveryGeneration(), "probes learn of the change");
  }

  @Test
  void the_same_commit_again_changes_nothing_and_a_stale_cluster_is_audited_once() {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", policy("")));
    sm.apply(commit(T, false, found("eks-fra", "fra-web", "203.0.113.7", true)));
    long generation = sm.state().discoveryGeneration();
    assertEquals(0, ((ApplyResult.Applied) sm.apply(commit(T.plusSeconds(1), true,
        found("eks-fra", "fra-web", "203.0.113.7", true)))).version());
    assertEquals(generation, sm.state().discoveryGeneration());
    assertTrue(sm.state().cluster("eks-fra").orElseThrow().stale());
    sm.apply(commit(T.plusSeconds(2), true, found("eks-fra", "fra-web", "203.0.113.7", true)));
    assertEquals(1, sm.state().audit(0, 100).stream().filter(e -> e.action().equals("discovery.stale")).count());
  }

  @Test
  void exclude_drops_and_pin_keeps_a_backend_its_cluster_no_longer_reports() {
    TernStateMachine sm = new TernStateMachine();
    sm.apply(new Command.PutService("ada", T, "launch", "shop", policy("""
        discovery:
          exclude: [canary]
          pin: [fra-web]
          healthCheck: {kind: tcp, port: 443}""")));
    sm.apply(commit(T, false, found("eks-fra", "fra-web", "203.0.113.7", true),
        found("eks-fra", "canary", "203.0.113.9", true), found("eks-fra", "iad", "203.0.113.11", true)));
    assertEquals(List.of("iad", "fra-web"), names(sm), "canary excluded; the declared iad wins over a namesake");
    assertEquals("198.51.100.10", sm.state().service("shop").orElseThrow().model().backend("iad").orElseThrow()
        .address());
    assertEquals(443, sm.state().service("shop").orElseThrow().model().backend("fra-web").orElseThrow()
        .healthCheck().port(), "the discovery block's health check");

    sm.apply(commit(T.plusSeconds(5), false));
    assertEquals(List.of("iad", "fra-web"), names(sm), "pinned: kept as last seen");
    assertTrue(sm.state().service("shop").orElseThrow().discoveredBackend("fra-web").orElseThrow().pinned());
  }

  @Test
  void a_policy_with_a_discovery_block_may_declare_no_backend_and_a_new_policy_keeps_what_was_found()
      throws Exception {
    TernStateMachine sm = new TernStateMachine();
    String only = """
        kind: Service
        name: shop
        hostname: shop.gslb.example.com
        routing:
          method: weighted
        backends: []
        discovery: {}
        """;
    assertTrue(sm.apply(new Command.PutService("ada", T, "launch", "shop", only)).applied());
    sm.apply(commit(T, false, found("eks-fra", "fra-web", "203.0.113.7", true)));
    assertEquals(List.of("fra-web"), names(sm));
    sm.apply(new Command.PutService("ada", T.plusSeconds(1), "ttl", "shop", only.replace("backends: []",
        "ttl: 10\nbackends: []")));
    assertEquals(List.of("fra-web"), names(sm), "a policy change merges with what the cluster reports");

    TernStateMachine restored = new TernStateMachine();
    restored.readContentFrom(new DataInputStream(new ByteArrayInputStream(snapshot(sm))));
    assertArrayEquals(snapshot(sm), snapshot(restored));
    assertEquals(sm.state().service("shop").orElseThrow().model(), restored.state().service("shop").orElseThrow()
        .model());
    assertEquals(sm.state().discoveryGeneration(), restored.state().discoveryGeneration());
    restored.apply(commit(T.plusSeconds(9), false));
    assertEquals(List.of(), names(restored), "gone when its cluster no longer reports it");
  }

  private static byte[] snapshot(TernStateMachine sm) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      sm.writeContentTo(out);
    }
    return bytes.toByteArray();
  }
}
