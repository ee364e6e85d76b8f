package dev.tern.controlplane.alerting;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.provider.ProviderReconciler;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.controlplane.state.Incident;
import dev.tern.controlplane.state.LeaderStamp;
import dev.tern.controlplane.state.ReplicatedState;
import dev.tern.controlplane.state.ServiceState;
import dev.tern.policy.health.Health;
import dev.tern.policy.routing.ZoneAnswer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Context;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The leader's side of incidents: resolves an incident once its condition has cleared for the
 * service's failback delay, and tells every route that takes it of its trigger and its resolve,
 * once each. What was delivered is committed, so a new leader sends only what was not; a sink
 * deduplicates the rare repeat (a leader that died between sending and committing) on the
 * incident's key.
 *
 * <p>Each route has one worker at a time, so a slow or dead sink delays only itself. A delivery
 * that may succeed later (429, 5xx, no answer) is retried with backoff, 1 s doubling to a minute
 * (or the receiver's Retry-After); one that cannot (another 4xx) is recorded as failed and not
 * retried. Alertmanager routes get a firing alert again every {@code resend}, as Alertmanager
 * expects.
 *
 * <p>Only the leader pages. Each round reads the term this node leads once, at its start, and does
 * nothing when it leads none; every alert of the round is sent by this node in that term (see
 * {@link Alert#sender}), and a delivery whose node no longer leads that term by the time its turn
 * comes is not sent.
 */
@Context
public final class Notifier implements AutoCloseable {

  private static final Logger LOG = Logger.getLogger(Notifier.class.getName());
  static final String ACTOR = "notifier";
  static final Duration MAX_BACKOFF = Duration.ofMinutes(1);
  private static final Duration TICK = Duration.ofMillis(250);
  /** Consecutive failed deliveries after which a route counts as failing and the others are told. */
  static final int FAILING_AFTER = 3;
  private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(5);

  private final RaftNode node;
  private final AlertingSettings settings;
  private final Clock clock;
  private final MeterRegistry metrics;
  private final Map<String, Boolean> busy = new ConcurrentHashMap<>();
  private final Map<String, Backoff> backoff = new ConcurrentHashMap<>();
  private final Map<String, Instant> lastSent = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> consecutiveFailures = new ConcurrentHashMap<>();
  private final ProviderReconciler providers;
  private volatile boolean closed;

  /** When a job may be tried again, and how many times it was. */
  private record Backoff(Instant next, int attempts, boolean gaveUp) {}

  Notifier(RaftNode node, AlertingSettings settings, Clock clock, MeterRegistry metrics, ProviderReconciler providers) {
    this.providers = providers;
    this.node = node;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    Gauge.builder("tern.incidents.open", node, n -> n.state().incidents().stream().filter(Incident::open).count())
        .description("Incidents open now").register(metrics);
    for (AlertRoute r : settings.routes()) {
      AtomicInteger failures = consecutiveFailures.computeIfAbsent(r.name(), k -> new AtomicInteger());
      Gauge.builder("tern.alert.route.failing", failures, f -> f.get() >= FAILING_AFTER ? 1 : 0)
          .description("1 while a route's last three deliveries failed").tag("route", r.name()).register(metrics);
    }
    Thread.ofVirtual().name("notifier").start(this::loop);
  }

  /** Each route and its last three deliveries' standing, for the API and the console. */
  public Map<String, Integer> consecutiveFailures() {
    Map<String, Integer> out = new java.util.TreeMap<>();
    consecutiveFailures.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Sends a test alert through {@code route} now, whoever leads; returns what became of it. */
  public Sink.Result test(AlertRoute route, String actor) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
    Incident test = new Incident(0, "tern", "test", "info", "Test alert from Tern, sent by " + actor
        + " to route " + route.name() + "; nothing is wrong", now, Optional.empty(), Optional.empty(), List.of(), List.of(),
        List.of(), Optional.empty(), 0, List.of(), List.of());
    Optional<LeaderStamp> sender = leader();
    Sink.Result result = route.sink().send(new Alert(Alert.Event.TRIGGER, test, "tern-test-" + now.toEpochMilli(),
        test.summary(), settings.consoleUrl().replaceAll("/+$", "") + "/#/alerts", now, sender));
    if (result instanceof Sink.Delivered && route.sinkKind().equals("alertmanager")) {
      route.sink().send(new Alert(Alert.Event.RESOLVE, new Incident(0, "tern", "test", "info", test.summary(), now,
          Optional.empty(), Optional.of(now), List.of(), List.of(), List.of(), Optional.empty(), 0, List.of(), List.of()),
          "tern-test-" + now.toEpochMilli(), test.summary(), settings.consoleUrl(), now, sender));
    }
    return result;
  }

  /** This node and the term it leads, if it leads. */
  private Optional<LeaderStamp> leader() {
    OptionalLong term = node.leadingTerm();
    return term.isPresent() ? Optional.of(new LeaderStamp(node.nodeId(), term.getAsLong())) : Optional.empty();
  }

  private void loop() {
    while (!closed) {
      Optional<LeaderStamp> leader = leader();
      if (leader.isPresent()) {
        try {
          round(leader.get(), clock.instant());
        } catch (RuntimeException e) {
          LOG.warning(() -> "notifier round failed: " + e);
        }
      }
      try {
        Thread.sleep(TICK);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void round(LeaderStamp leader, Instant now) {
    for (Incident incident : node.state().incidents()) {
      if (incident.open()) {
        clearedFor(incident, now).ifPresent(why -> submit(new Command.ResolveIncident(ACTOR, now.truncatedTo(ChronoUnit.MILLIS),
            incident.id(), why)));
      }
    }
    for (AlertRoute route : settings.routes()) {
      if (busy.getOrDefault(route.name(), false)) {
        continue;
      }
      nextJob(route, now).ifPresent(job -> {
        busy.put(route.name(), true);
        Thread.ofVirtual().name("notify-" + route.name()).start(() -> {
          try {
            deliver(leader, route, job.incident(), job.event(), job.resend(), now);
          } finally {
            busy.put(route.name(), false);
          }
        });
      });
    }
  }

  private record Job(Incident incident, Alert.Event event, boolean resend) {}

  /** The oldest thing {@code route} still owes: a trigger, a resolve, or a firing alert to send again. */
  private Optional<Job> nextJob(AlertRoute route, Instant now) {
    for (Incident i : node.state().incidents()) {
      if (!route.takes(i.kind(), i.service(), i.chaosRun().isPresent())) {
        continue;
      }
      boolean triggered = i.delivered(route.name(), "trigger");
      Alert.Event event;
      if (!triggered) {
        if (!i.open() && i.deliveries().stream().noneMatch(d -> d.route().equals(route.name()))
            && i.resolvedAt().orElseThrow().isBefore(now.minus(Duration.ofHours(1)))) {
          continue; // Resolved long before this route existed (or before the cluster could tell it).
        }
        event = Alert.Event.TRIGGER;
      } else if (!i.open() && !i.delivered(route.name(), "resolve")) {
        event = Alert.Event.RESOLVE;
      } else if (i.open() && route.sinkKind().equals("alertmanager")
          && !lastSent.getOrDefault(key(i, route, "trigger"), Instant.EPOCH).isAfter(now.minus(route.resend()))) {
        return Optional.of(new Job(i, Alert.Event.TRIGGER, true));
      } else {
        continue;
      }
      Backoff b = backoff.get(key(i, route, eventName(event)));
      if (b != null && (b.gaveUp() || b.next().isAfter(now))) {
        continue;
      }
      return Optional.of(new Job(i, event, false));
    }
    return Optional.empty();
  }

  private void deliver(LeaderStamp leader, AlertRoute route, Incident incident, Alert.Event event, boolean resend,
      Instant now) {
    if (!node.leadingTerm().equals(OptionalLong.of(leader.term()))) {
      return; // No longer the leader of the round's term: the next leader sends what is owed.
    }
    String name = eventName(event);
    String key = key(incident, route, name);
    Sink.Result result = route.sink().send(Alert.of(event, incident, settings.consoleUrl(), now).sentBy(leader));
    String outcome = switch (result) {
      case Sink.Delivered d -> "delivered";
      case Sink.Retry r -> "retrying";
      case Sink.Failed f -> "failed";
    };
    Counter.builder("tern.alert.deliveries").description("Deliveries to alerting routes, by outcome")
        .tag("route", route.name()).tag("event", name).tag("outcome", outcome).register(metrics).increment();
    AtomicInteger failures = consecutiveFailures.computeIfAbsent(route.name(), k -> new AtomicInteger());
    switch (result) {
      case Sink.Delivered d -> {
        if (failures.getAndSet(0) >= FAILING_AFTER) {
          tellOthers(leader, route, Alert.Event.RESOLVE, "alerting route " + route.name() + " delivers again", now);
        }
        backoff.remove(key);
        lastSent.put(key, now);
        if (!resend) {
          submit(new Command.RecordDelivery(ACTOR, now.truncatedTo(ChronoUnit.MILLIS), incident.id(), route.name(), name,
              "delivered"));
        }
      }
      case Sink.Retry r -> {
        if (failures.incrementAndGet() == FAILING_AFTER) {
          tellOthers(leader, route, Alert.Event.TRIGGER, "alerting route " + route.name() + " is failing: " + r.why(), now);
        }
        int attempts = Optional.ofNullable(backoff.get(key)).map(Backoff::attempts).orElse(0) + 1;
        Duration wait = Duration.ofSeconds(1L << Math.min(6, attempts - 1));
        wait = wait.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : wait;
        wait = r.after().compareTo(wait) > 0 ? r.after() : wait;
        backoff.put(key, new Backoff(now.plus(wait), attempts, false));
        LOG.warning(() -> "incident " + incident.id() + " " + name + ": " + r.why() + "; attempt " + attempts);
        if (!resend && (attempts == 1 || attempts % 10 == 0)) {
          submit(new Command.RecordDelivery(ACTOR, now.truncatedTo(ChronoUnit.MILLIS), incident.id(), route.name(), name,
              "failed, retrying: " + r.why()));
        }
      }
      case Sink.Failed f -> {
        if (failures.incrementAndGet() == FAILING_AFTER) {
          tellOthers(leader, route, Alert.Event.TRIGGER, "alerting route " + route.name() + " is failing: " + f.why(), now);
        }
        backoff.put(key, new Backoff(now, 1, true));
        LOG.warning(() -> "incident " + incident.id() + " " + name + " not delivered: " + f.why() + "; not retried");
        if (!resend) {
          submit(new Command.RecordDelivery(ACTOR, now.truncatedTo(ChronoUnit.MILLIS), incident.id(), route.name(), name,
              "failed: " + f.why()));
        }
      }
    }
  }

  /**
   * Tells every other route that is not failing itself that {@code failing} fails (or delivers
   * again), once per change: a page that cannot get through must not go unnoticed.
   */
  private void tellOthers(LeaderStamp leader, AlertRoute failing, Alert.Event event, String summary, Instant now) {
    Incident notice = new Incident(0, "tern", "route-failing", "critical", summary, now, Optional.empty(),
        event == Alert.Event.RESOLVE ? Optional.of(now) : Optional.empty(), List.of(), List.of(), List.of(),
        Optional.empty(), 0, List.of(), List.of());
    for (AlertRoute other : settings.routes()) {
      if (other != failing && consecutiveFailures.getOrDefault(other.name(), new AtomicInteger()).get() < FAILING_AFTER) {
        Sink.Result r = other.sink().send(new Alert(event, notice, "tern-route-failing-" + failing.name(),
            (event == Alert.Event.RESOLVE ? "Resolved: " : "") + summary, settings.consoleUrl().replaceAll("/+$", "")
                + "/#/alerts", now, Optional.of(leader)));
        LOG.info(() -> "told route " + other.name() + " that " + failing.name() + (event == Alert.Event.RESOLVE
            ? " delivers again" : " is failing") + ": " + r.getClass().getSimpleName());
      }
    }
  }

  /**
   * Why the incident's condition has cleared, if it has, for long enough: every backend that
   * failed in the episode HEALTHY for the service's failback delay, no zone failing open or
   * answered with nothing, a verdict for some backend (not blind).
   */
  Optional<String> clearedFor(Incident incident, Instant now) {
    if (incident.kind().equals("provider-sync")) {
      return providers.synced(incident.service());
    }
    if (incident.kind().equals("leader-churn")) {
      List<Instant> terms = node.state().recentTerms();
      Instant last = terms.isEmpty() ? Instant.EPOCH : terms.getLast();
      return last.isBefore(now.minus(ReplicatedState.LEADER_CHURN_WINDOW))
          ? Optional.of("no leader change for " + ReplicatedState.LEADER_CHURN_WINDOW.toMinutes() + " minutes")
          : Optional.empty();
    }
    Optional<ServiceState> s = node.state().service(incident.service());
    if (s.isEmpty()) {
      return Optional.of("the service is gone");
    }
    Duration hold = s.get().model().health().failbackDelay();
    for (String backend : incident.failed()) {
      if (s.get().model().backend(backend).isEmpty()) {
        continue;
      }
      VerdictRecord v = s.get().verdicts().get(backend);
      if (v == null || v.health() != Health.HEALTHY || v.since().isAfter(now.minus(hold))) {
        return Optional.empty();
      }
    }
    boolean zonesOk = s.get().plan().map(p -> p.zones().stream().allMatch(z -> z.mode() == ZoneAnswer.Mode.NORMAL))
        .orElse(true);
    boolean seeing = s.get().verdicts().values().stream().anyMatch(v -> v.health() != Health.UNKNOWN);
    if (!zonesOk || !seeing) {
      return Optional.empty();
    }
    List<String> parts = new ArrayList<>();
    if (!incident.failed().isEmpty()) {
      parts.add(String.join(", ", incident.failed()) + " HEALTHY again for " + hold.toSeconds() + " s");
    }
    parts.add("every zone answered normally");
    return Optional.of(String.join("; ", parts));
  }

  private void submit(Command command) {
    try {
      node.submit(command, COMMIT_TIMEOUT).join();
    } catch (RuntimeException e) {
      LOG.warning(() -> command.getClass().getSimpleName() + " not committed: " + e.getMessage());
    }
  }

  private static String key(Incident i, AlertRoute r, String event) {
    return i.id() + "/" + r.name() + "/" + event;
  }

  private static String eventName(Alert.Event e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  @PreDestroy
  @Override
  public void close() {
    closed = true;
  }
}
