package dev.tern.probe.check;

import dev.tern.probe.check.CheckResult.Failure;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * Runs {@link CheckSpec.Http} checks over a plain {@link Socket} (or {@link SSLSocket}), writing
 * HTTP/1.1 itself so that every phase is timed and bounded.
 *
 * <table>
 *   <caption>What the check does, phase by phase</caption>
 *   <tr><th>phase</th><th>bound</th><th>failure</th></tr>
 *   <tr><td>resolve</td><td>the resolver's own</td><td>DNS_RESOLUTION; RESERVED_ADDRESS for a
 *       link-local or cloud metadata address, which is never contacted</td></tr>
 *   <tr><td>connect</td><td>time left</td><td>CONNECT_REFUSED, CONNECT_TIMEOUT</td></tr>
 *   <tr><td>TLS</td><td>time left (the socket is closed at the deadline)</td><td>TLS_HANDSHAKE, TIMEOUT</td></tr>
 *   <tr><td>status line and headers</td><td>16 KiB; time left on every read</td><td>PROTOCOL, TIMEOUT</td></tr>
 *   <tr><td>body</td><td>{@code maxBodyBytes}; time left on every read</td><td>BODY_MISMATCH, TIMEOUT</td></tr>
 * </table>
 *
 * <p>A redirect is never followed: a 3xx is a status like any other, so a backend cannot send the
 * probe anywhere else (such as a cloud's metadata address). The body is read only when it
 * matters, that is when a substring must be found in it or when the connection is to be kept
 * alive; otherwise the check stops after the headers. TLS validates the chain and the host name
 * (endpoint identification HTTPS) against the JDK's trust store, or against the pinned CA alone.
 *
 * <p>With {@code keepAlive}, one idle connection per target is kept and reused when the server
 * allows it and the response was read to its end; a kept connection the server has since closed
 * is replaced by a new one within the same deadline.
 */
public final class HttpChecker implements Checker, AutoCloseable {

  private static final int MAX_HEADER_BYTES = 16 * 1024;
  private static final int BUFFER_BYTES = 8 * 1024;
  private static final int MAX_CHUNK_LINE_BYTES = 1024;
  private static final String HEADERS_TOO_LONG = "the response headers exceed " + MAX_HEADER_BYTES / 1024 + " KiB";
  private static final String CHUNK_LINE_TOO_LONG = "a chunk size line exceeds " + MAX_CHUNK_LINE_BYTES + " bytes";

  /** Closes sockets whose TLS handshake outlives the deadline; a read timeout alone cannot. */
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("tern-http-check-watchdog").factory());

  private final Optional<InetAddress> source;
  private final Map<String, SSLContext> pinnedContexts = new ConcurrentHashMap<>();
  private final Map<Target, Connection> idle = new ConcurrentHashMap<>();
  private final LongAdder bytesRead = new LongAdder();

  /** @param source the local address every outgoing socket binds to; empty lets the OS choose */
  public HttpChecker(Optional<InetAddress> source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  /** Response bytes (after TLS decryption) this checker has read so far, all checks together. */
  public long bytesRead() {
    return bytesRead.sum();
  }

  /**
   * @throws IllegalArgumentException for a spec of another kind: a wiring mistake, not a target's
   *     failure ({@link Checkers} routes each kind to its checker)
   */
  @Override
  public CheckResult run(CheckSpec spec) {
    if (!(spec instanceof CheckSpec.Http http)) {
      throw new IllegalArgumentException("HttpChecker runs HTTP checks, not " + spec);
    }
    var clock = new Phases(System.nanoTime(), http.timeout());
    try {
      return check(http, clock);
    } catch (CheckFailed failed) {
      return clock.failed(failed.failure, failed.getMessage());
    } catch (RuntimeException e) {
      return clock.failed(Failure.IO, "unexpected: " + e);
    }
  }

  private CheckResult check(CheckSpec.Http http, Phases clock) throws CheckFailed {
    var host = hostHeader(http);
    var request = request(http, host);
    var target = new Target(http.tls(), http.address(), http.port(), host, http.pinnedCa());
    if (http.keepAlive()) {
      var kept = idle.remove(target);
      if (kept != null) {
        try {
          return exchange(http, clock, kept, request, target);
        } catch (StaleConnection stale) {
          kept.close();
        }
      }
    }
    var fresh = open(http, clock, host);
    try {
      return exchange(http, clock, fresh, request, target);
    } catch (StaleConnection stale) {
      throw stale.onFreshConnection;
    }
  }

  private CheckResult exchange(
      CheckSpec.Http http, Phases clock, Connection conn, byte[] request, Target target)
      throws CheckFailed, StaleConnection {
    boolean keep = false;
    try {
      var in = new Reader(conn, clock);
      try {
        conn.out.write(request);
        conn.out.flush();
      } catch (IOException e) {
        throw new StaleConnection(clock.ioFailure(e, "sending the request"));
      }
      var head = in.head();
      boolean bodyMatters = http.bodyContains().isPresent() || http.keepAlive();
      var body = new ByteArrayOutputStream(0);
      boolean drained = false;
      if (bodyMatters) {
        drained = in.body(head, Math.max(0, http.maxBodyBytes()), body);
      }
      keep = http.keepAlive() && drained && head.reusable();
      var status = head.status();
      if (!http.expectedStatus().contains(status)) {
        return clock.failed(
            Failure.BAD_STATUS,
            "status " + status + ", expected one of " + http.expectedStatus().stream().sorted().toList());
      }
      if (http.bodyContains().isPresent()) {
        var text = body.toString(StandardCharsets.UTF_8);
        if (!text.contains(http.bodyContains().get())) {
          return clock.failed(
              Failure.BODY_MISMATCH,
              "status " + status + ", but the first " + body.size() + " body bytes do not contain \""
                  + http.bodyContains().get() + "\"");
        }
      }
      return clock.ok("status " + status);
    } finally {
      if (keep) {
        var previous = idle.put(target, conn);
        if (previous != null) {
          previous.close();
        }
      } else {
        conn.close();
      }
    }
  }

  private Connection open(CheckSpec.Http http, Phases clock, String host) throws CheckFailed {
    InetAddress address;
    try {
      address = InetAddress.getByName(http.address());
    } catch (UnknownHostException e) {
      throw new CheckFailed(Failure.DNS_RESOLUTION, "cannot resolve " + http.address());
    }
    var refusal = ReservedTargets.refusal(http.address(), address);
    if (refusal.isPresent()) {
      throw new CheckFailed(Failure.RESERVED_ADDRESS, refusal.get());
    }
    var socket = connect(address, http.port(), clock);
    if (!http.tls()) {
      try {
        return new Connection(socket, socket.getInputStream(), socket.getOutputStream());
      } catch (IOException e) {
        close(socket);
        throw new CheckFailed(Failure.IO, e.toString());
      }
    }
    var ssl = handshake(socket, http, clock, serverName(host));
    try {
      return new Connection(ssl, ssl.getInputStream(), ssl.getOutputStream());
    } catch (IOException e) {
      close(ssl);
      throw new CheckFailed(Failure.IO, e.toString());
    }
  }

  private Socket connect(InetAddress address, int port, Phases clock) throws CheckFailed {
    var socket = new Socket();
    try {
      if (source.isPresent()) {
        socket.bind(new InetSocketAddress(source.get(), 0));
      }
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(address, port), clock.remainingMillis());
      clock.connected();
      return socket;
    } catch (SocketTimeoutException e) {
      close(socket);
      throw new CheckFailed(Failure.CONNECT_TIMEOUT, "no connection to " + address.getHostAddress() + ":" + port + " within the timeout");
    } catch (ConnectException e) {
      close(socket);
      throw new CheckFailed(Failure.CONNECT_REFUSED, "connection to " + address.getHostAddress() + ":" + port + " refused: " + e.getMessage());
    } catch (IOException e) {
      close(socket);
      throw new CheckFailed(Failure.IO, "connecting to " + address.getHostAddress() + ":" + port + ": " + e);
    }
  }

  private SSLSocket handshake(Socket socket, CheckSpec.Http http, Phases clock, String serverName)
      throws CheckFailed {
    SSLSocket ssl;
    try {
      ssl = (SSLSocket) context(http.pinnedCa()).getSocketFactory()
          .createSocket(socket, serverName, http.port(), true);
    } catch (IOException e) {
      close(socket);
      throw new CheckFailed(Failure.TLS_HANDSHAKE, e.toString());
    }
    var params = ssl.getSSLParameters();
    params.setEndpointIdentificationAlgorithm("HTTPS");
    if (!isIpLiteral(serverName)) {
      params.setServerNames(List.of(new SNIHostName(serverName)));
    }
    ssl.setSSLParameters(params);
    ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> close(ssl), clock.remainingNanos(), TimeUnit.NANOSECONDS);
    try {
      ssl.setSoTimeout(clock.remainingMillis());
      ssl.startHandshake();
      clock.secured();
      return ssl;
    } catch (IOException e) {
      close(ssl);
      if (clock.expired() || e instanceof SocketTimeoutException) {
        throw new CheckFailed(Failure.TIMEOUT, "TLS handshake not finished within the timeout");
      }
      if (e instanceof SSLException) {
        throw new CheckFailed(Failure.TLS_HANDSHAKE, "TLS handshake failed: " + e.getMessage());
      }
      throw new CheckFailed(Failure.IO, "during the TLS handshake: " + e);
    } finally {
      alarm.cancel(false);
    }
  }

  private SSLContext context(Optional<String> pinnedCa) throws CheckFailed {
    try {
      if (pinnedCa.isEmpty()) {
        return SSLContext.getDefault();
      }
      return pinnedContexts.computeIfAbsent(pinnedCa.get(), HttpChecker::pinnedContext);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new CheckFailed(Failure.TLS_HANDSHAKE, "cannot trust the pinned CA: " + e.getMessage());
    }
  }

  private static SSLContext pinnedContext(String pem) {
    try {
      var certificates = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
      if (certificates.isEmpty()) {
        throw new IllegalArgumentException("the PEM holds no certificate");
      }
      var store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate certificate : certificates) {
        store.setCertificateEntry("pinned-" + i++, certificate);
      }
      var trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(store);
      var context = SSLContext.getInstance("TLS");
      context.init(null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String hostHeader(CheckSpec.Http http) throws CheckFailed {
    String host;
    if (http.hostHeader().isPresent()) {
      host = http.hostHeader().get();
    } else {
      var address = http.address().contains(":") ? "[" + http.address() + "]" : http.address();
      int standard = http.tls() ? 443 : 80;
      host = http.port() == standard ? address : address + ":" + http.port();
    }
    if (host.isEmpty() || hasLineBreak(host)) {
      throw new CheckFailed(Failure.PROTOCOL, "the Host header must be one non-empty line");
    }
    return host;
  }

  private static byte[] request(CheckSpec.Http http, String host) throws CheckFailed {
    var path = http.path().isEmpty() ? "/" : http.path();
    if (hasLineBreak(path) || path.contains(" ")) {
      throw new CheckFailed(Failure.PROTOCOL, "the path must not contain spaces or line breaks");
    }
    return ("GET " + path + " HTTP/1.1\r\n"
            + "Host: " + host + "\r\n"
            + "User-Agent: tern-probe\r\n"
            + "Accept: */*\r\n"
            + "Connection: " + (http.keepAlive() ? "keep-alive" : "close") + "\r\n"
            + "\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The host part of a Host header: no port, no IPv6 brackets. */
  static String serverName(String hostHeader) {
    if (hostHeader.startsWith("[")) {
      int end = hostHeader.indexOf(']');
      return end > 0 ? hostHeader.substring(1, end) : hostHeader;
    }
    int colon = hostHeader.indexOf(':');
    return colon >= 0 && colon == hostHeader.lastIndexOf(':') ? hostHeader.substring(0, colon) : hostHeader;
  }

  private static boolean isIpLiteral(String name) {
    return name.contains(":") || name.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  private static boolean hasLineBreak(String s) {
    return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // Closing is the last thing done with this socket; there is nothing left to report.
    }
  }

  /** Closes the kept-alive connections. */
  @Override
  public void close() {
    idle.values().forEach(Connection::close);
    idle.clear();
  }

  private record Target(boolean tls, String address, int port, String host, Optional<String> pinnedCa) {}

  private record Connection(Socket socket, InputStream in, OutputStream out) {
    void close() {
      HttpChecker.close(socket);
    }
  }

  /** The status line and the headers that decide how the body is framed and the connection's fate. */
  private record Head(int status, boolean http11, long contentLength, boolean chunked, boolean connectionClose) {
    boolean hasNoBody() {
      return status == 204 || status == 304 || (status >= 100 && status < 200);
    }

    boolean reusable() {
      return http11 && !connectionClose && (hasNoBody() || chunked || contentLength >= 0);
    }
  }

  /** Reads one response with a buffer of its own, re-arming the socket timeout from the time left. */
  private final class Reader {
    private final Connection conn;
    private final Phases clock;
    private final byte[] buf = new byte[BUFFER_BYTES];
    private int pos;
    private int lim;
    private boolean any;

    Reader(Connection conn, Phases clock) {
      this.conn = conn;
      this.clock = clock;
    }

    /** Fills the buffer; false at end of stream. */
    private boolean fill() throws CheckFailed, StaleConnection {
      if (clock.expired()) {
        throw new CheckFailed(Failure.TIMEOUT, clock.timeoutDetail(any));
      }
      int n;
      try {
        conn.socket.setSoTimeout(clock.remainingMillis());
        n = conn.in.read(buf, 0, buf.length);
      } catch (SocketTimeoutException e) {
        throw new CheckFailed(Failure.TIMEOUT, clock.timeoutDetail(any));
      } catch (IOException e) {
        var failure = clock.ioFailure(e, "reading the response");
        if (!any) {
          throw new StaleConnection(failure);
        }
        throw failure;
      }
      if (n <= 0) {
        if (!any) {
          throw new StaleConnection(new CheckFailed(Failure.PROTOCOL, "connection closed before the status line"));
        }
        return false;
      }
      if (!any) {
        any = true;
        clock.firstByte();
      }
      bytesRead.add(n);
      pos = 0;
      lim = n;
      return true;
    }

    private int read() throws CheckFailed, StaleConnection {
      if (pos == lim && !fill()) {
        return -1;
      }
      return buf[pos++] & 0xff;
    }

    /** One line without its CRLF, counting its bytes against {@code budget[0]}; {@code tooLong} when it runs out. */
    private String line(int[] budget, String what, String tooLong) throws CheckFailed, StaleConnection {
      var line = new StringBuilder(64);
      while (true) {
        int b = read();
        if (b < 0) {
          throw new CheckFailed(Failure.PROTOCOL, "connection closed in the " + what);
        }
        if (--budget[0] < 0) {
          throw new CheckFailed(Failure.PROTOCOL, tooLong);
        }
        if (b == '\n') {
          int len = line.length();
          if (len > 0 && line.charAt(len - 1) == '\r') {
            line.setLength(len - 1);
          }
          return line.toString();
        }
        line.append((char) b);
      }
    }

    Head head() throws CheckFailed, StaleConnection {
      int[] budget = {MAX_HEADER_BYTES};
      var statusLine = line(budget, "headers", HEADERS_TOO_LONG);
      // "HTTP/1.1 200 OK": the version, a space, three digits, then an optional reason.
      if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
        throw new CheckFailed(Failure.PROTOCOL, "not an HTTP/1.x status line: " + abbreviate(statusLine));
      }
      int status;
      try {
        status = Integer.parseInt(statusLine.substring(9, 12));
      } catch (NumberFormatException e) {
        throw new CheckFailed(Failure.PROTOCOL, "no status code in " + abbreviate(statusLine));
      }
      boolean http11 = statusLine.charAt(7) == '1';
      long contentLength = -1;
      boolean chunked = false;
      boolean connectionClose = !http11;
      while (true) {
        var header = line(budget, "headers", HEADERS_TOO_LONG);
        if (header.isEmpty()) {
          break;
        }
        int colon = header.indexOf(':');
        if (colon <= 0) {
          throw new CheckFailed(Failure.PROTOCOL, "malformed header: " + abbreviate(header));
        }
        var name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        var value = header.substring(colon + 1).trim().toLowerCase(Locale.ROOT);
        switch (name) {
          case "content-length" -> {
            try {
              contentLength = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new CheckFailed(Failure.PROTOCOL, "bad Content-Length: " + abbreviate(value));
            }
          }
          case "transfer-encoding" -> chunked = value.endsWith("chunked");
          case "connection" -> {
            if (value.contains("close")) {
              connectionClose = true;
            } else if (value.contains("keep-alive")) {
              connectionClose = false;
            }
          }
          default -> {}
        }
      }
      return new Head(status, http11, contentLength, chunked, connectionClose);
    }

    /**
     * Reads at most {@code max} body bytes into {@code body}; true when that was the whole body, so
     * the connection is positioned at the next response.
     */
    boolean body(Head head, int max, ByteArrayOutputStream body) throws CheckFailed, StaleConnection {
      if (head.hasNoBody()) {
        return true;
      }
      if (head.chunked()) {
        while (true) {
          int[] budget = {MAX_CHUNK_LINE_BYTES};
          var sizeLine = line(budget, "chunk size line", CHUNK_LINE_TOO_LONG);
          int semicolon = sizeLine.indexOf(';');
          long size;
          try {
            size = Long.parseLong((semicolon >= 0 ? sizeLine.substring(0, semicolon) : sizeLine).trim(), 16);
          } catch (NumberFormatException e) {
            throw new CheckFailed(Failure.PROTOCOL, "bad chunk size: " + abbreviate(sizeLine));
          }
          if (size == 0) {
            int[] trailers = {MAX_HEADER_BYTES};
            while (!line(trailers, "trailers", HEADERS_TOO_LONG).isEmpty()) {
              // Trailers carry nothing a health check needs.
            }
            return true;
          }
          if (!copy(size, max, body)) {
            return false;
          }
          line(budget, "chunk size line", CHUNK_LINE_TOO_LONG);
        }
      }
      if (head.contentLength() >= 0) {
        return copy(head.contentLength(), max, body);
      }
      copy(Long.MAX_VALUE, max, body);
      return false;
    }

    /** Copies {@code length} bytes (or until end of stream) unless that would pass {@code max}. */
    private boolean copy(long length, int max, ByteArrayOutputStream body) throws CheckFailed, StaleConnection {
      long left = length;
      while (left > 0) {
        if (pos == lim && !fill()) {
          if (length == Long.MAX_VALUE) {
            return true;
          }
          throw new CheckFailed(Failure.PROTOCOL, "connection closed inside the body");
        }
        int room = max - body.size();
        if (room <= 0) {
          return false;
        }
        int n = (int) Math.min(Math.min(left, lim - pos), room);
        body.write(buf, pos, n);
        pos += n;
        left -= n;
      }
      return true;
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 80 ? s : s.substring(0, 80) + "…";
  }

  /** The check's clock: one deadline, and when each phase ended. */
  private static final class Phases {
    private final long start;
    private final long deadline;
    private final Duration timeout;
    private Optional<Duration> connect = Optional.empty();
    private Optional<Duration> tls = Optional.empty();
    private Optional<Duration> firstByte = Optional.empty();

    Phases(long start, Duration timeout) {
      this.start = start;
      this.timeout = timeout;
      this.deadline = start + Math.max(0, timeout.toNanos());
    }

    long remainingNanos() {
      return deadline - System.nanoTime();
    }

    boolean expired() {
      return remainingNanos() <= 0;
    }

    /** Time left as a socket timeout: at least 1 ms, since 0 would mean forever. */
    int remainingMillis() {
      long ms = TimeUnit.NANOSECONDS.toMillis(remainingNanos() + 999_999);
      return (int) Math.clamp(ms, 1, Integer.MAX_VALUE);
    }

    private Duration since() {
      return Duration.ofNanos(System.nanoTime() - start);
    }

    void connected() {
      connect = Optional.of(since());
    }

    void secured() {
      tls = Optional.of(since());
    }

    void firstByte() {
      firstByte = Optional.of(since());
    }

    String timeoutDetail(boolean anyByte) {
      return (anyByte ? "response not complete" : "no response") + " within " + timeout.toMillis() + " ms";
    }

    CheckFailed ioFailure(IOException e, String doing) {
      if (expired()) {
        return new CheckFailed(Failure.TIMEOUT, timeoutDetail(firstByte.isPresent()));
      }
      return new CheckFailed(Failure.IO, doing + ": " + e);
    }

    CheckResult ok(String detail) {
      return new CheckResult(true, connect, tls, firstByte, since(), Optional.empty(), detail);
    }

    CheckResult failed(Failure failure, String detail) {
      return new CheckResult(false, connect, tls, firstByte, since(), Optional.of(failure), detail);
    }
  }

  /** A check that ended early, with its reason; thrown without a stack trace, only within this class. */
  private static final class CheckFailed extends Exception {
    final Failure failure;

    CheckFailed(Failure failure, String detail) {
      super(detail, null, false, false);
      this.failure = failure;
    }
  }

  /**
   * A connection that ended before any byte of the response: on a kept-alive one, most likely
   * dropped by the server while idle, so worth one new connection; on a new one, the check's
   * failure.
   */
  private static final class StaleConnection extends Exception {
    final CheckFailed onFreshConnection;

    StaleConnection(CheckFailed onFreshConnection) {
      super(null, null, false, false);
      this.onFreshConnection = onFreshConnection;
    }
  }
}
