package dev.tern.controlplane.dns;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of the embedded DNS: UDP and TCP on one address and port.
 *
 * <p>UDP: one platform thread per worker, each blocking on its own {@link DatagramChannel} bound to
 * the shared port with {@code SO_REUSEPORT}, so the kernel spreads clients over the workers and no
 * two threads contend for a socket. Each worker owns its {@link QueryHandler} and buffers; a query
 * allocates only what the JDK allocates to report the sender's address. Where {@code SO_REUSEPORT}
 * is not available the workers share one socket.
 *
 * <p>TCP: messages framed by a two-byte length, any number per connection, answered in order; a
 * connection idle for {@code tcp.idle-timeout} is closed, and beyond {@code tcp.max-connections}
 * new connections are closed at once. Each connection runs on a virtual thread. TCP responses are
 * not rate limited: a TCP client has proven its address.
 */
final class DnsServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(DnsServer.class);

  private final DnsSettings settings;
  private final Supplier<AnswerTable> tables;
  private final DnsMetrics metrics;
  private final ResponseRateLimiter limiter;
  private final List<DatagramChannel> udp = new ArrayList<>();
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicLong errors = new AtomicLong();
  private final Semaphore connections;
  private ServerSocket tcp;
  private Thread acceptor;
  private ExecutorService connectionThreads;
  private volatile boolean running;
  private int port;

  DnsServer(DnsSettings settings, Supplier<AnswerTable> tables, DnsMetrics metrics) {
    this.settings = settings;
    this.tables = tables;
    this.metrics = metrics;
    this.limiter = new ResponseRateLimiter(settings.rateLimit(), System::nanoTime);
    this.connections = new Semaphore(settings.tcp().maxConnections());
  }

  /**
   * Binds UDP and TCP and starts serving.
   *
   * @throws IOException when the address or port cannot be bound; not retryable without a change
   *     of {@code tern.dns.host} or {@code tern.dns.port}
   */
  synchronized void start() throws IOException {
    InetAddress host = InetAddress.getByName(settings.host());
    int workerCount = settings.udpWorkers() > 0 ? settings.udpWorkers() : Runtime.getRuntime().availableProcessors();
    bind(host, workerCount);
    running = true;
    connectionThreads = Executors.newVirtualThreadPerTaskExecutor();
    for (int i = 0; i < workerCount; i++) {
      DatagramChannel channel = udp.get(Math.min(i, udp.size() - 1));
      Thread t = Thread.ofPlatform().daemon().name("tern-dns-udp-" + i).start(() -> serveUdp(channel));
      workers.add(t);
    }
    acceptor = Thread.ofPlatform().daemon().name("tern-dns-tcp").start(this::acceptTcp);
  }

  /** With port 0 the UDP port is picked first, then TCP must get the same number: retry a few times. */
  private void bind(InetAddress host, int workerCount) throws IOException {
    int attempts = settings.port() == 0 ? 20 : 1;
    IOException last = null;
    for (int attempt = 0; attempt < attempts; attempt++) {
      try {
        DatagramChannel first = openUdp(host, settings.port());
        udp.add(first);
        int bound = ((InetSocketAddress) first.getLocalAddress()).getPort();
        boolean reusePort = first.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT);
        for (int i = 1; i < workerCount && reusePort; i++) {
          udp.add(openUdp(host, bound));
        }
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(host, bound), 128);
        tcp = server;
        port = bound;
        return;
      } catch (BindException e) {
        last = e;
        closeUdp();
      }
    }
    throw new IOException("cannot bind DNS on " + settings.host() + ":" + settings.port()
        + " (UDP and TCP); choose another tern.dns.port or tern.dns.host", last);
  }

  private static DatagramChannel openUdp(InetAddress host, int port) throws IOException {
    DatagramChannel channel = DatagramChannel.open();
    try {
      if (channel.supportedOptions().contains(StandardSocketOptions.SO_REUSEPORT)) {
        channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
      }
      channel.setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
      channel.bind(new InetSocketAddress(host, port));
      return channel;
    } catch (IOException e) {
      channel.close();
      throw e;
    }
  }

  /** The port UDP and TCP listen on. */
  int port() {
    return port;
  }

  private void serveUdp(DatagramChannel channel) {
    QueryHandler handler = new QueryHandler(settings, tables);
    ByteBuffer in = ByteBuffer.allocate(65535);
    ByteBuffer out = ByteBuffer.wrap(handler.response());
    while (running) {
      try {
        in.clear();
        SocketAddress from = channel.receive(in);
        if (from == null) {
          continue;
        }
        InetAddress client = ((InetSocketAddress) from).getAddress();
        int length = handler.handle(in.array(), in.position(), client, false);
        if (length < 0) {
          continue;
        }
        switch (limiter.charge(client)) {
          case DROP -> {
            metrics.dropped();
            continue;
          }
          case SLIP -> {
            length = handler.slip();
            metrics.slipped();
          }
          case SEND -> metrics.response(false, handler.rcode(), handler.truncated());
        }
        out.clear().limit(length);
        channel.send(out, from);
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException | RuntimeException e) {
        failed("UDP", e);
      }
    }
  }

  private void acceptTcp() {
    while (running) {
      Socket socket;
      try {
        socket = tcp.accept();
      } catch (IOException e) {
        if (!running) {
          return;
        }
        failed("TCP accept", e);
        continue;
      }
      if (!connections.tryAcquire()) {
        closeQuietly(socket);
        continue;
      }
      try {
        connectionThreads.execute(() -> {
          try {
            serveTcp(socket);
          } finally {
            connections.release();
            closeQuietly(socket);
          }
        });
      } catch (java.util.concurrent.RejectedExecutionException e) {
        connections.release();
        closeQuietly(socket);
      }
    }
  }

  private void serveTcp(Socket socket) {
    try {
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, settings.tcp().idleTimeout().toMillis()));
      socket.setTcpNoDelay(true);
      DataInputStream in = new DataInputStream(socket.getInputStream());
      OutputStream out = socket.getOutputStream();
      QueryHandler handler = new QueryHandler(settings, tables);
      byte[] query = new byte[65535];
      byte[] frame = new byte[2];
      InetAddress client = socket.getInetAddress();
      while (running) {
        int length = readLength(in);
        if (length <= 0) {
          return;
        }
        in.readFully(query, 0, length);
        int n = handler.handle(query, length, client, true);
        if (n < 0) {
          continue;
        }
        metrics.response(true, handler.rcode(), false);
        frame[0] = (byte) (n >>> 8);
        frame[1] = (byte) n;
        out.write(frame);
        out.write(handler.response(), 0, n);
        out.flush();
      }
    } catch (SocketTimeoutException | EOFException e) {
      // Idle past the timeout, or the client closed mid-message: the connection ends.
    } catch (SocketException e) {
      // Reset by the client or closed by close(): nothing to answer.
    } catch (IOException | RuntimeException e) {
      failed("TCP", e);
    }
  }

  /** The next two-byte length, or -1 at a clean end of stream. */
  private static int readLength(InputStream in) throws IOException {
    int hi = in.read();
    if (hi < 0) {
      return -1;
    }
    int lo = in.read();
    if (lo < 0) {
      throw new EOFException("connection closed inside a length prefix");
    }
    return (hi << 8) | lo;
  }

  /** Logs the first failure and then one in ten thousand, so a bad client cannot flood the log. */
  private void failed(String where, Exception e) {
    long n = errors.incrementAndGet();
    if (n == 1 || n % 10_000 == 0) {
      LOG.warn("DNS {} failure ({} so far): {}", where, n, e.toString(), e);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      LOG.debug("closing a DNS TCP connection failed", e);
    }
  }

  private void closeUdp() {
    for (DatagramChannel c : udp) {
      try {
        c.close();
      } catch (IOException e) {
        LOG.debug("closing a DNS UDP socket failed", e);
      }
    }
    udp.clear();
  }

  @Override
  public synchronized void close() {
    running = false;
    closeUdp();
    if (tcp != null) {
      try {
        tcp.close();
      } catch (IOException e) {
        LOG.debug("closing the DNS TCP listener failed", e);
      }
    }
    if (connectionThreads != null) {
      connectionThreads.shutdownNow();
    }
    for (Thread t : workers) {
      try {
        t.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
