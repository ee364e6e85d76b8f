package dev.tern.controlplane.dns;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.ReplicatedState;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.routing.RoutingPlan;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.env.Environment;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tern's embedded authoritative DNS server on this node (docs/dns.md): it answers for the zones in
 * {@code tern.dns.zones} from the committed routing plans, whichever role the node has.
 *
 * <p>If the address or port cannot be bound, the node still starts (Raft, API and decisions do
 * not depend on it) and logs an error; {@link #port()} is then empty.
 *
 * <p>The answers live in an immutable {@link AnswerTable}. After every applied command that can
 * change them, a rebuild is queued on a thread of its own (never the Raft apply thread); rebuilds
 * that pile up collapse into one, and the new table replaces the old with one volatile write, so a
 * query sees either the old answers or the new ones, never a mix.
 */
@Context
public final class EmbeddedDns implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDns.class);

  private final RaftNode node;
  private final DnsSettings settings;
  private final ExecutorService rebuilder = Executors.newSingleThreadExecutor(
      r -> Thread.ofPlatform().daemon().name("tern-dns-rebuild").unstarted(r));
  private final AtomicBoolean rebuildQueued = new AtomicBoolean();
  private final DnsServer server;
  private final Optional<GeoIpCountries> geo;
  private volatile AnswerTable table;

  EmbeddedDns(RaftNode node, Environment environment, MeterRegistry registry) {
    this.node = node;
    this.settings = DnsSettings.from(environment);
    if (!settings.enabled()) {
      server = null;
      geo = Optional.empty();
      LOG.info("embedded DNS disabled (tern.dns.enabled=false)");
      return;
    }
    geo = settings.maxmindDb().map(GeoIpCountries::open);
    // Listen first, then build: a command applied in between queues a rebuild rather than being missed.
    node.onApplied(this::applied);
    table = build(node.state());
    DnsServer started = new DnsServer(settings, () -> table, new DnsMetrics(registry));
    try {
      started.start();
    } catch (IOException e) {
      // A node that is asked to serve DNS and cannot would be dark to every resolver sent to it
      // while looking healthy: refuse to start instead, saying which setting to change.
      started.close();
      throw new IllegalStateException("embedded DNS not started: " + e.getMessage()
          + ", or set tern.dns.enabled: false", e);
    }
    server = started;
    if (settings.zones().isEmpty()) {
      LOG.warn("embedded DNS on {}:{} (UDP and TCP) serves no zone: set tern.dns.zones; every query is REFUSED",
          settings.host(), server.port());
    } else {
      LOG.info("embedded DNS on {}:{} (UDP and TCP), authoritative for {}", settings.host(), server.port(),
          settings.zones());
    }
  }

  /**
   * The port UDP and TCP listen on (the bound one when {@code tern.dns.port} is 0); empty when
   * disabled or when the port could not be bound.
   */
  public Optional<Integer> port() {
    return server == null ? Optional.empty() : Optional.of(server.port());
  }

  /** The address the server listens on. */
  public String host() {
    return settings.host();
  }

  /** The SOA serial of the answers being served now. */
  public long serial() {
    return table == null ? 0 : table.serial();
  }

  /** The plan version the answers being served now come from for {@code service}; -1 when it is not served. */
  public long servedPlanVersion(String service) {
    return table == null ? -1 : table.planVersion(service);
  }

  private void applied(Command command) {
    // Only what the answers are built from: policies, drains, plans.
    if (!(command instanceof Command.PutService || command instanceof Command.DeleteService
        || command instanceof Command.SetDrain || command instanceof Command.PublishPlan)) {
      return;
    }
    if (rebuildQueued.compareAndSet(false, true)) {
      try {
        rebuilder.execute(this::rebuild);
      } catch (java.util.concurrent.RejectedExecutionException e) {
        rebuildQueued.set(false);
      }
    }
  }

  private void rebuild() {
    rebuildQueued.set(false);
    try {
      AnswerTable next = build(node.state());
      table = next;
      LOG.debug("DNS answers rebuilt: {} services, serial {}", next.services(), next.serial());
    } catch (RuntimeException e) {
      // The previous table keeps being served: stale answers beat none.
      LOG.error("rebuilding the DNS answers failed; still serving serial {}", serial(), e);
    }
  }

  private AnswerTable build(ReplicatedState state) {
    long policyVersion = state.policyVersion();
    List<RoutingPlan> plans = state.services().stream().map(ServiceState::plan).flatMap(Optional::stream).toList();
    return AnswerTable.build(settings, policyVersion, plans, state.policy().zoneTable(), geo);
  }

  @PreDestroy
  @Override
  public void close() {
    rebuilder.shutdownNow();
    if (server != null) {
      server.close();
    }
    geo.ifPresent(GeoIpCountries::close);
  }
}
