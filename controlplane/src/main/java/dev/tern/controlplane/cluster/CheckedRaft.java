package dev.tern.controlplane.cluster;

import org.jgroups.Address;
import org.jgroups.conf.ClassConfigurator;
import org.jgroups.protocols.raft.AppendResult;
import org.jgroups.protocols.raft.Follower;
import org.jgroups.protocols.raft.LogEntries;
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
 * <p>Raft (§5.3) lets a follower commit up to the leader's commit index only as far as the last
 * entry it verified against the leader's log. {@link CheckedFollower} keeps that index: the
 * committed prefix, plus what an append of the current term checked and wrote. The leader and
 * every other role are jgroups-raft's own.
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
    /** The term {@link #verified} belongs to. */
    private long term = -1;
    /** The last index this follower's log is known to share with the current leader's. */
    private long verified;

    CheckedFollower(RAFT raft) {
      super(raft);
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
      // RAFT appends only past its commit index, after checking the entry before the first one
      // against prevLogIndex and prevLogTerm; it fails the request (and commits nothing) otherwise.
      boolean appends = count > 0 && prevLogIndex + 1 > committed;
      long upTo = Math.max(committed, appends ? prevLogIndex + count : verified);
      AppendResult result = super.handleAppendEntriesRequest(entries, leader, prevLogIndex, prevLogTerm,
          entryTerm, Math.min(leaderCommit, upTo));
      if (!result.success()) {
        return result;
      }
      if (appends) {
        verified = Math.max(verified, prevLogIndex + count);
        return result;
      }
      // RAFT answers a request it appended nothing for with its last index, which the leader takes
      // for the index up to which this log matches its own; it would never send the entries that
      // replace a stale tail. This answers with what is verified, and the leader sends the rest.
      return new AppendResult(AppendResult.Result.OK, Math.max(verified, raft.commitIndex()))
          .commitIndex(raft.commitIndex());
    }
  }
}
