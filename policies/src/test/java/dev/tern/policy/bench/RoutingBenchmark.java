package dev.tern.policy.bench;

import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.health.HealthVerdict;
import dev.tern.policy.health.LatencyMatrix;
import dev.tern.policy.model.Backend;
import dev.tern.policy.model.Guardrails;
import dev.tern.policy.model.HealthCheck;
import dev.tern.policy.model.HealthSettings;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.model.ResidencyRule;
import dev.tern.policy.model.ResidencyRule.WhenNoneHealthy;
import dev.tern.policy.model.RoutingMethod;
import dev.tern.policy.model.Service;
import dev.tern.policy.routing.CompiledService;
import dev.tern.policy.routing.Decision;
import dev.tern.policy.routing.HealthView;
import dev.tern.policy.routing.RoutingEngine;
import dev.tern.policy.routing.RoutingPlan;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The decision engine at fleet scale: 10,000 services × 8 backends × 30 client zones, a quarter
 * each on weighted, latency, geo and failover, every one with EU residency, guardrails and demand.
 *
 * <ul>
 *   <li>{@code fullRecompute}: every service decided again against its previous plan (what a new
 *       leader or a periodic sweep does);
 *   <li>{@code compileAndRecompute}: the same after a policy change (every service re-compiled);
 *   <li>{@code oneBackendChange}: one backend's verdict flips and its service is decided again
 *       (what the decision loop does on a health transition).
 * </ul>
 *
 * The heap the 10,000 current plans retain is printed at setup. Run with {@code -Xmx512m} to hold
 * the whole benchmark to the 512 MB budget.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class RoutingBenchmark {

  static final String[] ZONES = {
    "default", "EU", "europe", "north-america", "south-america", "asia", "oceania", "africa",
    "DE", "FR", "NL", "IE", "SE", "PL", "IT", "ES", "GB", "CH", "NO",
    "US", "CA", "MX", "BR", "JP", "KR", "IN", "SG", "AU", "ZA", "AE",
  };
  static final String[][] SITES = {
    {"aws:eu-central-1", "EU"}, {"azure:westeurope", "EU"}, {"gcp:europe-west1", "EU"},
    {"aws:eu-west-1", "EU"}, {"aws:us-east-1", "US"}, {"gcp:us-central1", "US"},
    {"azure:japaneast", "APAC"}, {"aws:ap-southeast-1", "APAC"},
  };
  static final Instant T0 = Instant.parse("2026-11-23T12:00:00Z");

  @Param({"10000"})
  public int services;

  private final RoutingEngine engine = new RoutingEngine();
  private List<Service> fleet;
  private CompiledService[] compiled;
  private HealthView[] views;
  private RoutingPlan[] plans;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    fleet = new ArrayList<>(services);
    compiled = new CompiledService[services];
    views = new HealthView[services];
    plans = new RoutingPlan[services];
    Region[] vantages = new Region[SITES.length];
    for (int i = 0; i < SITES.length; i++) {
      vantages[i] = Region.parse(SITES[i][0]).orElseThrow();
    }
    for (int s = 0; s < services; s++) {
      Service service = service(s);
      fleet.add(service);
      compiled[s] = CompiledService.of(service);
      Map<String, HealthVerdict> verdicts = new HashMap<>();
      LatencyMatrix.Builder latency = LatencyMatrix.builder();
      for (Backend b : service.backends()) {
        Health h = (s + b.name().hashCode()) % 11 == 0 ? Health.UNHEALTHY : Health.HEALTHY;
        verdicts.put(b.name(), new HealthVerdict(b.name(), h, T0.minusSeconds(600), Optional.empty(), List.of(), "bench"));
        for (int v = 0; v < vantages.length; v++) {
          latency.put(vantages[v], b.name(), 5 + ((s * 31 + v * 17 + b.name().hashCode()) & 127));
        }
      }
      views[s] = new HealthView(verdicts, latency.build(), Set.of());
      plans[s] = engine.decide(compiled[s], 1, views[s], Optional.empty(), T0).plan();
    }
    System.gc();
    long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    System.out.printf("%nheap used after setup (fleet, health views, %d plans): %d MB%n", services, used >> 20);
  }

  static Service service(int s) {
    List<Backend> backends = new ArrayList<>(8);
    for (int b = 0; b < 8; b++) {
      String[] site = SITES[b];
      backends.add(
          new Backend(
              "s" + s + "-b" + b,
              Region.parse(site[0]).orElseThrow(),
              new Jurisdiction(site[1]),
              "192.0.2." + (b + 1),
              1 + (b % 3),
              1 + b / 3,
              1000,
              HealthCheck.defaults()));
    }
    RoutingMethod method =
        switch (s % 4) {
          case 0 -> new RoutingMethod.Weighted();
          case 1 -> new RoutingMethod.Latency(Duration.ofMillis(20));
          case 2 -> {
            Map<ClientZone, List<String>> geo = new LinkedHashMap<>();
            geo.put(ClientZone.EU, List.of(backends.get(0).name(), backends.get(1).name(), backends.get(2).name()));
            geo.put(zone("north-america"), List.of(backends.get(4).name(), backends.get(5).name()));
            geo.put(zone("asia"), List.of(backends.get(6).name(), backends.get(7).name()));
            geo.put(ClientZone.DEFAULT, List.of(backends.get(4).name(), backends.get(0).name(), backends.get(6).name()));
            yield new RoutingMethod.Geo(geo);
          }
          default -> new RoutingMethod.Failover();
        };
    List<ClientZone> zones = new ArrayList<>();
    for (String z : ZONES) {
      zones.add(zone(z));
    }
    return new Service(
        "svc-" + s,
        "svc-" + s + ".gslb.example.com",
        30,
        backends,
        method,
        List.of(new ResidencyRule(ClientZone.EU, Set.of(Jurisdiction.EU), WhenNoneHealthy.SERVE_UNHEALTHY)),
        HealthSettings.DEFAULTS,
        new Guardrails(1, 0.5, 6),
        Map.of(ClientZone.EU, 1500),
        zones);
  }

  static ClientZone zone(String key) {
    return ClientZone.parse(key).orElseThrow();
  }

  @Benchmark
  public RoutingPlan[] fullRecompute() {
    RoutingPlan[] out = new RoutingPlan[services];
    for (int s = 0; s < services; s++) {
      out[s] = engine.decide(compiled[s], 1, views[s], Optional.of(plans[s]), T0.plusSeconds(5)).plan();
    }
    return out;
  }

  @Benchmark
  public RoutingPlan[] compileAndRecompute() {
    RoutingPlan[] out = new RoutingPlan[services];
    for (int s = 0; s < services; s++) {
      out[s] = engine.decide(CompiledService.of(fleet.get(s)), 2, views[s], Optional.of(plans[s]), T0.plusSeconds(5)).plan();
    }
    return out;
  }

  @Benchmark
  public Decision oneBackendChange() {
    int s = next;
    next = (next + 1) % services;
    HealthView view = views[s];
    String backend = compiled[s].backend(0).name();
    HealthVerdict old = view.verdicts().get(backend);
    Health flipped = old.health() == Health.HEALTHY ? Health.UNHEALTHY : Health.HEALTHY;
    Map<String, HealthVerdict> verdicts = new HashMap<>(view.verdicts());
    verdicts.put(backend, new HealthVerdict(backend, flipped, T0.plusSeconds(5), Optional.empty(), List.of(), "bench flip"));
    HealthView changed = new HealthView(verdicts, view.latency(), view.drained());
    Decision d = engine.decide(compiled[s], 1, changed, Optional.of(plans[s]), T0.plusSeconds(5));
    views[s] = changed;
    plans[s] = d.plan();
    return d;
  }
}
