package dev.tern.probe.check;

import dev.tern.probe.check.CheckResult.Failure;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Runs {@link CheckSpec.Tcp} checks: healthy when a TCP connection opens within the timeout. A
 * link-local or cloud metadata address is refused (RESERVED_ADDRESS) without connecting.
 */
public final class TcpChecker implements Checker {

  private final Optional<InetAddress> source;

  /** @param source the local address every outgoing socket binds to; empty lets the OS choose */
  public TcpChecker(Optional<InetAddress> source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /**
   * @throws IllegalArgumentException for a spec of another kind: a wiring mistake, not a target's
   *     failure ({@link Checkers} routes each kind to its checker)
   */
  @Override
  public CheckResult run(CheckSpec spec) {
    if (!(spec instanceof CheckSpec.Tcp tcp)) {
      throw new IllegalArgumentException("TcpChecker runs TCP checks, not " + spec);
    }
    long start = System.nanoTime();
    InetAddress address;
    try {
      address = InetAddress.getByName(tcp.address());
    } catch (UnknownHostException e) {
      return CheckResult.failedSince(start, Failure.DNS_RESOLUTION, "cannot resolve " + tcp.address());
    }
    var refusal = ReservedTargets.refusal(tcp.address(), address);
    if (refusal.isPresent()) {
      return CheckResult.failedSince(start, Failure.RESERVED_ADDRESS, refusal.get());
    }
    var where = address.getHostAddress() + ":" + tcp.port();
    long left = tcp.timeout().toMillis() - Duration.ofNanos(System.nanoTime() - start).toMillis();
    try (var socket = new Socket()) {
      if (source.isPresent()) {
        socket.bind(new InetSocketAddress(source.get(), 0));
      }
      socket.connect(new InetSocketAddress(address, tcp.port()), (int) Math.clamp(left, 1, Integer.MAX_VALUE));
      var connect = Duration.ofNanos(System.nanoTime() - start);
      return new CheckResult(
          true, Optional.of(connect), Optional.empty(), Optional.empty(), connect, Optional.empty(), "connected to " + where);
    } catch (SocketTimeoutException e) {
      return CheckResult.failedSince(start, Failure.CONNECT_TIMEOUT, "no connection to " + where + " within " + tcp.timeout().toMillis() + " ms");
    } catch (ConnectException e) {
      return CheckResult.failedSince(start, Failure.CONNECT_REFUSED, "connection to " + where + " refused: " + e.getMessage());
    } catch (IOException e) {
      return CheckResult.failedSince(start, Failure.IO, "connecting to " + where + ": " + e);
    }
  }
}
