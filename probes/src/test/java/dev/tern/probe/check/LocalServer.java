package dev.tern.probe.check;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;

/** A TCP (or TLS) server on 127.0.0.1 that runs one handler per connection on a virtual thread. */
final class LocalServer implements AutoCloseable {

  /** What the server does with one accepted connection. */
  interface Handler {
    void handle(Socket socket, LocalServer server) throws IOException, InterruptedException;
  }

  static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final ServerSocket listener;
  private final Handler handler;
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final List<InetAddress> peers = new CopyOnWriteArrayList<>();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bytesSent = new AtomicLong();

  private LocalServer(ServerSocket listener, Handler handler) {
    this.listener = listener;
    this.handler = handler;
    Thread.ofVirtual().start(this::acceptLoop);
  }

  static LocalServer plain(Handler handler) throws IOException {
    var listener = new ServerSocket();
    listener.bind(new InetSocketAddress("127.0.0.1", 0));
    return new LocalServer(listener, handler);
  }

  static LocalServer tls(SSLContext context, Handler handler) throws IOException {
    var listener = context.getServerSocketFactory().createServerSocket();
    listener.bind(new InetSocketAddress("127.0.0.1", 0));
    return new LocalServer(listener, handler);
  }

  /** Answers every request on a connection with {@code response}, then closes it. */
  static Handler respond(String response) {
    return (socket, server) -> {
      server.readRequest(socket.getInputStream());
      socket.getOutputStream().write(response.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
    };
  }

  int port() {
    return listener.getLocalPort();
  }

  int connections() {
    return accepted.size();
  }

  int requests() {
    return requests.get();
  }

  /** The peers of accepted connections, waiting up to a second for a first one to be accepted. */
  List<InetAddress> peers() throws InterruptedException {
    for (int i = 0; i < 100 && peers.isEmpty(); i++) {
      Thread.sleep(10);
    }
    return List.copyOf(peers);
  }

  long bytesSent() {
    return bytesSent.get();
  }

  /** Writes and counts what reached the socket, so a test can see when the client stopped reading. */
  void send(OutputStream out, byte[] bytes) throws IOException {
    out.write(bytes);
    bytesSent.addAndGet(bytes.length);
  }

  /** Reads one request head (up to the blank line); empty at end of stream. */
  String readRequest(InputStream in) throws IOException {
    var head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return "";
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    requests.incrementAndGet();
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        var socket = listener.accept();
        accepted.add(socket);
        peers.add(socket.getInetAddress());
        Thread.ofVirtual().start(() -> {
          try (socket) {
            handler.handle(socket, this);
          } catch (IOException | InterruptedException e) {
            // The client went away, which is what most of these tests provoke.
          }
        });
      } catch (IOException e) {
        return;
      }
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    for (var socket : accepted) {
      socket.close();
    }
  }
}
