package dev.tern.probe.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The other way to hold thousands of checks: one selector thread, non-blocking sockets, a small
 * state machine per check. It does the least an HTTP check can: connect, send a GET, read until
 * the server closes, match the status line and a body substring. No timeouts, no TLS, no header
 * bounds: a lower bound on what a complete non-blocking checker would cost, measured beside
 * {@link dev.tern.probe.check.HttpChecker} on virtual threads to decide between the two.
 */
final class NioHttpChecks {

  private static final byte[] REQUEST = ("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: tern-probe\r\n"
      + "Accept: */*\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

  private final InetSocketAddress target;
  private long done;
  private long failed;

  NioHttpChecks(InetSocketAddress target) {
    this.target = target;
  }

  /** One check in flight: its socket and what it has read so far. */
  private static final class Check {
    final SocketChannel channel;
    final ByteBuffer in = ByteBuffer.allocate(4096);

    Check(SocketChannel channel) {
      this.channel = channel;
    }
  }

  /** Keeps {@code concurrency} checks in flight for {@code seconds}; returns {checks, failures}. */
  long[] run(int concurrency, int seconds) throws IOException {
    done = 0;
    failed = 0;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    try (Selector selector = Selector.open()) {
      for (int i = 0; i < concurrency; i++) {
        start(selector);
      }
      while (!selector.keys().isEmpty()) {
        selector.select(100);
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          var key = it.next();
          it.remove();
          if (step(key) && System.nanoTime() < end) {
            start(selector);
          }
        }
      }
    }
    return new long[] {done, failed};
  }

  private void start(Selector selector) throws IOException {
    var channel = SocketChannel.open();
    channel.configureBlocking(false);
    var check = new Check(channel);
    if (channel.connect(target)) {
      channel.write(ByteBuffer.wrap(REQUEST));
      channel.register(selector, SelectionKey.OP_READ, check);
    } else {
      channel.register(selector, SelectionKey.OP_CONNECT, check);
    }
  }

  /** Advances one check; true when it finished, passed or failed. */
  private boolean step(SelectionKey key) {
    var check = (Check) key.attachment();
    try {
      if (key.isConnectable()) {
        check.channel.finishConnect();
        check.channel.write(ByteBuffer.wrap(REQUEST));
        key.interestOps(SelectionKey.OP_READ);
        return false;
      }
      int n = check.channel.read(check.in);
      if (n >= 0 && check.in.hasRemaining()) {
        return false;
      }
      finish(check, true);
    } catch (IOException e) {
      finish(check, false);
    }
    key.cancel();
    return true;
  }

  private void finish(Check check, boolean read) {
    done++;
    var text = new String(check.in.array(), 0, check.in.position(), StandardCharsets.US_ASCII);
    if (!read || !text.startsWith("HTTP/1.1 200") || !text.contains("healthy")) {
      failed++;
    }
    try {
      check.channel.close();
    } catch (IOException ignored) {
      // the check is over either way
    }
  }
}
