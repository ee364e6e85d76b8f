package dev.tern.controlplane.demo;

import dev.tern.policy.geo.Region;
import io.micronaut.serde.annotation.Serdeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The demo's regions: one backend per region on {@code 127.0.1.N}, one probe source address per
 * region on {@code 127.0.2.N}, all backends on one port. It takes regions down and up for the
 * demo API and the tests, and can cut a region's vantage point off from every backend.
 */
public final class DemoRegions implements AutoCloseable {

  /** One region as the demo API shows it. */
  @Serdeable
  public record RegionStatus(String region, String backend, boolean listening, String probeSource, boolean probeCutOff,
      long addedLatencyMs, double errorRate, boolean flapping) {}

  private static final int PORT_ATTEMPTS = 20;

  private final Map<Region, DemoBackend> backends = new LinkedHashMap<>();
  private final Map<Region, InetAddress> probeSources = new LinkedHashMap<>();
  private final Map<InetAddress, Region> vantageAt = new LinkedHashMap<>();
  private final Set<InetAddress> cutOff = ConcurrentHashMap.newKeySet();
  private final Map<Region, Thread> flappers = new ConcurrentHashMap<>();
  private final int port;

  private DemoRegions(int port) {
    this.port = port;
    for (int i = 0; i < InterRegionLatency.REGIONS.size(); i++) {
      Region region = InterRegionLatency.REGIONS.get(i);
      InetAddress source = loopback(2, i + 1);
      probeSources.put(region, source);
      vantageAt.put(source, region);
      backends.put(region, new DemoBackend(region, new InetSocketAddress(loopback(1, i + 1), port),
          a -> Optional.ofNullable(vantageAt.get(a)), cutOff::contains));
    }
  }

  /**
   * Starts every region's backend on one port that is free on all their addresses.
   *
   * @throws UncheckedIOException when no such port was found
   */
  public static DemoRegions start() {
    UncheckedIOException last = null;
    for (int attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
      DemoRegions regions = new DemoRegions(freePort(loopback(1, 1)));
      try {
        regions.backends.values().forEach(DemoBackend::start);
        return regions;
      } catch (UncheckedIOException taken) {
        // Another program holds this port on one of the addresses: try another port.
        regions.close();
        last = taken;
      }
    }
    throw new UncheckedIOException("no port is free on every demo backend address 127.0.1.1-"
        + InterRegionLatency.REGIONS.size() + "; is another demo running?", last.getCause());
  }

  /** The port every backend listens on, as the policy's health check names it. */
  public int port() {
    return port;
  }

  public List<Region> regions() {
    return List.copyOf(backends.keySet());
  }

  public Optional<DemoBackend> backend(Region region) {
    return Optional.ofNullable(backends.get(region));
  }

  /** The address the region's probe agent connects from. */
  public InetAddress probeSource(Region region) {
    return probeSources.get(region);
  }

  public List<RegionStatus> status() {
    List<RegionStatus> out = new ArrayList<>();
    for (Region r : backends.keySet()) {
      out.add(status(r));
    }
    return out;
  }

  public RegionStatus status(Region region) {
    DemoBackend b = backends.get(region);
    InetAddress source = probeSources.get(region);
    return new RegionStatus(region.key(), b.address().getAddress().getHostAddress() + ":" + port, b.running(),
        source.getHostAddress(), cutOff.contains(source), b.addedLatency().toMillis(), b.errorRate(),
        flappers.containsKey(region));
  }

  /** Stops the region's backend listening; empty when the region is not one of the demo's. */
  public Optional<RegionStatus> stop(Region region) {
    return backend(region).map(b -> {
      b.stop();
      return status(region);
    });
  }

  /** Starts the region's backend again on the same address and port. */
  public Optional<RegionStatus> start(Region region) {
    return backend(region).map(b -> {
      b.start();
      return status(region);
    });
  }

  /**
   * Cuts the region's vantage point off from every backend (its checks all fail while the other
   * regions see the backends up), or reconnects it.
   */
  public void cutOff(Region vantage, boolean cut) {
    InetAddress source = probeSources.get(vantage);
    if (source == null) {
      throw new IllegalArgumentException(vantage.key() + " is not one of the demo's regions");
    }
    if (cut) {
      cutOff.add(source);
    } else {
      cutOff.remove(source);
    }
  }

  /** Degrades the region's answers (added latency, a share of 503s); empty when it is not one of the demo's. */
  public Optional<RegionStatus> degrade(Region region, java.time.Duration latency, double errorRate) {
    return backend(region).map(b -> {
      b.degrade(latency, errorRate);
      return status(region);
    });
  }

  /** Undoes {@link #degrade}: the region answers normally again. */
  public Optional<RegionStatus> restore(Region region) {
    return backend(region).map(b -> {
      b.restore();
      return status(region);
    });
  }

  /**
   * Takes the region down for one {@code period} and up for the next, over and over, on a thread
   * of its own, until {@link #stopFlapping}. Does nothing if it already flaps.
   */
  public Optional<RegionStatus> flap(Region region, java.time.Duration period) {
    return backend(region).map(b -> {
      flappers.computeIfAbsent(region, r -> Thread.ofVirtual().name("demo-flap-" + r.key()).start(() -> {
        boolean down = true;
        while (!Thread.currentThread().isInterrupted()) {
          if (down) {
            b.stop();
          } else {
            b.start();
          }
          down = !down;
          try {
            Thread.sleep(period);
          } catch (InterruptedException e) {
            return;
          }
        }
      }));
      return status(region);
    });
  }

  /** Stops the region flapping and leaves it listening. */
  public Optional<RegionStatus> stopFlapping(Region region) {
    return backend(region).map(b -> {
      Thread flapper = flappers.remove(region);
      if (flapper != null) {
        flapper.interrupt();
        try {
          flapper.join(java.time.Duration.ofSeconds(5));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      b.start();
      return status(region);
    });
  }

  /** Stops every backend. */
  @Override
  public void close() {
    // Stop the flappers first, so that none starts a backend again behind this.
    for (Thread flapper : flappers.values()) {
      flapper.interrupt();
      try {
        flapper.join(java.time.Duration.ofSeconds(5));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    flappers.clear();
    backends.values().forEach(DemoBackend::stop);
  }

  private static InetAddress loopback(int third, int fourth) {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, (byte) third, (byte) fourth});
    } catch (UnknownHostException e) {
      throw new IllegalStateException("four bytes are always an IPv4 address", e);
    }
  }

  private static int freePort(InetAddress on) {
    try (ServerSocket s = new ServerSocket(0, 1, on)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + on.getHostAddress()
          + "; the demo needs the loopback network 127.0.0.0/8", e);
    }
  }
}
