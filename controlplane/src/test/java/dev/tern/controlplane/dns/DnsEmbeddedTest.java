package dev.tern.controlplane.dns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.testing.Http;
import dev.tern.controlplane.testing.TestCredentials;
import io.micronaut.runtime.server.EmbeddedServer;
import io.micronaut.test.extensions.junit5.annotation.MicronautTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Type;

/**
 * The embedded DNS inside a single-node control plane: a policy goes in through the API, is
 * committed and decided, and the DNS answers from the plan; a policy change reaches the answers
 * without a restart. The client subnets come from application-test.yml.
 */
@MicronautTest
class DnsEmbeddedTest {

  @Inject
  EmbeddedServer server;

  @Inject
  EmbeddedDns dns;

  static String policy(String usAddress) {
    return """
        kind: Service
        name: dnsweb
        hostname: dnsweb.gslb.example.com
        ttl: 15
        routing:
          method: weighted
        backends:
          - name: fra
            cloud: aws
            region: eu-central-1
            jurisdiction: EU
            address: 192.0.2.10
            weight: 50
          - name: ams
            cloud: azure
            region: westeurope
            jurisdiction: EU
            address: 192.0.2.20
            weight: 50
          - name: iad
            cloud: aws
            region: us-east-1
            jurisdiction: US
            address: %s
            weight: 100
        residency:
          - zone: EU
            allow: [EU]
        """.formatted(usAddress);
  }

  private void put(String yaml) {
    HttpResponse<String> r = new Http(server.getURI()).send("PUT", "/api/v1/services/dnsweb?reason=dns-test", "application/yaml", yaml,
        "Authorization", TestCredentials.bearer(Role.ADMIN));
    assertTrue(r.statusCode() / 100 == 2, "PUT answered " + r.statusCode() + ": " + r.body());
  }

  private static Message await(DnsClient client, Message query, Predicate<List<String>> wanted) {
    Instant deadline = Instant.now().plusSeconds(10);
    Message last = null;
    while (Instant.now().isBefore(deadline)) {
      last = client.udp(query);
      if (last.getRcode() == Rcode.NOERROR && wanted.test(DnsAnswersTest.addresses(last))) {
        return last;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("the DNS never gave the expected answer; last response:\n" + last);
  }

  @Test
  void answers_follow_the_committed_plan_with_eu_clients_kept_in_the_eu() {
    int port = dns.port().orElseThrow();
    assertTrue(port > 0);
    try (DnsClient client = new DnsClient(port)) {
      put(policy("198.51.100.10"));
      Message anywhere = await(client, DnsClient.query("dnsweb.gslb.example.com", Type.A, 1232, Optional.empty()),
          a -> a.contains("198.51.100.10"));
      assertEquals(15, anywhere.getSection(org.xbill.DNS.Section.ANSWER).getFirst().getTTL());
      for (int i = 0; i < 50; i++) {
        Message eu = client.udp(DnsClient.query("dnsweb.gslb.example.com", Type.A, 1232,
            DnsClient.ecs("198.51.100.0", 24)));
        assertEquals(Rcode.NOERROR, eu.getRcode());
        List<String> a = DnsAnswersTest.addresses(eu);
        assertTrue(!a.isEmpty() && Set.of("192.0.2.10", "192.0.2.20").containsAll(a), "EU client got " + a);
        assertEquals(24, DnsAnswersTest.echoedEcs(eu).getScopePrefixLength());
      }

      put(policy("198.51.100.99"));
      await(client, DnsClient.query("dnsweb.gslb.example.com", Type.A, 1232, DnsClient.ecs("203.0.113.0", 24)),
          a -> a.contains("198.51.100.99") && !a.contains("198.51.100.10"));
      Message debug = client.udp(DnsClient.query("_tern.dnsweb.gslb.example.com", Type.TXT, 1232, Optional.empty()));
      assertTrue(debug.toString().contains("client-zone=default"), debug.toString());
    }
  }

  @Test
  void a_node_whose_dns_port_is_taken_still_starts_without_dns() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
        io.micronaut.context.ApplicationContext other = io.micronaut.context.ApplicationContext.run(
            java.util.Map.of("tern.dns.port", taken.getLocalPort(), "micronaut.server.port", -1), "test")) {
      EmbeddedDns otherDns = other.getBean(EmbeddedDns.class);
      assertTrue(otherDns.port().isEmpty(), "no DNS port when it could not be bound");
      assertTrue(other.isRunning(), "the node itself runs");
    }
  }
}
