package dev.tern.controlplane.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import dev.tern.policy.geo.Region;
import dev.tern.probe.agent.ProbeAgent;
import dev.tern.probe.agent.ProbeTarget;
import dev.tern.probe.check.CheckSpec;
import dev.tern.probe.check.Checkers;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every health check setting travels from the policy, through the control plane's assignment, to
 * the check a real agent runs. The backends are closed ports on loopback: the checks fail, which
 * does not matter here.
 */
@MicronautTest
class ProbeAssignmentWireTest {

  static final String POLICY = """
      kind: Service
      name: wire
      hostname: wire.gslb.example.com
      routing:
        method: weighted
      backends:
        - name: fra
          cloud: aws
          region: eu-central-1
          jurisdiction: EU
          address: 127.0.0.1
          healthCheck:
            kind: https
            port: 9
            path: /ready
            expectStatus: [200, 204]
            bodyContains: ready
            host: shop.example.com
            keepAlive: true
            maxBodyBytes: 4096
            interval: 5s
            timeout: 1s
            caCertificate: |
      %s
        - name: ns
          cloud: aws
          region: eu-west-1
          jurisdiction: EU
          address: 127.0.0.1
          healthCheck:
            kind: dns
            port: 9
            query: probe.wire.example.com
            queryType: AAAA
            interval: 5s
            timeout: 1s
      """;

  @Inject
  EmbeddedServer server;

  @Test
  void the_agent_runs_exactly_the_check_the_policy_describes(@TempDir Path dir) throws Exception {
    String pem = selfSignedPem(dir);
    var applied = new Http(server.getURI()).send("PUT", "/api/v1/services/wire?reason=probe+wire+test",
        "application/yaml", POLICY.formatted(pem.indent(8).stripTrailing()),
        "Authorization", TestCredentials.bearer(Role.ADMIN));
    assertEquals(200, applied.statusCode(), applied.body());

    var settings = new ProbeAgent.Settings(Region.parse("aws:eu-central-1").orElseThrow(), List.of(server.getURI()),
        TestCredentials.TOKENS.get(Role.PROBE), new InetSocketAddress("127.0.0.1", 0), Duration.ofSeconds(2),
        dev.tern.probe.agent.Reporter.Settings.defaults());
    try (var agent = new ProbeAgent(settings, new Checkers(Optional.empty()), Clock.systemUTC(),
        new SplittableRandom(5))) {
      List<ProbeTarget> wire = awaitTargets(agent, "wire");

      assertEquals(List.of(
          new ProbeTarget("wire", "fra", new CheckSpec.Http(true, "127.0.0.1", 9, "/ready",
              Optional.of("shop.example.com"), Set.of(200, 204), Optional.of("ready"), 4096, Optional.of(pem), true,
              Duration.ofSeconds(1)), Duration.ofSeconds(5)),
          new ProbeTarget("wire", "ns", new CheckSpec.Dns("127.0.0.1", 9, "probe.wire.example.com", "AAAA",
              Duration.ofSeconds(1)), Duration.ofSeconds(5))), wire);
    }
  }

  private static List<ProbeTarget> awaitTargets(ProbeAgent agent, String service) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(15);
    while (Instant.now().isBefore(deadline)) {
      var targets = agent.follower().current().map(a -> a.targets().stream()
          .filter(t -> t.service().equals(service))
          .sorted(Comparator.comparing(ProbeTarget::backend))
          .toList()).orElse(List.of());
      if (!targets.isEmpty()) {
        return targets;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the agent never received service " + service);
  }

  /** A real certificate, as an operator pins it, with the trailing newline a YAML literal block keeps. */
  private static String selfSignedPem(Path dir) throws IOException, InterruptedException {
    var keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    var store = dir.resolve("ca.p12").toString();
    var pem = dir.resolve("ca.pem");
    for (var command : List.of(
        List.of(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
            "CN=Tern Wire CA", "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", "changeit"),
        List.of(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", store, "-storepass", "changeit",
            "-file", pem.toString()))) {
      var process = new ProcessBuilder(command).redirectErrorStream(true).start();
      var output = new String(process.getInputStream().readAllBytes());
      if (process.waitFor() != 0) {
        throw new IOException(command + ": " + output);
      }
    }
    return Files.readString(pem).replace("\r\n", "\n").strip() + "\n";
  }
}
