package dev.tern.probe.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A backend that accepts TCP connections on 127.0.0.1 and closes them at once. */
final class TcpBackend implements AutoCloseable {

  private final ServerSocket socket;
  private final Thread acceptor;

  TcpBackend() throws IOException {
    socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(() -> {
      while (!socket.isClosed()) {
        try (Socket accepted = socket.accept()) {
          accepted.getInputStream().available();
        } catch (IOException e) {
          return;
        }
      }
    });
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
