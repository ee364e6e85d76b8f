package dev.tern.controlplane.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Three etcd members on 127.0.0.1, started and stopped through {@code controlplane/bench/etcd-cluster.sh},
 * which keeps their PIDs in the cluster's directory and stops exactly those.
 */
final class EtcdCluster implements AutoCloseable {

  /** The client URLs of the three members, as etcd-cluster.sh assigns them. */
  static final List<URI> CLIENT_URLS =
      List.of(
          URI.create("http://127.0.0.1:23791"),
          URI.create("http://127.0.0.1:23792"),
          URI.create("http://127.0.0.1:23793"));

  // Covers installing etcd on first use (apt-get) plus the script's own 30 s health wait.
  private static final long SCRIPT_TIMEOUT_SECONDS = 600;

  private final Path script;
  private final Path dir;
  private boolean running;

  private EtcdCluster(Path script, Path dir) {
    this.script = script;
    this.dir = dir;
  }

  /**
   * Starts a fresh cluster with its data in {@code dir}; returns once every member reports healthy.
   *
   * @param fsync false runs the members with {@code --unsafe-no-fsync}
   */
  static EtcdCluster start(Path script, Path dir, boolean fsync)
      throws IOException, InterruptedException {
    EtcdCluster cluster = new EtcdCluster(script, dir);
    cluster.running = true;
    try {
      run(script, "start", dir, fsync);
    } catch (IOException | InterruptedException | RuntimeException e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  /** Stops the members started by {@link #start}; logs what fails instead of throwing. */
  @Override
  public void close() {
    if (!running) {
      return;
    }
    running = false;
    try {
      run(script, "stop", dir, true);
    } catch (IOException | RuntimeException e) {
      System.err.println("etcd: stopping the cluster in " + dir + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      System.err.println("etcd: interrupted while stopping the cluster in " + dir);
    }
  }

  private static void run(Path script, String command, Path dir, boolean fsync)
      throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", script.toString(), command, dir.toString())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.INHERIT)
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    builder.environment().put("TERN_ETCD_UNSAFE_NO_FSYNC", fsync ? "0" : "1");
    Process process = builder.start();
    if (!process.waitFor(SCRIPT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(
          "etcd-cluster.sh " + command + " did not finish in " + SCRIPT_TIMEOUT_SECONDS + " s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          "etcd-cluster.sh " + command + " failed (exit " + process.exitValue()
              + "); its messages are above");
    }
  }
}
