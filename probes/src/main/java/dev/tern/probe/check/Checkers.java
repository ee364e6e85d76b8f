package dev.tern.probe.check;

import java.net.InetAddress;
import java.util.Optional;

/** The agent's one {@link Checker}: hands each spec to the checker for its kind. */
public final class Checkers implements Checker, AutoCloseable {

  private final HttpChecker http;
  private final TcpChecker tcp;
  private final DnsChecker dns;

  /** @param source the local address every outgoing socket binds to; empty lets the OS choose */
  public Checkers(Optional<InetAddress> source) {
    this.http = new HttpChecker(source);
    this.tcp = new TcpChecker(source);
    this.dns = new DnsChecker(source);
  }

  @Override
  public CheckResult run(CheckSpec spec) {
    return switch (spec) {
      case CheckSpec.Http h -> http.run(h);
      case CheckSpec.Tcp t -> tcp.run(t);
      case CheckSpec.Dns d -> dns.run(d);
    };
  }

  /** Closes the HTTP checker's kept-alive connections. */
  @Override
  public void close() {
    http.close();
  }
}
