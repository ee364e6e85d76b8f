package dev.tern.controlplane.campaign;

import dev.tern.controlplane.campaign.History.Outcome;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fault campaign: three control-plane processes, clients writing policies and drains to any node, and a nemesis
 * that kills, pauses, restarts, cuts off and slows down nodes and changes the membership, round after round. After
 * every round the cluster must elect a leader, converge (every member the same applied index, the same member list
 * and the same registers) and hold, in every register, a value the {@link History} allows: no acknowledged write lost.
 * Throughout, no two nodes may lead in the same term.
 *
 * <p>Run it for longer with {@code ./mvnw -pl controlplane -am verify -Dtest=FaultCampaignTest
 * -Dtern.campaign.rounds=500} (docs/reliability.md).
 */
final class FaultCampaign {

  /** What the nemesis does in one round. */
  enum Fault {
    KILL_LEADER,
    KILL_FOLLOWER,
    PAUSE_LEADER,
    PAUSE_FOLLOWER,
    KILL_LEADER_THEN_NEW_LEADER,
    RESTART_ALL,
    ADD_MEMBER_THEN_KILL_LEADER,
    PARTITION_LEADER(true),
    PARTITION_FOLLOWER(true),
    PARTITION_BRIDGE(true),
    FLAKY_LINK(true);

    /** Whether the fault needs the campaign's network namespace. */
    final boolean network;

    Fault() {
      this(false);
    }

    Fault(boolean network) {
      this.network = network;
    }

    /** Whether a majority of the members stays up and connected throughout. */
    boolean keepsMajority() {
      return this != KILL_LEADER_THEN_NEW_LEADER && this != RESTART_ALL;
    }
  }

  /** The campaign's outcome: rounds per fault, operations, anomalies, and timings. */
  record Report(int rounds, Map<Fault, Integer> faults, long acknowledged, long refused, long indeterminate,
      List<String> anomalies, List<Duration> recoveries, List<Duration> boots, int membershipChanges,
      List<Effects.Episode> failovers, int failoversSkipped, int pages, int duplicatePages, long unverifiedPages,
      int plansChecked, long unverifiedPlans, int chaosRuns, List<String> chaosRefusals, int termsRecorded,
      Duration took) {
    // recoveries: from the heal (a partition healed, a paused node resumed, a restarted one answering HTTP again)
    // to a member answering as leader; boots: from a restart to the node answering HTTP

    static Duration percentile(List<Duration> durations, double p) {
      if (durations.isEmpty()) {
        return Duration.ZERO;
      }
      List<Duration> sorted = new ArrayList<>(durations);
      Collections.sort(sorted);
      return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(p * sorted.size()) - 1));
    }

    Duration recoveryPercentile(double p) {
      return percentile(recoveries, p);
    }

    @Override
    public String toString() {
      return rounds + " rounds " + faults + "; writes acknowledged " + acknowledged + ", refused " + refused
          + ", indeterminate " + indeterminate + "; a leader after the heal: median "
          + recoveryPercentile(0.5).toMillis() + " ms, p99 " + recoveryPercentile(0.99).toMillis() + " ms, max "
          + recoveryPercentile(1.0).toMillis() + " ms; a restarted node answering: median "
          + percentile(boots, 0.5).toMillis() + " ms, max " + percentile(boots, 1.0).toMillis() + " ms; membership "
          + "changes committed " + membershipChanges + "; failovers " + failovers.size() + " (skipped "
          + failoversSkipped + ", the plan not back on the primary): failover median "
          + percentile(failovers.stream().flatMap(e -> e.moved().map(m -> Duration.between(e.from(), m)).stream())
              .toList(), 0.5).toMillis() + " ms, max "
          + percentile(failovers.stream().flatMap(e -> e.moved().map(m -> Duration.between(e.from(), m)).stream())
              .toList(), 1.0).toMillis() + " ms, page median "
          + percentile(failovers.stream().flatMap(e -> e.paged().map(m -> Duration.between(e.from(), m)).stream())
              .toList(), 0.5).toMillis() + " ms, max "
          + percentile(failovers.stream().flatMap(e -> e.paged().map(m -> Duration.between(e.from(), m)).stream())
              .toList(), 1.0).toMillis() + " ms; pages " + pages + " (delivered twice " + duplicatePages
          + ", term not recorded " + unverifiedPages + "); plan changes checked " + plansChecked
          + " (term not recorded " + unverifiedPlans + "); chaos runs " + chaosRuns + " (refused "
          + chaosRefusals.size() + (chaosRefusals.isEmpty() ? "" : ": " + chaosRefusals) + "); terms recorded "
          + termsRecorded + "; took "
          + took.toSeconds() + " s; anomalies "
          + anomalies.size() + (anomalies.isEmpty() ? "" : ": " + anomalies);
    }
  }

  static final List<String> SERVICES = List.of("c0", "c1", "c2");
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration CONVERGE_WITHIN = Duration.ofSeconds(30);
  private static final Duration LEADER_WITHIN = Duration.ofSeconds(30);
  private static final Duration BOOT_WITHIN = Duration.ofSeconds(90);
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();
  private static final Pattern CHECK_PATH = Pattern.compile("path: (/healthz/[0-9]+)");

  private final CampaignCluster cluster;
  private final Effects effects;
  private final Random random;
  private final History history = new History();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicBoolean writing = new AtomicBoolean();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final List<String> anomalies = Collections.synchronizedList(new ArrayList<>());
  /** Which node each node said led, per term: two for one term is an anomaly. */
  private final Map<Long, String> leaders = new HashMap<>();
  private final List<Duration> boots = Collections.synchronizedList(new ArrayList<>());
  private final List<Fault> deck = new ArrayList<>();
  private final Set<Fault> only;
  private final java.util.Set<String> reported = new java.util.HashSet<>();
  /** Term leaders as the cluster recorded them, kept beyond the cluster's own window. */
  private final Map<Long, String> recorded = new HashMap<>();
  private final java.util.Set<Long> checkedPlans = new java.util.HashSet<>();
  private final java.util.Set<String> checkedRuns = new java.util.HashSet<>();
  private long unverifiedPlans;
  private int membershipChanges;
  private volatile boolean closed;

  FaultCampaign(CampaignCluster cluster, Effects effects, long seed) {
    this(cluster, effects, seed, EnumSet.allOf(Fault.class));
  }

  /** A campaign that injects only {@code faults} (those that need the namespace only if it has one). */
  FaultCampaign(CampaignCluster cluster, Effects effects, long seed, Set<Fault> faults) {
    if (faults.isEmpty()) {
      throw new IllegalArgumentException("give at least one fault");
    }
    this.cluster = cluster;
    this.effects = effects;
    this.random = new Random(seed);
    this.only = EnumSet.copyOf(faults);
  }

  /**
   * The faults named in {@code list}, comma-separated ({@code PARTITION_LEADER,FLAKY_LINK}); every fault when it is
   * blank.
   */
  static Set<Fault> faults(String list) {
    if (list == null || list.isBlank()) {
      return EnumSet.allOf(Fault.class);
    }
    Set<Fault> out = EnumSet.noneOf(Fault.class);
    for (String name : list.split(",")) {
      try {
        out.add(Fault.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("unknown fault '" + name.trim() + "'; the faults are "
            + Arrays.toString(Fault.values()), e);
      }
    }
    return out;
  }

  /** Runs {@code rounds} rounds; {@code progress} hears one line per round. */
  Report run(int rounds, java.util.function.Consumer<String> progress) throws Exception {
    Instant began = Instant.now();
    for (int i : cluster.members()) {
      cluster.start(i);
    }
    if (cluster.awaitLeader(Duration.ofSeconds(60)).isEmpty()) {
      throw new IllegalStateException("the cluster elected no leader within 60 s:\n" + cluster.logTail(0, 40));
    }
    for (String s : SERVICES) {
      createService(s, effects.writerPolicy(s, initial(s + "/check")));
    }
    createService(Effects.SERVICE, effects.policy());
    effects.startProbes(random.nextLong());
    Thread watcher = Thread.ofVirtual().name("campaign-leaders").start(this::watchLeaders);
    List<Thread> clients = new ArrayList<>();
    for (int c = 0; c < 3; c++) {
      long clientSeed = random.nextLong();
      clients.add(Thread.ofVirtual().name("campaign-client-" + c).start(() -> client(new Random(clientSeed))));
    }
    Map<Fault, Integer> faults = new EnumMap<>(Fault.class);
    List<Duration> recoveries = new ArrayList<>();
    try {
      for (int r = 1; r <= rounds; r++) {
        Fault fault = nextFault();
        faults.merge(fault, 1, Integer::sum);
        int before = anomalies.size();
        writing.set(true);
        Thread.sleep(500 + random.nextInt(500));
        // Every other round, so that the failback of one is over before the next failure; every second one of those
        // through a chaos run.
        Instant failed = r % 2 == 0 ? null
            : effects.failPrimary(r % 4 == 1 ? Effects.Failure.BACKEND : Effects.Failure.CHAOS).orElse(null);
        Instant healed = inject(r, fault);
        Optional<Integer> leader = cluster.awaitLeader(LEADER_WITHIN);
        if (leader.isPresent()) {
          recoveries.add(Duration.between(healed, Instant.now()));
        } else {
          anomalies.add("round " + r + " (" + fault + "): no leader within " + LEADER_WITHIN.toSeconds()
              + " s of the heal");
        }
        if (failed != null) {
          int round = r;
          effects.awaitFailover(r, failed, fault.keepsMajority() ? failed : healed)
              .ifPresent(missed -> anomalies.add("round " + round + " (" + fault + "): " + missed));
        }
        Thread.sleep(500);
        writing.set(false);
        quiesce();
        settleMembership(r, fault);
        Optional<Duration> converged = converge(r, fault);
        checkStamps(r, fault);
        progress.accept("round " + r + "/" + rounds + " " + fault + ": leader " + leader.map(CampaignCluster::id)
            .orElse("none") + ", converged " + converged.map(d -> d.toMillis() + " ms").orElse("NO") + ", writes ok "
            + history.count(Outcome.OK) + (anomalies.size() > before ? ", ANOMALY " + anomalies.getLast() : ""));
        if (r % 50 == 0 && r < rounds) {
          // A long run reports as it goes: what it has shown so far stands even if it is stopped.
          progress.accept("after round " + r + ": " + report(r, faults, recoveries, began));
        }
      }
    } finally {
      writing.set(false);
      closed = true;
      for (Thread t : clients) {
        t.join(Duration.ofSeconds(10));
      }
      watcher.join(Duration.ofSeconds(5));
    }
    return report(rounds, faults, recoveries, began);
  }

  private Report report(int rounds, Map<Fault, Integer> faults, List<Duration> recoveries, Instant began) {
    return new Report(rounds, new EnumMap<>(faults), history.count(Outcome.OK), history.count(Outcome.FAIL),
        history.count(Outcome.INFO), List.copyOf(anomalies), List.copyOf(recoveries), List.copyOf(boots),
        membershipChanges, effects.episodes(), effects.skipped(), effects.pageCount(), effects.duplicates(),
        effects.unverifiedPages(termLeaders()), checkedPlans.size(), unverifiedPlans, effects.chaosRuns(),
        effects.chaosRefusals(), recorded.size(), Duration.between(began, Instant.now()));
  }

  /**
   * Checks who acted in which term. The cluster's record of term leaders must agree with the leaders the campaign
   * saw; every plan change must name the node and term that decided it, and that node must have led that term; so
   * must every page's sender (and the page be signed with the route's secret).
   */
  private void checkStamps(int round, Fault fault) {
    String at = "round " + round + " (" + fault + "): ";
    Optional<Integer> leader = cluster.members().stream().filter(i -> cluster.status(i).map(
        CampaignCluster.Status::leader).orElse(false)).findFirst();
    if (leader.isEmpty()) {
      return;
    }
    cluster.status(leader.get()).ifPresent(s -> s.termLeaders().forEach((term, node) -> {
      String before = recorded.putIfAbsent(term, node);
      if (before != null && !before.equals(node)) {
        report(at + "the cluster recorded " + node + " as leader of term " + term + ", after " + before);
      }
    }));
    synchronized (leaders) {
      recorded.forEach((term, node) -> {
        String seen = leaders.get(term);
        if (seen != null && !seen.equals(node)) {
          report(at + "the cluster recorded " + node + " as leader of term " + term + ", but " + seen + " led it");
        }
      });
    }
    Map<Long, String> termLeaders = termLeaders();
    for (String path : List.of("/api/v1/timeline?service=" + Effects.SERVICE + "&limit=1000",
        "/api/v1/timeline?limit=1000")) {
      for (com.fasterxml.jackson.databind.JsonNode change : cluster.get(leader.get(), path).map(FaultCampaign::json)
          .orElse(JSON.createArrayNode())) {
        if (!checkedPlans.add(change.path("sequence").asLong())) {
          continue;
        }
        com.fasterxml.jackson.databind.JsonNode by = change.path("decidedBy");
        String what = "plan change " + change.path("sequence").asLong() + " of " + change.path("service").asText();
        if (!by.isObject()) {
          report(at + what + " does not name the node that decided it");
          continue;
        }
        String led = termLeaders.get(by.path("term").asLong());
        if (led == null) {
          unverifiedPlans++;
        } else if (!led.equals(by.path("node").asText())) {
          report(at + what + " was decided by " + by.path("node").asText() + " in term " + by.path("term").asLong()
              + ", which " + led + " led");
        }
      }
    }
    effects.wrongPages(termLeaders).forEach(wrong -> report(at + wrong));
    for (com.fasterxml.jackson.databind.JsonNode run : cluster.get(leader.get(), "/api/v1/chaos/runs")
        .map(FaultCampaign::json).orElse(JSON.createArrayNode())) {
      String id = run.path("id").asText();
      if (!checkedRuns.add(id)) {
        continue;
      }
      com.fasterxml.jackson.databind.JsonNode by = run.path("startedBy");
      String led = termLeaders.get(by.path("term").asLong());
      if (!by.isObject()) {
        report(at + "chaos run " + id + " does not name the node that started it");
      } else if (led != null && !led.equals(by.path("node").asText())) {
        report(at + "chaos run " + id + " was started by " + by.path("node").asText() + " in term "
            + by.path("term").asLong() + ", which " + led + " led");
      }
    }
  }

  private void report(String anomaly) {
    if (reported.add(anomaly.substring(anomaly.indexOf("): ") + 3))) {
      anomalies.add(anomaly);
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Who led each term: as the cluster recorded it, and as the campaign saw it. */
  private Map<Long, String> termLeaders() {
    Map<Long, String> all = new HashMap<>(recorded);
    synchronized (leaders) {
      leaders.forEach(all::putIfAbsent);
    }
    return all;
  }

  /** The faults in a shuffled order, every one of them once before any comes again. */
  private Fault nextFault() {
    if (deck.isEmpty()) {
      for (Fault f : only) {
        if (!f.network || cluster.network().isPresent()) {
          deck.add(f);
        }
      }
      Collections.shuffle(deck, random);
    }
    return deck.removeFirst();
  }

  /**
   * Injects {@code fault}, holds it, heals it; returns when the heal was done: a partition lifted, a paused node
   * resumed, restarted nodes answering HTTP again (their boot time is reported apart).
   */
  private Instant inject(int round, Fault fault) throws Exception {
    List<Integer> members = cluster.members();
    int leader = cluster.awaitLeader(Duration.ofSeconds(30)).orElse(members.get(random.nextInt(members.size())));
    List<Integer> others = members.stream().filter(m -> m != leader).toList();
    int follower = others.get(random.nextInt(others.size()));
    switch (fault) {
      case KILL_LEADER -> {
        cluster.kill(leader);
        Thread.sleep(hold(500, 2000));
        return restart(round, List.of(leader));
      }
      case KILL_FOLLOWER -> {
        cluster.kill(follower);
        Thread.sleep(hold(500, 2000));
        return restart(round, List.of(follower));
      }
      case PAUSE_LEADER, PAUSE_FOLLOWER -> {
        int target = fault == Fault.PAUSE_LEADER ? leader : follower;
        cluster.pause(target);
        // Across the 4 s failure timeout: some pauses depose the leader, some do not.
        Thread.sleep(hold(1000, 7000));
        cluster.resume(target);
        return Instant.now();
      }
      case KILL_LEADER_THEN_NEW_LEADER -> {
        cluster.kill(leader);
        Optional<Integer> next = cluster.awaitLeader(Duration.ofSeconds(10));
        if (next.isPresent()) {
          cluster.kill(next.get());
        }
        // One node of three is left: no majority, no write may be acknowledged.
        Thread.sleep(hold(500, 2000));
        List<Integer> killed = new ArrayList<>(List.of(leader));
        next.filter(n -> n != leader).ifPresent(killed::add);
        return restart(round, killed);
      }
      case RESTART_ALL -> {
        for (int i : members) {
          cluster.kill(i);
        }
        Thread.sleep(hold(200, 1000));
        return restart(round, members);
      }
      case ADD_MEMBER_THEN_KILL_LEADER -> {
        return addMemberThenKillLeader(round, leader);
      }
      case PARTITION_LEADER, PARTITION_FOLLOWER -> {
        // One node cut off from the others: a minority of one and a majority of the rest.
        int alone = fault == Fault.PARTITION_LEADER ? leader : follower;
        for (int m : members) {
          if (m != alone) {
            cluster.network().orElseThrow().cut(alone, m);
          }
        }
        return healAfter(hold(2000, 8000));
      }
      case PARTITION_BRIDGE -> {
        // The leader and one follower cannot reach each other; the third member reaches both.
        cluster.network().orElseThrow().cut(leader, follower);
        return healAfter(hold(2000, 8000));
      }
      case FLAKY_LINK -> {
        cluster.network().orElseThrow().slow(leader, follower);
        return healAfter(hold(2000, 8000));
      }
    }
    throw new IllegalArgumentException(fault.name());
  }

  private Instant healAfter(long millis) throws Exception {
    Thread.sleep(millis);
    cluster.network().orElseThrow().heal();
    return Instant.now();
  }

  /** Starts {@code nodes} again and waits until they answer HTTP; then is the heal. */
  private Instant restart(int round, List<Integer> nodes) throws Exception {
    Instant started = Instant.now();
    for (int n : nodes) {
      cluster.start(n);
    }
    if (cluster.awaitUp(nodes, BOOT_WITHIN)) {
      boots.add(Duration.between(started, Instant.now()));
    } else {
      anomalies.add("round " + round + ": " + nodes.stream().map(CampaignCluster::id).toList()
          + " did not answer within " + BOOT_WITHIN.toSeconds() + " s of a restart");
    }
    return Instant.now();
  }

  /**
   * A membership change followed by a leader crash: the spare node starts, the leader adds it, and the leader is
   * killed at once, before anything else reaches the followers; it restarts 0.5 to 2 s later. Whether the change
   * survived is read back from the cluster in {@link #settleMembership}.
   */
  private Instant addMemberThenKillLeader(int round, int leader) throws Exception {
    int spare = cluster.spare();
    cluster.wipe(spare);
    cluster.start(spare);
    if (!cluster.awaitUp(List.of(spare), BOOT_WITHIN)) {
      anomalies.add("round " + round + ": the spare " + CampaignCluster.id(spare) + " did not answer within "
          + BOOT_WITHIN.toSeconds() + " s");
    }
    try {
      HttpResponse<String> r = cluster.send(leader, "POST", "/api/v1/cluster/members?id=" + CampaignCluster.id(spare)
          + "&reason=campaign", null, null, Duration.ofSeconds(12));
      if (r.statusCode() == 200) {
        membershipChanges++;
        List<Integer> now = new ArrayList<>(cluster.members());
        now.add(spare);
        cluster.members(now);
      }
    } catch (IOException e) {
      // indeterminate: settleMembership reads what the cluster decided
    }
    cluster.kill(leader);
    Thread.sleep(hold(500, 2000));
    return restart(round, List.of(leader));
  }

  /**
   * Learns the member list from the leader, stops and wipes a node that is no longer a member, and brings a cluster
   * of four back to three by removing a follower that is not the node just added.
   */
  private void settleMembership(int round, Fault fault) throws Exception {
    Optional<Integer> leader = cluster.awaitLeader(LEADER_WITHIN);
    if (leader.isEmpty()) {
      return;
    }
    Optional<CampaignCluster.Status> status = cluster.status(leader.get());
    if (status.isEmpty()) {
      return;
    }
    List<Integer> members = status.get().members().stream().map(CampaignCluster::slot).sorted().toList();
    if (!members.equals(cluster.members())) {
      // a change whose answer was lost (or a refused one that committed after all)
      membershipChanges++;
    }
    cluster.members(members);
    if (members.size() > CampaignCluster.SLOTS - 1) {
      int added = fault == Fault.ADD_MEMBER_THEN_KILL_LEADER ? members.getLast() : -1;
      List<Integer> removable = members.stream().filter(m -> m != leader.get() && m != added).toList();
      int leaving = removable.get(random.nextInt(removable.size()));
      try {
        HttpResponse<String> r = cluster.send(leader.get(), "DELETE", "/api/v1/cluster/members/"
            + CampaignCluster.id(leaving) + "?reason=campaign", null, null, Duration.ofSeconds(12));
        if (r.statusCode() == 200) {
          membershipChanges++;
          cluster.members(members.stream().filter(m -> m != leaving).toList());
        }
      } catch (IOException e) {
        // indeterminate: the next round reads the member list again
      }
    }
    for (int i = 0; i < CampaignCluster.SLOTS; i++) {
      if (!cluster.members().contains(i) && cluster.running(i)) {
        cluster.kill(i);
        cluster.wipe(i);
      }
    }
  }

  private long hold(int min, int max) {
    return min + random.nextInt(max - min);
  }

  /** Waits for in-flight writes to be answered or to time out. */
  private void quiesce() throws InterruptedException {
    Instant deadline = Instant.now().plus(WRITE_TIMEOUT).plusSeconds(2);
    while (inFlight.get() > 0 && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
  }

  /** One node's registers and applied index. */
  private record Snapshot(long lastApplied, List<String> members, Map<String, String> registers) {}

  /** Waits until every node holds the same registers at the same applied index, then checks them. */
  private Optional<Duration> converge(int round, Fault fault) throws InterruptedException {
    Instant start = Instant.now();
    Instant deadline = start.plus(CONVERGE_WITHIN);
    List<Optional<Snapshot>> last = List.of();
    while (Instant.now().isBefore(deadline)) {
      List<Optional<Snapshot>> now = new ArrayList<>();
      for (int i : cluster.members()) {
        now.add(snapshot(i));
      }
      last = now;
      if (now.stream().allMatch(Optional::isPresent)
          && now.stream().map(Optional::get).distinct().count() == 1) {
        Duration took = Duration.between(start, Instant.now());
        Snapshot agreed = now.getFirst().get();
        agreed.registers().forEach((register, value) -> history.check(register, value, initial(register))
            .ifPresent(why -> anomalies.add("round " + round + " (" + fault + "): " + why)));
        return Optional.of(took);
      }
      Thread.sleep(200);
    }
    anomalies.add("round " + round + " (" + fault + "): nodes did not converge within " + CONVERGE_WITHIN.toSeconds()
        + " s: " + last);
    // The leader holds every committed entry, and the writes have quiesced: a lagging follower explains a missed
    // convergence, but not a leader without an acknowledged write.
    Optional<Integer> leader = cluster.awaitLeader(Duration.ofSeconds(5));
    leader.flatMap(this::snapshot).ifPresent(held -> held.registers().forEach((register, value) ->
        history.check(register, value, initial(register)).ifPresent(why -> anomalies.add("round " + round + " ("
            + fault + "): on the leader " + CampaignCluster.id(leader.get()) + ", " + why))));
    return Optional.empty();
  }

  private static String initial(String register) {
    return register.endsWith("/drain") ? "undrained" : "/healthz/0";
  }

  private Optional<Snapshot> snapshot(int i) {
    Optional<CampaignCluster.Status> status = cluster.status(i);
    if (status.isEmpty()) {
      return Optional.empty();
    }
    Map<String, String> registers = new java.util.TreeMap<>();
    for (String s : SERVICES) {
      Optional<String> detail = cluster.get(i, "/api/v1/services/" + s);
      Optional<String> backends = cluster.get(i, "/api/v1/services/" + s + "/backends");
      if (detail.isEmpty() || backends.isEmpty()) {
        return Optional.empty();
      }
      Matcher m = CHECK_PATH.matcher(detail.get());
      registers.put(s + "/check", m.find() ? m.group(1) : "missing");
      registers.put(s + "/drain", drained(backends.get(), "b") ? "drained" : "undrained");
    }
    // Read the index after the registers: if it moved meanwhile, the next pass sees a difference.
    Optional<CampaignCluster.Status> after = cluster.status(i);
    if (after.isEmpty() || after.get().lastApplied() != status.get().lastApplied()) {
      return Optional.empty();
    }
    return Optional.of(new Snapshot(status.get().lastApplied(), status.get().members(), registers));
  }

  private static boolean drained(String backendsJson, String backend) {
    try {
      for (com.fasterxml.jackson.databind.JsonNode b : JSON.readTree(backendsJson)) {
        if (b.path("name").asText().equals(backend)) {
          return b.hasNonNull("drain");
        }
      }
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private void watchLeaders() {
    while (!closed) {
      for (int i = 0; i < CampaignCluster.SLOTS; i++) {
        cluster.status(i).filter(CampaignCluster.Status::leader).ifPresent(s -> {
          synchronized (leaders) {
            String before = leaders.putIfAbsent(s.term(), s.node());
            if (before != null && !before.equals(s.node())) {
              anomalies.add("two leaders in term " + s.term() + ": " + before + " and " + s.node());
            }
          }
        });
      }
      try {
        Thread.sleep(150);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  private void createService(String name, String yaml) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    String last = "";
    while (Instant.now().isBefore(deadline)) {
      int node = cluster.awaitLeader(Duration.ofSeconds(10)).orElse(0);
      try {
        HttpResponse<String> r = cluster.send(node, "PUT", "/api/v1/services/" + name + "?reason=campaign",
            "application/yaml", yaml, WRITE_TIMEOUT);
        if (r.statusCode() == 200) {
          return;
        }
        last = "HTTP " + r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = CampaignCluster.id(node) + ": " + e;
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException("could not create service " + name + ": " + last);
  }


  /** One client: writes policies and drains to random nodes while the round lets it. */
  private void client(Random r) {
    while (!closed) {
      if (!writing.get()) {
        sleep(20);
        continue;
      }
      String service = SERVICES.get(r.nextInt(SERVICES.size()));
      List<Integer> members = cluster.members();
      int node = members.get(r.nextInt(members.size()));
      long n = seq.incrementAndGet();
      inFlight.incrementAndGet();
      try {
        if (r.nextInt(10) < 7) {
          String path = "/healthz/" + n;
          write(n, service + "/check", path, node, "PUT", "/api/v1/services/" + service + "?reason=campaign",
              "application/yaml", effects.writerPolicy(service, path));
        } else {
          boolean drain = r.nextBoolean();
          write(n, service + "/drain", drain ? "drained" : "undrained", node, drain ? "PUT" : "DELETE",
              "/api/v1/services/" + service + "/backends/b/drain?reason=campaign-" + n, null, null);
        }
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  private void write(long n, String register, String value, int node, String method, String path,
      String contentType, String body) {
    Instant invoked = Instant.now();
    Outcome outcome;
    String detail;
    try {
      HttpResponse<String> response = cluster.send(node, method, path, contentType, body, WRITE_TIMEOUT);
      int code = response.statusCode();
      outcome = code == 200 ? Outcome.OK : code >= 400 && code < 500 && code != 408 ? Outcome.FAIL : Outcome.INFO;
      detail = "HTTP " + code;
    } catch (ConnectException e) {
      outcome = Outcome.FAIL; // nothing reached the node
      detail = "connection refused";
    } catch (IOException e) {
      outcome = Outcome.INFO;
      detail = e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    history.add(new History.Write(n, register, value, invoked, Instant.now(), outcome, CampaignCluster.id(node),
        detail));
    if (outcome != Outcome.OK) {
      sleep(50); // a client backs off from a node that is down or refusing, as a real one would
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Standalone: {@code FaultCampaign ROUNDS [SEED]} with this module's test classpath; writes to a temp dir. */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 500;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : System.nanoTime();
    Path dir = Files.createTempDirectory("tern-campaign");
    try (CampaignCluster cluster = new CampaignCluster(dir, System.getProperty("java.class.path"),
        CampaignNetwork.create(CampaignCluster.SLOTS)); Effects effects = new Effects(cluster)) {
      Report report = new FaultCampaign(cluster, effects, seed).run(rounds, System.out::println);
      System.out.println("seed " + seed + ": " + report);
      System.exit(report.anomalies().isEmpty() ? 0 : 1);
    }
  }
}
