package dev.tern.probe.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * The health endpoint the benchmarks check, run as its own process so that serving costs no CPU
 * in the process being measured. Prints its port, then serves until its standard input closes.
 *
 * <p>One selector thread answers every request with the same {@code 200 healthy} and closes the
 * connection: the cheapest HTTP/1.1 server that is still a real one, so that on a 2-core machine
 * the target takes as little as possible from the checker being measured. It reads a request up to
 * its blank line (at most 4 KiB) and ignores what the request asked for.
 */
public final class HttpTarget {

  private static final byte[] RESPONSE = ("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\n"
      + "Connection: close\r\n\r\nhealthy\n").getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_REQUEST = 4096;

  private HttpTarget() {}

  public static void main(String[] args) throws IOException {
    var selector = Selector.open();
    var server = ServerSocketChannel.open();
    server.bind(new InetSocketAddress("127.0.0.1", 0), 4096);
    server.configureBlocking(false);
    server.register(selector, SelectionKey.OP_ACCEPT);
    System.out.println(((InetSocketAddress) server.getLocalAddress()).getPort());
    System.out.flush();
    Thread.ofPlatform().daemon().name("http-target").start(() -> serve(selector, server));
    System.in.readAllBytes();
    selector.close();
  }

  private static void serve(Selector selector, ServerSocketChannel server) {
    var response = ByteBuffer.wrap(RESPONSE);
    try {
      while (selector.isOpen()) {
        selector.select();
        for (var it = selector.selectedKeys().iterator(); it.hasNext(); ) {
          var key = it.next();
          it.remove();
          if (key.isAcceptable()) {
            SocketChannel client;
            while ((client = server.accept()) != null) {
              client.configureBlocking(false);
              client.register(selector, SelectionKey.OP_READ, ByteBuffer.allocate(MAX_REQUEST));
            }
          } else if (key.isReadable()) {
            answer(key, response);
          }
        }
      }
    } catch (IOException | java.nio.channels.ClosedSelectorException e) {
      // stdin closed: the benchmark is over
    }
  }

  private static void answer(SelectionKey key, ByteBuffer response) {
    var client = (SocketChannel) key.channel();
    var request = (ByteBuffer) key.attachment();
    try {
      if (client.read(request) < 0 || !request.hasRemaining()) {
        client.close();
        return;
      }
      if (endsHead(request)) {
        client.write(response.rewind());
        client.close();
      }
    } catch (IOException e) {
      try {
        client.close();
      } catch (IOException ignored) {
        // already gone
      }
    }
  }

  private static boolean endsHead(ByteBuffer request) {
    int n = request.position();
    return n >= 4 && request.get(n - 4) == '\r' && request.get(n - 3) == '\n' && request.get(n - 2) == '\r'
        && request.get(n - 1) == '\n';
  }
}
