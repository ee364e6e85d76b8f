package dev.tern.controlplane.bench;

import dev.tern.controlplane.demo.DemoWorld;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

/**
 * How long a stopped backend stays in DNS answers: Tern's embedded DNS in the demo world beside
 * PowerDNS Authoritative with a LUA {@code ifurlup} record over the same EU backends, at
 * PowerDNS's default health-check settings, in the same run.
 *
 * <p>Each round stops the region whose address Tern answers EU clients with, polls both servers
 * every 50 ms until that address is gone from their answers, then starts the region again and
 * waits until both serve it again. Reports p50/p99/max per server over the rounds and the ratio.
 *
 * <p>{@code ./mvnw -B -q -pl controlplane -am -Pbench-dns-failover test-compile [-Dbench.rounds=20]}
 */
public final class DnsFailoverBenchmark {

  static final Duration POLL = Duration.ofMillis(50);
  static final Duration GIVE_UP = Duration.ofSeconds(60);
  static final String EU_CLIENT = "10.10.0.0";
  /** The demo policy's failbackDelay. */
  static final Duration FAILBACK_DELAY = Duration.ofSeconds(10);

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    try (DemoWorld world = DemoWorld.start(DemoWorld.Options.freePorts())) {
      Duration ready = world.awaitReady(Duration.ofSeconds(60));
      List<Region> eu = world.regions().regions().stream()
          .filter(r -> r.key().contains("europe") || r.key().contains("eu-")).toList();
      List<String> euAddresses = eu.stream()
          .map(r -> world.regions().backend(r).orElseThrow().address().getAddress().getHostAddress()).toList();
      int backendPort = world.regions().port();
      String lua = "shop IN LUA A \"ifurlup('http://" + DemoWorld.HOSTNAME + ":" + backendPort + "/healthz', {{"
          + String.join(", ", euAddresses.stream().map(a -> "'" + a + "'").toList()) + "}}, {selector='all'})\"";
      try (PowerDns pdns = PowerDns.start(DemoWorld.DNS_ZONE, List.of(lua), freeUdpPort())) {
        var tern = resolver(world.dnsPort(0), Optional.of(EU_CLIENT));
        var peer = resolver(pdns.port(), Optional.empty());
        System.out.printf(Locale.ROOT, "demo world ready in %d ms; PowerDNS (pid %d) ifurlup over %s%n",
            ready.toMillis(), pdns.pid(), euAddresses);
        // PowerDNS starts every address as down and checks each every 5 s from the first query on.
        awaitAll(peer, Set.copyOf(euAddresses));
        var random = new java.util.SplittableRandom(11);
        List<Long> ternMs = new ArrayList<>();
        List<Long> peerMs = new ArrayList<>();
        for (int round = 1; round <= rounds; round++) {
          // A random pause, so that outages do not fall in step with PowerDNS's 5 s check cycle.
          Thread.sleep(random.nextInt(5_000));
          String victim = first(tern);
          awaitAll(peer, Set.of(victim));
          Region region = eu.get(euAddresses.indexOf(victim));
          long stopped = System.nanoTime();
          world.regions().stop(region);
          long[] gone = awaitGone(victim, tern, peer, stopped);
          ternMs.add(gone[0]);
          peerMs.add(gone[1]);
          System.out.printf(Locale.ROOT, "round %2d: stopped %s (%s): gone from Tern after %5d ms, from PowerDNS after %5d ms%n",
              round, region.key(), victim, gone[0], gone[1]);
          world.regions().start(region);
          // Latency routing need not send EU clients back to the restarted region, so the next
          // round starts once Tern sees it healthy again and its failback delay has passed.
          awaitHealthy(world, victim);
          Thread.sleep(FAILBACK_DELAY.plusSeconds(1));
          awaitAll(peer, Set.of(victim));
        }
        System.out.println(summary("Tern embedded DNS", ternMs));
        System.out.println(summary("PowerDNS LUA ifurlup", peerMs));
        System.out.printf(Locale.ROOT, "ratio PowerDNS / Tern at p50: %.1f, at p99: %.1f (target: Tern p99 <= 3000 ms and >= 3x faster)%n",
            pct(peerMs, 0.5) / (double) pct(ternMs, 0.5), pct(peerMs, 0.99) / (double) pct(ternMs, 0.99));
      }
    }
  }

  /** Polls both servers until {@code victim} is in neither answer; elapsed ms since {@code since} for each. */
  static long[] awaitGone(String victim, SimpleResolver tern, SimpleResolver peer, long since) throws Exception {
    long[] gone = {-1, -1};
    long deadline = since + GIVE_UP.toNanos();
    while ((gone[0] < 0 || gone[1] < 0) && System.nanoTime() < deadline) {
      if (gone[0] < 0 && !addresses(tern).contains(victim)) {
        gone[0] = (System.nanoTime() - since) / 1_000_000;
      }
      if (gone[1] < 0 && !addresses(peer).contains(victim)) {
        gone[1] = (System.nanoTime() - since) / 1_000_000;
      }
      Thread.sleep(POLL);
    }
    if (gone[0] < 0 || gone[1] < 0) {
      throw new IllegalStateException(victim + " still answered after " + GIVE_UP + ": tern " + gone[0] + ", pdns " + gone[1]);
    }
    return gone;
  }

  static void awaitHealthy(DemoWorld world, String address) throws InterruptedException {
    long deadline = System.nanoTime() + GIVE_UP.toNanos();
    while (!healthy(world, address)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(address + " not healthy again within " + GIVE_UP);
      }
      Thread.sleep(POLL);
    }
  }

  private static boolean healthy(DemoWorld world, String address) {
    return world.service().map(s -> s.model().backends().stream()
            .filter(b -> b.address().equals(address))
            .map(b -> s.verdicts().get(b.name()))
            .anyMatch(v -> v != null && v.health() == Health.HEALTHY))
        .orElse(false);
  }

  static void awaitAll(SimpleResolver resolver, Set<String> wanted) throws Exception {
    long deadline = System.nanoTime() + GIVE_UP.toNanos();
    while (!addresses(resolver).containsAll(wanted)) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("PowerDNS never served " + wanted + "; it serves " + addresses(resolver));
      }
      Thread.sleep(POLL);
    }
  }

  static String first(SimpleResolver resolver) throws Exception {
    return addresses(resolver).stream().findFirst()
        .orElseThrow(() -> new IllegalStateException("Tern answers EU clients with nothing"));
  }

  static Set<String> addresses(SimpleResolver resolver) throws IOException {
    Message query = Message.newQuery(Record.newRecord(Name.fromConstantString(DemoWorld.HOSTNAME + "."), Type.A, DClass.IN));
    Message response = resolver.send(query);
    Set<String> out = new TreeSet<>();
    for (Record r : response.getSection(Section.ANSWER)) {
      if (r instanceof ARecord a) {
        out.add(a.getAddress().getHostAddress());
      }
    }
    return out;
  }

  static SimpleResolver resolver(int port, Optional<String> clientSubnet) throws IOException {
    var resolver = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
    resolver.setTimeout(Duration.ofSeconds(1));
    if (clientSubnet.isPresent()) {
      resolver.setEDNS(0, 1232, 0, List.of(new ClientSubnetOption(24, InetAddress.getByName(clientSubnet.get()))));
    }
    return resolver;
  }

  static int freeUdpPort() throws IOException {
    try (var socket = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static long pct(List<Long> values, double p) {
    List<Long> sorted = values.stream().sorted().toList();
    return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
  }

  static String summary(String name, List<Long> ms) {
    return String.format(Locale.ROOT, "%-22s %d outages: p50 %5d ms, p99 %5d ms, max %5d ms", name, ms.size(),
        pct(ms, 0.5), pct(ms, 0.99), ms.stream().mapToLong(Long::longValue).max().orElse(0));
  }
}
