package dev.tern.probe.agent;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.policy.health.ProbeObservation;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Delivers observations to every control-plane node, since each node keeps its own health book.
 *
 * <p>Each node has its own bounded buffer and sender, so a slow or dead node never holds back the
 * others. A full buffer drops its oldest observation (newer ones say more about the backend now)
 * and counts the drop in {@code tern_probe_report_dropped_total{node}}. A sender posts a batch once
 * it holds {@code maxBatch} observations or the oldest has waited {@code maxDelay}.
 *
 * <table>
 *   <caption>What a sender does with an answer</caption>
 *   <tr><th>Answer</th><th>Then</th></tr>
 *   <tr><td>2xx</td><td>the batch leaves the buffer; backoff resets</td></tr>
 *   <tr><td>connection error, timeout, 5xx, 429</td><td>the batch stays; retry after exponential backoff with jitter</td></tr>
 *   <tr><td>any other 4xx</td><td>logged and dropped: the same batch would be refused again</td></tr>
 * </table>
 *
 * <p>The token goes only into the Authorization header; it is never logged or used as a label.
 */
public final class Reporter implements AutoCloseable {

  /** The control plane refuses larger batches. */
  public static final int MAX_BATCH = 5000;

  /**
   * A batch's body stays under this, well inside the control plane's 1 MiB request limit even when
   * every observation carries a long error text.
   */
  static final int MAX_BATCH_BYTES = 512 * 1024;

  private static final System.Logger LOG = System.getLogger(Reporter.class.getName());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final byte[] BATCH_OPEN = "{\"observations\":[".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] BATCH_CLOSE = "]}".getBytes(StandardCharsets.US_ASCII);

  /** How batches are formed, buffered and retried. */
  public record Settings(int maxBatch, Duration maxDelay, int bufferPerNode, Duration backoffInitial,
      Duration backoffMax, Duration requestTimeout, Duration flushTimeout) {
    public Settings {
      if (maxBatch < 1 || maxBatch > MAX_BATCH) {
        throw new IllegalArgumentException("maxBatch must be 1.." + MAX_BATCH);
      }
      if (bufferPerNode < maxBatch) {
        throw new IllegalArgumentException("bufferPerNode must hold at least one batch (" + maxBatch + ")");
      }
      Objects.requireNonNull(maxDelay, "maxDelay");
      Objects.requireNonNull(backoffInitial, "backoffInitial");
      Objects.requireNonNull(backoffMax, "backoffMax");
      Objects.requireNonNull(requestTimeout, "requestTimeout");
      Objects.requireNonNull(flushTimeout, "flushTimeout");
    }

    /**
     * A batch once a second or at 5000 observations (and at most 512 KiB), 100,000 buffered per
     * node, retries up to 30 s apart, 5 s to flush at shutdown. Large batches keep an agent with
     * thousands of targets at a few requests per second per node.
     */
    public static Settings defaults() {
      return new Settings(MAX_BATCH, Duration.ofSeconds(1), 100_000, Duration.ofMillis(200), Duration.ofSeconds(30),
          Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    /** The same, with {@code n} observations buffered per node. */
    public Settings withBuffer(int n) {
      return new Settings(maxBatch, maxDelay, n, backoffInitial, backoffMax, requestTimeout, flushTimeout);
    }
  }

  private final List<NodeSender> senders = new ArrayList<>();
  private final Duration flushTimeout;

  public Reporter(List<URI> nodes, String token, HttpClient client, Settings settings, RandomGenerator random,
      MeterRegistry meters) {
    if (nodes.isEmpty()) {
      throw new IllegalArgumentException("give at least one control-plane URL");
    }
    Objects.requireNonNull(token, "token");
    this.flushTimeout = settings.flushTimeout();
    for (URI node : nodes) {
      senders.add(new NodeSender(node, token, client, settings, new Backoff(settings.backoffInitial(),
          settings.backoffMax(), random), meters));
    }
  }

  /**
   * Queues one observation for every node; never blocks on the network. It is written as JSON
   * once, here, and the same bytes go to every node.
   */
  public void offer(ProbeObservation observation) {
    byte[] json = toJson(observation);
    for (NodeSender s : senders) {
      s.offer(json);
    }
  }

  /** One observation as the control plane reads it. */
  static byte[] toJson(ProbeObservation o) {
    var out = new ByteArrayOutputStream(192);
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("vantage", o.vantage().key());
      g.writeStringField("service", o.service());
      g.writeStringField("backend", o.backend());
      g.writeStringField("at", o.at().toString());
      g.writeBooleanField("ok", o.ok());
      // The control plane refuses latencies above ten minutes; a check never runs that long.
      g.writeNumberField("latencyMs", Math.min(600_000, o.latency().toNanos() / 1e6));
      g.writeFieldName("error");
      if (o.error().isPresent()) {
        g.writeString(o.error().get());
      } else {
        g.writeNull();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory", e);
    }
    return out.toByteArray();
  }

  /** Observations waiting for {@code node}, or -1 for a node this reporter does not send to. */
  public int buffered(URI node) {
    return senders.stream().filter(s -> s.node.equals(node)).mapToInt(NodeSender::depth).findFirst().orElse(-1);
  }

  /** Observations dropped for {@code node} because its buffer was full. */
  public long dropped(URI node) {
    return senders.stream().filter(s -> s.node.equals(node)).mapToLong(NodeSender::dropped).findFirst().orElse(-1);
  }

  /**
   * Sends what is still buffered, each node on its own, and stops. A node that cannot take it
   * within {@code settings.flushTimeout()} (or fails once while flushing) loses what it still
   * holds, counted in {@code tern_probe_report_dropped_total} and logged.
   */
  @Override
  public void close() throws InterruptedException {
    long deadline = System.nanoTime() + flushTimeout.toNanos();
    for (NodeSender s : senders) {
      s.flushAndStop();
    }
    for (NodeSender s : senders) {
      long left = deadline - System.nanoTime();
      if (left <= 0 || !s.thread.join(Duration.ofNanos(left))) {
        s.thread.interrupt();
        s.thread.join(Duration.ofSeconds(1));
      }
      s.discardRest();
    }
  }

  /** One node's buffer and the virtual thread that drains it. */
  private static final class NodeSender {
    final URI node;
    final String token;
    final HttpClient client;
    final Settings settings;
    final Backoff backoff;
    final Counter droppedCounter;
    final Counter rejected;
    final Counter sent;
    final Counter retried;
    final Thread thread;
    /** Buffered observations, oldest first, each tagged with a sequence number. */
    final ArrayDeque<Entry> buffer = new ArrayDeque<>();
    long nextSeq;
    long dropped;
    long oldestSince;
    volatile boolean stopped;
    /** Set at shutdown: send what is buffered now, without waiting for a full batch, then stop. */
    boolean flushing;

    /** One observation, already written as JSON. */
    record Entry(long seq, byte[] json) {}

    NodeSender(URI node, String token, HttpClient client, Settings settings, Backoff backoff, MeterRegistry meters) {
      this.node = node;
      this.token = token;
      this.client = client;
      this.settings = settings;
      this.backoff = backoff;
      String label = node.toString();
      Gauge.builder("tern.probe.report.buffer.depth", this, NodeSender::depth)
          .description("Observations waiting to be sent to a node")
          .tag("node", label)
          .register(meters);
      this.droppedCounter = Counter.builder("tern.probe.report.dropped")
          .description("Observations dropped because a node's buffer was full (oldest first)")
          .tag("node", label)
          .register(meters);
      this.rejected = batches(meters, label, "rejected");
      this.sent = batches(meters, label, "sent");
      this.retried = batches(meters, label, "retried");
      this.thread = Thread.ofVirtual().name("tern-probe-report-" + label).start(this::loop);
    }

    private static Counter batches(MeterRegistry meters, String node, String outcome) {
      return Counter.builder("tern.probe.report.batches")
          .description("Batch posts by outcome: sent, retried (will be sent again), rejected (dropped)")
          .tags("node", node, "outcome", outcome)
          .register(meters);
    }

    synchronized long dropped() {
      return dropped;
    }

    synchronized int depth() {
      return buffer.size();
    }

    synchronized void offer(byte[] o) {
      if (buffer.isEmpty()) {
        oldestSince = System.nanoTime();
        notifyAll();
      }
      if (buffer.size() >= settings.bufferPerNode()) {
        buffer.removeFirst();
        dropped++;
        droppedCounter.increment();
      }
      buffer.addLast(new Entry(nextSeq++, o));
      if (buffer.size() >= settings.maxBatch()) {
        notifyAll();
      }
    }

    synchronized void flushAndStop() {
      flushing = true;
      notifyAll();
    }

    /** After the sender stopped: whatever it could not deliver is counted as dropped. */
    synchronized void discardRest() {
      stopped = true;
      if (!buffer.isEmpty()) {
        LOG.log(System.Logger.Level.WARNING, "shutting down with {0} observations for {1} not delivered",
            buffer.size(), node);
        dropped += buffer.size();
        droppedCounter.increment(buffer.size());
        buffer.clear();
      }
    }

    /**
     * Waits until a batch is due, then returns a copy of it; the entries stay buffered until sent.
     * Empty when flushing and nothing is left.
     */
    private synchronized List<Entry> nextBatch() throws InterruptedException {
      while (true) {
        if (flushing && buffer.isEmpty()) {
          return List.of();
        }
        if (!buffer.isEmpty()) {
          long due = oldestSince + settings.maxDelay().toNanos() - System.nanoTime();
          if (flushing || buffer.size() >= settings.maxBatch() || due <= 0) {
            List<Entry> batch = new ArrayList<>(Math.min(buffer.size(), settings.maxBatch()));
            int bytes = 0;
            for (Entry e : buffer) {
              if (batch.size() == settings.maxBatch() || (!batch.isEmpty() && bytes + e.json().length > MAX_BATCH_BYTES)) {
                break;
              }
              batch.add(e);
              bytes += e.json().length + 1;
            }
            return batch;
          }
          wait(Math.max(1, due / 1_000_000));
        } else {
          wait();
        }
      }
    }

    /** Removes everything up to {@code seq}; entries dropped meanwhile are already gone. */
    private synchronized void remove(long seq) {
      while (!buffer.isEmpty() && buffer.peekFirst().seq() <= seq) {
        buffer.removeFirst();
      }
      oldestSince = System.nanoTime();
    }

    private synchronized boolean flushing() {
      return flushing;
    }

    private void loop() {
      while (!stopped) {
        try {
          List<Entry> batch = nextBatch();
          if (batch.isEmpty()) {
            return;
          }
          long last = batch.getLast().seq();
          int status;
          try {
            status = post(batch);
          } catch (IOException e) {
            if (flushing()) {
              return;
            }
            retry(batch.size(), e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()));
            continue;
          }
          if (status / 100 == 2) {
            remove(last);
            sent.increment();
            backoff.reset();
          } else if (status == 429 || status / 100 == 5) {
            if (flushing()) {
              return;
            }
            retry(batch.size(), "HTTP " + status);
          } else {
            remove(last);
            rejected.increment();
            LOG.log(System.Logger.Level.ERROR, "{0} refused a batch of {1} observations with HTTP {2}; dropped it",
                node, batch.size(), status);
          }
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    private void retry(int size, String why) throws InterruptedException {
      retried.increment();
      Duration pause = backoff.next();
      LOG.log(System.Logger.Level.WARNING, "batch of {0} to {1} failed ({2}); retry #{3} in {4} ms", size, node, why,
          backoff.failures(), pause.toMillis());
      Thread.sleep(pause);
    }

    private int post(List<Entry> batch) throws IOException, InterruptedException {
      int size = BATCH_OPEN.length + BATCH_CLOSE.length + batch.size() - 1;
      for (Entry e : batch) {
        size += e.json().length;
      }
      byte[] body = new byte[size];
      int at = 0;
      System.arraycopy(BATCH_OPEN, 0, body, at, BATCH_OPEN.length);
      at += BATCH_OPEN.length;
      for (int i = 0; i < batch.size(); i++) {
        if (i > 0) {
          body[at++] = ',';
        }
        byte[] json = batch.get(i).json();
        System.arraycopy(json, 0, body, at, json.length);
        at += json.length;
      }
      System.arraycopy(BATCH_CLOSE, 0, body, at, BATCH_CLOSE.length);
      HttpRequest request = HttpRequest.newBuilder(node.resolve("/api/v1/probes/observations"))
          .timeout(settings.requestTimeout())
          .header("Authorization", "Bearer " + token)
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
      return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
  }
}
