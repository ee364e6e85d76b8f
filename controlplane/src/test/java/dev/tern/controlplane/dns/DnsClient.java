package dev.tern.controlplane.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.xbill.DNS.ClientSubnetOption;
import org.xbill.DNS.DClass;
import org.xbill.DNS.EDNSOption;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

/**
 * A DNS client for the tests: dnsjava builds and parses every message; UDP goes through a plain
 * socket so a test controls exactly what is sent (EDNS or not, garbage), TCP through dnsjava's
 * {@link SimpleResolver}.
 */
final class DnsClient implements AutoCloseable {

  private final int port;
  private final DatagramSocket socket;

  DnsClient(int port) {
    this.port = port;
    try {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      socket.setSoTimeout(2000);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A query for {@code name}/{@code type}; with {@code ednsSize} > 0 it carries OPT, with {@code ecs} an ECS option. */
  static Message query(String name, int type, int ednsSize, Optional<ClientSubnetOption> ecs) {
    try {
      Message m = Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type,
          DClass.IN));
      if (ednsSize > 0) {
        List<EDNSOption> options = new ArrayList<>();
        ecs.ifPresent(options::add);
        m.addRecord(new OPTRecord(ednsSize, 0, 0, 0, options), Section.ADDITIONAL);
      }
      return m;
    } catch (TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static Optional<ClientSubnetOption> ecs(String address, int prefix) {
    try {
      return Optional.of(new ClientSubnetOption(prefix, InetAddress.getByName(address)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code query} over UDP and returns the parsed response. */
  Message udp(Message query) {
    return parse(udpRaw(query.toWire()).orElseThrow(() -> new AssertionError("no UDP response")));
  }

  /** Sends raw bytes over UDP; empty when nothing came back within the socket timeout. */
  Optional<byte[]> udpRaw(byte[] bytes) {
    try {
      socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getLoopbackAddress(), port));
      byte[] buf = new byte[65535];
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      socket.receive(in);
      return Optional.of(java.util.Arrays.copyOf(buf, in.getLength()));
    } catch (SocketTimeoutException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sets how long {@link #udpRaw} waits for a response. */
  void timeout(Duration timeout) {
    try {
      socket.setSoTimeout((int) timeout.toMillis());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code query} over TCP with dnsjava's resolver. */
  Message tcp(Message query) {
    try {
      SimpleResolver resolver = new SimpleResolver(InetAddress.getLoopbackAddress());
      resolver.setPort(port);
      resolver.setTCP(true);
      resolver.setTimeout(Duration.ofSeconds(3));
      return resolver.send(query);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Sends {@code query} over TCP on a plain socket (dnsjava's resolver treats AXFR specially). */
  Message tcpRaw(Message query) {
    try (java.net.Socket s = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
      s.setSoTimeout(3000);
      java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
      byte[] wire = query.toWire();
      out.writeShort(wire.length);
      out.write(wire);
      out.flush();
      java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
      byte[] response = new byte[in.readUnsignedShort()];
      in.readFully(response);
      return parse(response);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Message parse(byte[] bytes) {
    try {
      return new Message(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    socket.close();
  }
}
