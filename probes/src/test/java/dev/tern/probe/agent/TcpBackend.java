package dev.tern.probe.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A backend that accepts TCP connections on 127.0.0.1 and closes them at once. */
final class TcpBackend implements AutoCloseable {

  private final ServerSocket socket;
  private final Thread acceptor;
  private final java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();

  TcpBackend() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(() -> {
      while (!socket.isClosed()) {
        try (Socket connection = socket.accept()) {
          accepted.incrementAndGet();
          connection.getInputStream().available();
        } catch (IOException e) {
          return;
        }
      }
    });
  }

  /** Connections accepted so far. */
  int accepted() {
    return accepted.get();
  }

  int port() {
    return socket.getLocalPort();
  }

  @Override
  public void close() throws IOException, InterruptedException {
    socket.close();
    acceptor.join();
  }
}
