package dev.tern.controlplane.cluster;

import dev.tern.controlplane.state.ApplyResult;
import dev.tern.controlplane.state.Command;
import dev.tern.controlplane.state.CommandCodec;
import dev.tern.controlplane.state.ReplicatedState;
import dev.tern.controlplane.state.TernStateMachine;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jgroups.Address;
import org.jgroups.JChannel;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.Role;
import org.jgroups.raft.RaftHandle;

/**
 * One member of the Tern cluster: a JGroups channel running Raft over {@link TernStateMachine}.
 *
 * <p>{@link #submit} works on any node: a follower forwards the command to the leader, and the
 * future completes only once the command is committed and applied, with the state machine's
 * answer. It fails with {@link NotCommittedException} when no leader could commit it in time.
 */
public final class RaftNode implements AutoCloseable {

  private static final java.util.logging.Logger LOG = java.util.logging.Logger.getLogger(RaftNode.class.getName());
  /** How long a new leader's first entry may take; it only speeds up commits, so failing it costs nothing. */
  private static final Duration OPEN_TERM_TIMEOUT = Duration.ofSeconds(5);

  /** The command was not committed: no leader, lost leadership, or the deadline passed. Retry. */
  public static final class NotCommittedException extends RuntimeException {
    NotCommittedException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private final ClusterConfig config;
  /** Replaced before each further join attempt, while nothing else holds this node yet. */
  private volatile TernStateMachine stateMachine = new TernStateMachine();
  private final List<Consumer<Command>> appliedListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Boolean>> leadershipListeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.BiConsumer<Command, Duration>> commitListeners = new CopyOnWriteArrayList<>();
  private volatile JChannel channel;
  private volatile RaftHandle raft;
  /**
   * The term this node leads, empty when it does not lead: one immutable value, replaced at each
   * role change, so a reader never pairs "leader" with a term this node did not lead.
   */
  private volatile OptionalLong leading = OptionalLong.empty();

  public RaftNode(ClusterConfig config) {
    this.config = config;
  }

  /** How long a join refused as a duplicate of this node's earlier run is tried again. */
  static final Duration JOIN_RETRY = Duration.ofSeconds(60);

  /**
   * Connects to the cluster; returns once this node's channel is up (a leader may come later).
   *
   * <p>A node restarted moments after a crash may find its earlier run still in the cluster's view
   * (failure detection has not removed it yet): the coordinator refuses the join, as the view would
   * hold two members of one Raft id. That clears once failure detection removes the earlier run, so
   * the join is tried again for up to {@link #JOIN_RETRY}, each attempt on a new channel and a new
   * state machine (a refused attempt has already replayed the log into its own). Attempts are
   * spaced by the failure timeout plus the suspect check and a second: the coordinator may have let
   * a refused attempt into its view all the same (it asked twice, the second time after the earlier
   * run was gone), and an attempt sooner than failure detection removes that one is refused again.
   * Any other failure, and this one past the deadline, is thrown.
   */
  public RaftNode start() throws Exception {
    ClusterConfig.Timing timing = config.timing();
    Duration pause = timing.failureTimeout().plus(timing.suspectVerify()).plusSeconds(1);
    long deadline = System.nanoTime() + JOIN_RETRY.toNanos();
    for (int attempt = 1; ; attempt++) {
      if (attempt > 1) {
        stateMachine = new TernStateMachine();
        appliedListeners.forEach(stateMachine::addListener);
      }
      JChannel ch = ChannelFactory.create(config);
      RaftHandle handle = new RaftHandle(ch, stateMachine);
      handle.addRoleListener(role -> roleChanged(role, handle.raft().currentTerm()));
      try {
        ch.connect(ChannelFactory.clusterName(config));
      } catch (Exception e) {
        ch.close();
        if (!refusedAsDuplicate(e) || System.nanoTime() + pause.toNanos() > deadline) {
          throw e;
        }
        int tried = attempt;
        LOG.warning(() -> config.nodeId() + ": join refused (attempt " + tried + "), an earlier run of this node"
            + " is still in the cluster's view; trying again in " + pause.toMillis() + " ms");
        Thread.sleep(pause.toMillis());
        continue;
      }
      channel = ch;
      raft = handle;
      return this;
    }
  }

  /** NO_DUPES's refusal: the view already holds a member with this node's Raft id. */
  private static boolean refusedAsDuplicate(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("duplicate members")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Called by Raft as the role changes, on the thread that changes it: Raft sets the new term and
   * leader before it tells the listeners, so {@code term} is the term this node was elected for.
   */
  private synchronized void roleChanged(Role role, long term) {
    boolean now = role == Role.Leader;
    OptionalLong was = leading;
    if (now && was.isPresent() && was.getAsLong() != term) {
      // Elected again in a later term without a step down seen in between: a new term all the same.
      leading = OptionalLong.empty();
      leadershipListeners.forEach(l -> l.accept(false));
      was = leading;
    }
    if (now != was.isPresent()) {
      leading = now ? OptionalLong.of(term) : OptionalLong.empty();
      if (now) {
        openTerm(term);
      }
      for (Consumer<Boolean> l : leadershipListeners) {
        l.accept(now);
      }
    }
  }

  /**
   * Commits a no-op entry of the new term, off the role listener's thread, so that everything
   * acknowledged under the previous leader commits now rather than with the next write. A failure
   * only delays that until the next write, so it is logged, not thrown.
   */
  private void openTerm(long term) {
    Thread.ofVirtual().name("tern-open-term").start(() -> {
      try {
        submit(new Command.OpenTerm("raft", java.time.Instant.now(), config.nodeId(), term), OPEN_TERM_TIMEOUT).join();
      } catch (RuntimeException e) {
        LOG.fine(() -> "the new term's first entry was not committed: " + e.getMessage());
      }
    });
  }

  /** Called with {@code true} when this node becomes leader and {@code false} when it stops being one. */
  public void onLeadershipChange(Consumer<Boolean> listener) {
    leadershipListeners.add(listener);
  }

  /** Called on the applying thread after every applied command, on every node. */
  public void onApplied(Consumer<Command> listener) {
    appliedListeners.add(listener);
    stateMachine.addListener(listener);
  }

  /** Called with each command this node submitted and the time until its commit was answered. */
  public void onCommitted(java.util.function.BiConsumer<Command, Duration> listener) {
    commitListeners.add(listener);
  }

  /** Replicates {@code command}; completes after commit with the state machine's result. */
  public CompletableFuture<ApplyResult> submit(Command command, Duration timeout) {
    long started = System.nanoTime();
    byte[] bytes = CommandCodec.encode(command);
    CompletableFuture<byte[]> sent;
    try {
      sent = raft.setAsync(bytes, 0, bytes.length, null);
    } catch (Exception e) {
      return CompletableFuture.failedFuture(new NotCommittedException("not committed: " + e.getMessage(), e));
    }
    return sent.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle((result, error) -> {
          if (error != null) {
            Throwable cause = error instanceof java.util.concurrent.CompletionException ? error.getCause() : error;
            throw new NotCommittedException(
                cause instanceof java.util.concurrent.TimeoutException
                    ? "not committed within " + timeout.toMillis() + " ms; is a majority of the cluster up?"
                    : "not committed: " + cause,
                cause);
          }
          Duration took = Duration.ofNanos(System.nanoTime() - started);
          commitListeners.forEach(l -> l.accept(command, took));
          return CommandCodec.decodeResult(result);
        });
  }

  public ReplicatedState state() {
    return stateMachine.state();
  }

  public boolean isLeader() {
    return raft != null && raft.isLeader();
  }

  /**
   * The Raft term in which this node became the leader it still is; empty when it is not leader.
   * Whatever the node does as leader carries this term, so it can be checked against the one
   * leader the replicated state records for the term ({@code ReplicatedState.termLeaders()}).
   */
  public OptionalLong leadingTerm() {
    OptionalLong term = leading;
    return term.isPresent() && isLeader() ? term : OptionalLong.empty();
  }

  public String nodeId() {
    return config.nodeId();
  }

  public ClusterConfig config() {
    return config;
  }

  /** The leader's Raft id, if one is known. */
  public Optional<String> leaderId() {
    Address a = raft == null ? null : raft.leader();
    return Optional.ofNullable(a).map(Address::toString);
  }

  public long term() {
    return raft.currentTerm();
  }

  public long commitIndex() {
    return raft.commitIndex();
  }

  public long lastApplied() {
    return raft.lastApplied();
  }

  /** The channel itself, for fault-injection tests in this package. */
  JChannel channel() {
    return channel;
  }

  /** The nodes this one currently sees connected, by name. */
  public List<String> connected() {
    JChannel ch = channel;
    return ch == null || ch.getView() == null
        ? List.of()
        : ch.getView().getMembers().stream().map(Address::toString).toList();
  }

  /**
   * On the leader, how far each member's log matches the leader's (Raft's match index), by member;
   * empty on a follower. The leader's last appended index minus a member's match index is its lag.
   */
  public java.util.Map<String, Long> matchIndexByMember() {
    var table = raft == null ? null : raft.raft().commitTable();
    if (table == null || !isLeader()) {
      return java.util.Map.of();
    }
    java.util.Map<String, Long> out = new java.util.TreeMap<>();
    table.forEach((address, entry) -> out.put(address.toString(), entry.matchIndex()));
    return out;
  }

  /** The index of the last entry in this node's log. */
  public long lastAppended() {
    return raft.raft().lastAppended();
  }

  /** The voting members as Raft currently knows them. */
  public List<String> members() {
    return raft.raft().members();
  }

  public RAFT raftProtocol() {
    return raft.raft();
  }

  /** Whether a membership change adds or removes a voting member. */
  public enum MembershipAction {
    ADD,
    REMOVE
  }

  /**
   * Adds or removes a voting member, safely: the change is committed, then an audit record of it is
   * committed after it. jgroups-raft applies a membership change on commit and followers learn the
   * commit index only with the next append, so a leader crash right after the change alone could
   * leave them on the old member list, unable to form a majority. The second commit carries the
   * new commit index to a majority before this returns, so every majority that can elect the next
   * leader knows the new list.
   */
  public ApplyResult changeMembership(MembershipAction action, String memberId, String actor, String reason, Duration timeout)
      throws Exception {
    org.jgroups.protocols.raft.REDIRECT redirect =
        channel.getProtocolStack().findProtocol(org.jgroups.protocols.raft.REDIRECT.class);
    CompletableFuture<byte[]> change = action == MembershipAction.ADD ? redirect.addServer(memberId) : redirect.removeServer(memberId);
    try {
      change.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new NotCommittedException("membership change " + action + " " + memberId + " not committed: " + e, e);
    }
    return submit(new Command.RecordMembership(actor, java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS),
        reason, action.name().toLowerCase(), memberId), timeout).join();
  }

  /** Takes a snapshot now and truncates the log. */
  public void snapshot() throws Exception {
    raft.snapshot();
  }

  /** Leaves the cluster politely and closes the log. */
  @Override
  public void close() {
    JChannel ch = channel;
    if (ch != null) {
      ch.close();
    }
    roleChanged(Role.Follower, 0);
  }

  /** Drops off the network without a goodbye, as a crash would: for fault tests. */
  public void crash() {
    JChannel ch = channel;
    if (ch != null) {
      try {
        org.jgroups.util.Util.shutdown(ch);
      } catch (Exception e) {
        ch.close();
      }
    }
    roleChanged(Role.Follower, 0);
  }
}
