package dev.tern.probe.check;

import dev.tern.probe.check.CheckResult.Failure;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.WireParseException;

/**
 * Runs {@link CheckSpec.Dns} checks with dnsjava: one query over UDP, repeated over TCP when the
 * answer comes back truncated, all within the timeout.
 *
 * <table>
 *   <caption>Outcome by response</caption>
 *   <tr><th>response</th><th>result</th></tr>
 *   <tr><td>NOERROR with at least one answer record</td><td>healthy</td></tr>
 *   <tr><td>any other rcode, or an empty answer section</td><td>BAD_STATUS</td></tr>
 *   <tr><td>none within the timeout</td><td>TIMEOUT</td></tr>
 *   <tr><td>name or type that cannot be queried</td><td>PROTOCOL</td></tr>
 *   <tr><td>none asked: the server is a link-local or cloud metadata address</td><td>RESERVED_ADDRESS</td></tr>
 * </table>
 */
public final class DnsChecker implements Checker {

  private final Optional<InetAddress> source;

  /** @param source the local address every outgoing socket binds to; empty lets the OS choose */
  public DnsChecker(Optional<InetAddress> source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /**
   * @throws IllegalArgumentException for a spec of another kind: a wiring mistake, not a target's
   *     failure ({@link Checkers} routes each kind to its checker)
   */
  @Override
  public CheckResult run(CheckSpec spec) {
    if (!(spec instanceof CheckSpec.Dns dns)) {
      throw new IllegalArgumentException("DnsChecker runs DNS checks, not " + spec);
    }
    long start = System.nanoTime();
    int type = Type.value(dns.type());
    if (type < 0) {
      return CheckResult.failedSince(start, Failure.PROTOCOL, "unknown record type " + dns.type());
    }
    Message query;
    try {
      query = Message.newQuery(Record.newRecord(Name.fromString(dns.name(), Name.root), type, DClass.IN));
    } catch (TextParseException e) {
      return CheckResult.failedSince(start, Failure.PROTOCOL, "not a DNS name: " + dns.name());
    }
    InetAddress server;
    try {
      server = InetAddress.getByName(dns.address());
    } catch (UnknownHostException e) {
      return CheckResult.failedSince(start, Failure.DNS_RESOLUTION, "cannot resolve the DNS server " + dns.address());
    }
    var refusal = ReservedTargets.refusal(dns.address(), server);
    if (refusal.isPresent()) {
      return CheckResult.failedSince(start, Failure.RESERVED_ADDRESS, refusal.get());
    }
    SimpleResolver resolver = new SimpleResolver(new InetSocketAddress(server, dns.port()));
    source.ifPresent(address -> resolver.setLocalAddress(new InetSocketAddress(address, 0)));
    resolver.setTimeout(dns.timeout());
    Message response;
    try {
      // The resolver's timeout is per attempt, and a truncated UDP answer starts a TCP one; the
      // future's deadline bounds both together.
      response = resolver.sendAsync(query).toCompletableFuture().get(dns.timeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return CheckResult.failedSince(start, Failure.TIMEOUT, "no answer from " + dns.address() + ":" + dns.port() + " within " + dns.timeout().toMillis() + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CheckResult.failedSince(start, Failure.IO, "interrupted");
    } catch (ExecutionException e) {
      var cause = e.getCause();
      if (cause instanceof SocketTimeoutException || cause instanceof TimeoutException) {
        return CheckResult.failedSince(start, Failure.TIMEOUT, "no answer from " + dns.address() + ":" + dns.port() + " within " + dns.timeout().toMillis() + " ms");
      }
      var failure = cause instanceof WireParseException ? Failure.PROTOCOL : Failure.IO;
      return CheckResult.failedSince(start, failure, "querying " + dns.address() + ":" + dns.port() + ": " + cause);
    }
    var total = Duration.ofNanos(System.nanoTime() - start);
    int rcode = response.getRcode();
    int answers = response.getSection(Section.ANSWER).size();
    if (rcode != Rcode.NOERROR || answers == 0) {
      return new CheckResult(
          false, Optional.empty(), Optional.empty(), Optional.of(total), total, Optional.of(Failure.BAD_STATUS),
          Rcode.string(rcode) + " with " + answers + " answers for " + dns.name() + " " + dns.type());
    }
    return new CheckResult(
        true, Optional.empty(), Optional.empty(), Optional.of(total), total, Optional.empty(),
        answers + " answers for " + dns.name() + " " + dns.type());
  }
}
