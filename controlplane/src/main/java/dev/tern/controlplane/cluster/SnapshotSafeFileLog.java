package dev.tern.controlplane.cluster;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.jgroups.protocols.raft.FileBasedLog;
import org.jgroups.protocols.raft.LogEntry;

/**
 * jgroups-raft's file log, except that the entry a received snapshot leaves at the head of the log
 * reaches the file.
 *
 * <p>A follower that installs a snapshot from the leader reinitializes its log to one entry: the
 * snapshot's last index and term, which the next append is checked against. jgroups-raft (1.1.4)
 * empties the entries file and writes that entry from a buffer it never flips, so nothing is
 * written; the entries appended after it go to the file at the offset after it, behind a hole of
 * zeroes. On its next start the log reads no entry at offset 0 and finds itself empty, while its
 * metadata still holds the commit index: the node has lost every entry since the snapshot, its
 * state is the snapshot's, and its vote no longer carries the entries it acknowledged. With the
 * majority's other member behind, a node missing acknowledged writes can then be elected, and
 * they are gone. The fault campaign found it after a restart of the whole cluster, on a member
 * added (and caught up by snapshot) a few rounds before. Later jgroups-raft versions write the
 * entry; this does it for 1.1.4.
 *
 * <p>The entry is written where jgroups-raft expects it, in its format: a 26-byte header (magic
 * byte 1, total length, term, index, internal flag, data length; big-endian) and the command.
 */
public class SnapshotSafeFileLog extends FileBasedLog {

  private static final String ENTRIES_FILE = "entries.raft";
  private static final byte MAGIC = 1;
  private static final int HEADER_BYTES = 1 + 4 + 8 + 8 + 1 + 4;

  private Path entries;

  @Override
  public void init(String logName, Map<String, String> args) throws Exception {
    super.init(logName, args);
    entries = Path.of(logName).resolve(ENTRIES_FILE);
  }

  @Override
  public void reinitializeTo(long index, LogEntry entry) {
    super.reinitializeTo(index, entry);
    int length = entry.length();
    ByteBuffer record = ByteBuffer.allocate(HEADER_BYTES + length)
        .put(MAGIC)
        .putInt(HEADER_BYTES + length)
        .putLong(entry.term())
        .putLong(index)
        .put((byte) (entry.internal() ? 1 : 0))
        .putInt(length);
    if (length > 0) {
      record.put(entry.command(), entry.offset(), length);
    }
    record.flip();
    // The log's own channel appends after this record, at the offset it computed for it.
    try (FileChannel file = FileChannel.open(entries, StandardOpenOption.WRITE)) {
      while (record.hasRemaining()) {
        file.write(record, record.position());
      }
      if (useFsync()) {
        file.force(true);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot write the snapshot's log entry to " + entries, e);
    }
  }
}
