package dev.tern.controlplane.cluster;

import org.jgroups.Address;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendResult;
import org.jgroups.protocols.raft.Follower;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.protocols.raft.RAFT;
import org.jgroups.protocols.raft.RaftImpl;
import org.jgroups.protocols.raft.Role;

/**
 * jgroups-raft's RAFT, except that a follower commits only entries it knows to match the leader's
 * log.
 *
 * <p>jgroups-raft (1.1.4) lets a follower take the leader's commit index from any AppendEntries
 * without entries, the leader's commit messages and heartbeats, which carry no previous index or
 * term: the follower commits its own log up to that index, whatever it holds. A follower that
 * still holds entries an old leader appended but never committed (it was cut off, or down, while
 * a new leader wrote other entries at those indexes) then commits and applies them, and every
 * later append from the leader conflicts below its commit index and is refused ("cannot delete
 * entries ... as commit_index is higher"): a node whose state has diverged and that never catches
 * up. The fault campaign found it after a restart of the whole cluster.
 *
 * <p>It also compares only the first entry of an append with the entry it holds at that index:
 * when the terms agree it writes nothing, keeps whatever follows in its log, answers that it
 * matches the leader up to its own last entry and commits up to the end of the append. A follower
 * holding a longer stale tail of the same term than the new leader kept (the old leader reached
 * it first) commits those stale entries. The campaign found that one too, after a restart of the
 * whole cluster, 139 rounds into a run.
 *
 * <p>Raft (§5.3) lets a follower commit up to the leader's commit index only as far as the last
 * entry it verified against the leader's log, and has it drop its tail from the first entry of an
 * append that differs from its own. {@link CheckedFollower} does both: it keeps the verified
 * index (the committed prefix, plus what an append of the current term checked and wrote) and
 * compares every entry of an append. The leader and every other role are jgroups-raft's own.
 */
class CheckedRaft extends RAFT {

  CheckedRaft() {
    // RAFT's own protocol id: members agree on the headers, and the other protocols find it.
    id = ClassConfigurator.getProtocolId(RAFT.class);
    impl = new CheckedFollower(this);
  }

  @Override
  protected RAFT changeRole(Role role) {
    if (role == Role.Follower && impl instanceof CheckedFollower) {
      return this;
    }
    super.changeRole(role);
    if (impl != null && impl.getClass() == Follower.class) {
      RaftImpl plain = impl;
      CheckedFollower checked = new CheckedFollower(this);
      checked.init();
      impl = checked;
      plain.destroy();
    }
    return this;
  }

  /** A follower whose commit index never passes the entries it verified against the leader. */
  static final class CheckedFollower extends Follower {
    private final CheckedRaft checked;
    /** The term {@link #verified} belongs to. */
    private long term = -1;
    /** The last index this follower's log is known to share with the current leader's. */
    private long verified;

    CheckedFollower(CheckedRaft raft) {
      super(raft);
      this.checked = raft;
    }

    @Override
    public synchronized AppendResult handleAppendEntriesRequest(LogEntries entries, Address leader,
        long prevLogIndex, long prevLogTerm, long entryTerm, long leaderCommit) {
      // RAFT takes the request's term before it hands the request to the role.
      if (raft.currentTerm() != term) {
        term = raft.currentTerm();
        verified = 0;
      }
      long committed = raft.commitIndex();
      int count = entries == null ? 0 : entries.size();
      if (count > 0 && prevLogIndex + 1 > committed && holds(prevLogIndex, prevLogTerm)) {
        return append(entries, leader, prevLogIndex, prevLogTerm, leaderCommit);
      }
      // RAFT appends nothing here: it ignores entries at or below its commit index, and fails a
      // request whose previous entry it does not hold (and commits nothing then).
      AppendResult result = super.handleAppendEntriesRequest(entries, leader, prevLogIndex, prevLogTerm,
          entryTerm, Math.min(leaderCommit, Math.max(committed, verified)));
      if (!result.success()) {
        return result;
      }
      // RAFT answers a request it appended nothing for with its last index, which the leader takes
      // for the index up to which this log matches its own; it would never send the entries that
      // replace a stale tail. This answers with what is verified, and the leader sends the rest.
      return new AppendResult(AppendResult.Result.OK, Math.max(verified, raft.commitIndex()))
          .commitIndex(raft.commitIndex());
    }

    /**
     * Appends entries that follow an entry both logs hold (Raft §5.3): skips those this log holds
     * already, drops its tail from the first one that differs, and writes the rest. RAFT compares
     * only the first entry's term and writes nothing when it holds that entry: a stale entry after
     * it would stay, be reported as matching and be committed.
     */
    private AppendResult append(LogEntries entries, Address leader, long prevLogIndex, long prevLogTerm,
        long leaderCommit) {
      long index = prevLogIndex;
      long indexTerm = prevLogTerm;
      LogEntries rest = new LogEntries();
      for (LogEntry e : entries) {
        if (rest.size() == 0 && holds(index + 1, e.term())) {
          index++;
          indexTerm = e.term();
        } else {
          rest.add(e);
        }
      }
      long last = prevLogIndex + entries.size();
      if (rest.size() == 0) {
        verified = Math.max(verified, last);
        checked.commitLogTo(Math.min(leaderCommit, verified), false);
        return new AppendResult(AppendResult.Result.OK, verified).commitIndex(raft.commitIndex());
      }
      if (index < raft.lastAppended()) {
        checked.deleteAllLogEntriesStartingFrom(index + 1);
      }
      AppendResult result = super.handleAppendEntriesRequest(rest, leader, index, indexTerm,
          rest.iterator().next().term(), Math.min(leaderCommit, last));
      if (result.success()) {
        verified = Math.max(verified, last);
      }
      return result;
    }

    /** Whether this log holds an entry of the term at the index (every log holds index 0). */
    private boolean holds(long index, long entryTerm) {
      if (index == 0) {
        return true;
      }
      LogEntry held = raft.log().get(index);
      return held != null && held.term() == entryTerm;
    }
  }
}
