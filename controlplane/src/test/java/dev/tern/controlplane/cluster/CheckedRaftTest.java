package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInput;
import java.io.DataOutput;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jgroups.Address;
import org.jgroups.protocols.raft.AppendResult;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.jgroups.raft.StateMachine;
import org.jgroups.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's commit index: jgroups-raft's own append handling, on a real file log, with the one
 * rule {@link CheckedRaft} adds. The leader's messages are handed to the follower as RAFT does.
 */
class CheckedRaftTest {

  private final List<String> applied = new CopyOnWriteArrayList<>();
  private final Address leader = UUID.randomUUID();
  private CheckedRaft raft;

  @BeforeEach
  void follower(@TempDir Path dir) throws Exception {
    FileBasedLog fileLog = new FileBasedLog();
    fileLog.init(dir.resolve("b.log").toString(), Map.of());
    // RAFT opens its log as the channel connects; without a channel, the follower is handed one.
    raft = new CheckedRaft() {
      {
        log_impl = fileLog;
      }
    };
    raft.members(List.of("a", "b", "c")).raftId("b");
    raft.stateMachine(new StateMachine() {
      @Override
      public byte[] apply(byte[] data, int offset, int length, boolean serializeResponse) {
        applied.add(new String(data, offset, length, StandardCharsets.UTF_8));
        return null;
      }

      @Override
      public void readContentFrom(DataInput in) {}

      @Override
      public void writeContentTo(DataOutput out) {}
    });
    assertTrue(raft.impl() instanceof CheckedRaft.CheckedFollower);
  }

  @Test
  void a_stale_tail_is_neither_committed_nor_reported_as_matching_then_is_replaced() {
    // The leader of term 1 appends two entries here alone and dies: nobody commits them.
    raft.setLeaderAndTerm(leader, 1);
    assertTrue(append(LogEntries.create(entry(1, "stale-1"), entry(1, "stale-2")), 0, 0, 0).success());
    assertEquals(0, raft.commitIndex());
    raft.setLeaderAndTerm(leader, 2);

    // The leader of term 2 has committed entries 1 and 2 of its own, and says so without entries.
    AppendResult heartbeat = append(new LogEntries(), 0, 0, 2);
    assertTrue(heartbeat.success());
    assertEquals(0, raft.commitIndex(), "the stale entries are not committed");
    assertEquals(List.of(), applied);
    assertEquals(0, heartbeat.index(), "nothing matches the leader yet, so the leader sends its entries");

    AppendResult entries = append(LogEntries.create(entry(2, "x"), entry(2, "y")), 0, 0, 2);
    assertTrue(entries.success());
    assertEquals(2, raft.commitIndex());
    assertEquals(List.of("x", "y"), applied, "the leader's entries replaced the stale ones");
  }

  @Test
  void verified_entries_commit_on_the_next_heartbeat() {
    raft.setLeaderAndTerm(leader, 1);
    assertTrue(append(LogEntries.create(entry(1, "x"), entry(1, "y")), 0, 0, 1).success());
    assertEquals(1, raft.commitIndex());

    AppendResult heartbeat = append(new LogEntries(), 0, 0, 2);
    assertEquals(2, raft.commitIndex(), "the leader's commit index reaches the verified entries");
    assertEquals(2, heartbeat.index());
    assertEquals(List.of("x", "y"), applied);
  }

  @Test
  void entries_past_a_held_one_replace_a_stale_tail_before_they_commit() {
    // The leader of term 1 appends three entries here and dies; a majority holds only the first.
    raft.setLeaderAndTerm(leader, 1);
    assertTrue(append(LogEntries.create(entry(1, "a"), entry(1, "stale-2"), entry(1, "stale-3")), 0, 0, 0)
        .success());
    raft.setLeaderAndTerm(leader, 2);

    // The leader of term 2 holds entry 1 of term 1 and entries 2 and 3 of its own; it resends from entry 1, in one
    // request whose first entry this follower holds.
    AppendResult result = append(LogEntries.create(entry(1, "a"), entry(2, "b")), 0, 0, 2);
    assertTrue(result.success());
    assertEquals(2, result.index(), "the follower matches the leader up to entry 2, not up to its stale entry 3");
    assertEquals(List.of("a", "b"), applied, "entry 2 is the leader's, not the stale one");
    assertEquals(2, raft.lastAppended(), "the stale entry 3 is gone");

    assertTrue(append(LogEntries.create(entry(2, "c")), 2, 2, 3).success());
    assertEquals(List.of("a", "b", "c"), applied);
  }

  @Test
  void entries_already_held_are_acknowledged_and_commit() {
    raft.setLeaderAndTerm(leader, 1);
    assertTrue(append(LogEntries.create(entry(1, "x"), entry(1, "y")), 0, 0, 0).success());

    AppendResult again = append(LogEntries.create(entry(1, "x"), entry(1, "y")), 0, 0, 2);
    assertTrue(again.success());
    assertEquals(2, again.index());
    assertEquals(List.of("x", "y"), applied);
  }

  /** An AppendEntries request as the leader sends it: the entry term is the first entry's. */
  private AppendResult append(LogEntries entries, long prevIndex, long prevTerm, long leaderCommit) {
    long entryTerm = entries.size() == 0 ? raft.currentTerm() : entries.iterator().next().term();
    return raft.impl().handleAppendEntriesRequest(entries, leader, prevIndex, prevTerm, entryTerm, leaderCommit);
  }

  private static LogEntry entry(long term, String command) {
    return new LogEntry(term, command.getBytes(StandardCharsets.UTF_8));
  }
}
