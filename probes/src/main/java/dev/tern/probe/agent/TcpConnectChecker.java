package dev.tern.probe.agent;

import dev.tern.probe.check.CheckResult;
import dev.tern.probe.check.CheckResult.Failure;
import dev.tern.probe.check.CheckSpec;
import dev.tern.probe.check.Checker;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Optional;

/**
 * The agent's own stand-in checker: a TCP connect to the target's address and port, whatever the
 * kind of check (an HTTP target counts as healthy when its port accepts a connection). It is to be
 * replaced by {@code dev.tern.probe.check.Checkers} once the real HTTP, TCP and DNS checkers land.
 */
public final class TcpConnectChecker implements Checker {

  private final Optional<InetAddress> source;

  /** @param source the local address outgoing connections bind to; empty lets the OS choose */
  public TcpConnectChecker(Optional<InetAddress> source) {
    this.source = source;
  }

  @Override
  public CheckResult run(CheckSpec spec) {
    long start = System.nanoTime();
    try (Socket socket = new Socket()) {
      if (source.isPresent()) {
        socket.bind(new InetSocketAddress(source.get(), 0));
      }
      InetSocketAddress target = new InetSocketAddress(InetAddress.getByName(spec.address()), spec.port());
      socket.connect(target, (int) Math.max(1, Math.min(Integer.MAX_VALUE, spec.timeout().toMillis())));
      Duration took = since(start);
      return new CheckResult(true, Optional.of(took), Optional.empty(), Optional.empty(), took, Optional.empty(),
          "connected to " + spec.address() + ":" + spec.port());
    } catch (UnknownHostException e) {
      return failed(start, Failure.DNS_RESOLUTION, "cannot resolve " + spec.address());
    } catch (SocketTimeoutException e) {
      return failed(start, Failure.CONNECT_TIMEOUT, "no connection within " + spec.timeout().toMillis() + " ms");
    } catch (ConnectException e) {
      return failed(start, Failure.CONNECT_REFUSED, "connection refused by " + spec.address() + ":" + spec.port());
    } catch (IOException | RuntimeException e) {
      return failed(start, Failure.IO, String.valueOf(e.getMessage()));
    }
  }

  private static CheckResult failed(long start, Failure failure, String detail) {
    return new CheckResult(false, Optional.empty(), Optional.empty(), Optional.empty(), since(start),
        Optional.of(failure), detail);
  }

  private static Duration since(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }
}
