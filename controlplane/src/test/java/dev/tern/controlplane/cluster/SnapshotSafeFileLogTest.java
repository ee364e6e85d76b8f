package dev.tern.controlplane.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.LogEntries;
import org.jgroups.protocols.raft.LogEntry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log reinitialized to a received snapshot's last entry, then appended to, reads back the same
 * after a restart: what a follower caught up by snapshot finds when it starts again.
 */
class SnapshotSafeFileLogTest {

  @Test
  void the_snapshot_entry_and_the_entries_after_it_survive_a_restart(@TempDir Path dir) throws Exception {
    FileBasedLog reopened = restartedAfterSnapshot(SnapshotSafeFileLog::new, dir);
    assertEquals(1_000, reopened.firstAppended());
    assertEquals(1_002, reopened.lastAppended());
    assertEquals(1_000, reopened.commitIndex());
    assertEquals(7, reopened.get(1_000).term(), "the snapshot's term, which the next append is checked against");
    assertArrayEquals(bytes("a"), command(reopened.get(1_001)));
    assertArrayEquals(bytes("b"), command(reopened.get(1_002)));
    assertEquals(8, reopened.get(1_002).term());

    // And the log goes on from there.
    reopened.append(1_003, LogEntries.create(new LogEntry(8, bytes("c"))));
    reopened.close();
    FileBasedLog again = open(new SnapshotSafeFileLog(), dir);
    assertEquals(1_003, again.lastAppended());
    assertArrayEquals(bytes("c"), command(again.get(1_003)));
    again.close();
  }

  @Test
  void jgroups_raft_own_file_log_finds_itself_empty(@TempDir Path dir) throws Exception {
    // The defect SnapshotSafeFileLog works around. When this fails, the jgroups-raft in use writes
    // the entry itself, and SnapshotSafeFileLog can go.
    FileBasedLog reopened = restartedAfterSnapshot(FileBasedLog::new, dir);
    assertEquals(0, reopened.lastAppended(), "every entry since the snapshot is lost");
    assertEquals(1_000, reopened.commitIndex());
    reopened.close();
  }

  /**
   * What a follower's log goes through: a snapshot up to index 1000 (term 7), two appends, and a
   * restart; returns the log as the restarted node opens it.
   */
  private static FileBasedLog restartedAfterSnapshot(Supplier<FileBasedLog> kind, Path dir) throws Exception {
    FileBasedLog log = open(kind.get(), dir);
    log.reinitializeTo(1_000, new LogEntry(7, null));
    log.append(1_001, LogEntries.create(new LogEntry(7, bytes("a")), new LogEntry(8, bytes("b"))));
    log.close();
    return open(kind.get(), dir);
  }

  private static FileBasedLog open(FileBasedLog log, Path dir) throws Exception {
    log.init(dir.toString(), Map.of());
    return log;
  }

  private static byte[] command(LogEntry e) {
    return java.util.Arrays.copyOfRange(e.command(), e.offset(), e.offset() + e.length());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
