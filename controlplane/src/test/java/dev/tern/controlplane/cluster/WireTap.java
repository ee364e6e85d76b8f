package dev.tern.controlplane.cluster;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.jgroups.Message;
import org.jgroups.stack.Protocol;
import org.jgroups.util.MessageBatch;

/**
 * A protocol that records every message passing it, in both directions, serialized as the
 * transport would write it: headers and payload. Placed right above the transport, it holds what
 * an eavesdropper on the cluster's TCP connections reads; placed higher, what the protocols there
 * see.
 */
final class WireTap extends Protocol {

  private final ByteArrayOutputStream recorded = new ByteArrayOutputStream();
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong received = new AtomicLong();

  @Override
  public Object down(Message msg) {
    record(msg);
    return down_prot.down(msg);
  }

  @Override
  public Object up(Message msg) {
    record(msg);
    received.incrementAndGet();
    return up_prot.up(msg);
  }

  @Override
  public void up(MessageBatch batch) {
    for (Message msg : batch) {
      record(msg);
      received.incrementAndGet();
    }
    up_prot.up(batch);
  }

  private void record(Message msg) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      msg.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    synchronized (recorded) {
      recorded.writeBytes(bytes.toByteArray());
    }
    messages.incrementAndGet();
  }

  /** How many messages passed so far. */
  long messages() {
    return messages.get();
  }

  /** How many of them came up from below: what others sent. */
  long received() {
    return received.get();
  }

  /** How many bytes were recorded so far. */
  int bytes() {
    synchronized (recorded) {
      return recorded.size();
    }
  }

  /** Whether {@code text}, in UTF-8, occurs anywhere in what was recorded. */
  boolean saw(String text) {
    byte[] needle = text.getBytes(StandardCharsets.UTF_8);
    byte[] haystack;
    synchronized (recorded) {
      haystack = recorded.toByteArray();
    }
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
