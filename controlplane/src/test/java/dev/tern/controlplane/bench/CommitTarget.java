package dev.tern.controlplane.bench;

/**
 * A replicated log whose commit latency {@link CommitLatencyBenchmark} measures: etcd as the
 * baseline, Tern's Raft cluster beside it.
 *
 * <p><b>Lifecycle.</b> The benchmark calls {@link #start()} once, then {@link #commitOnce} from one
 * thread, one call at a time, as a decision loop commits one command after another, then {@link
 * #stop()}. A target owns everything it starts (processes, channels, data directories) and leaves
 * nothing behind after {@code stop()}.
 *
 * <p><b>Commit.</b> {@code commitOnce} returns only once the command is committed by a majority of
 * a three-member cluster on 127.0.0.1 and applied on the member that accepted it, which should be
 * the leader: the latency measured is the one the caller waits for. It sends every command to the
 * leader it found in {@code start()}, so no forwarding hop is measured.
 *
 * <p><b>Failure.</b> {@code start} and {@code commitOnce} throw when the target cannot serve; the
 * benchmark then stops that target and reports it failed. {@code stop} does not throw, may be
 * called after a failed or partial {@code start}, and may be called twice.
 */
public interface CommitTarget {

  /** The label of this target in the results table, including what matters for comparison. */
  String name();

  /** Brings the cluster up; returns when a commit can succeed. */
  void start() throws Exception;

  /** Commits one command; {@code payload} is shared between calls and must not be modified. */
  void commitOnce(byte[] payload) throws Exception;

  /** Releases everything {@link #start()} acquired, even after a failure. */
  void stop();
}
