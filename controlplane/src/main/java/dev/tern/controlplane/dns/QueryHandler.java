package dev.tern.controlplane.dns;

import dev.tern.policy.geo.Cidr;
import dev.tern.policy.geo.ClientZone;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Answers one DNS query from the current {@link AnswerTable}: parses the header, the question and
 * the OPT record (with EDNS Client Subnet) straight from the message bytes and writes the response
 * into a buffer it owns and reuses. One handler per thread; it is not thread-safe.
 *
 * <table>
 *   <caption>What a query gets</caption>
 *   <tr><th>query</th><th>response</th></tr>
 *   <tr><td>a response (QR set), or under 12 bytes</td><td>nothing</td></tr>
 *   <tr><td>not one question, bad name, bad OPT or ECS</td><td>FORMERR</td></tr>
 *   <tr><td>EDNS version other than 0</td><td>BADVERS</td></tr>
 *   <tr><td>opcode other than QUERY</td><td>NOTIMP</td></tr>
 *   <tr><td>class other than IN, name outside every zone</td><td>REFUSED</td></tr>
 *   <tr><td>AXFR or IXFR from outside {@code axfr-allow}</td><td>REFUSED</td></tr>
 *   <tr><td>AXFR or IXFR of an apex from inside it, over TCP</td><td>the zone in one message</td></tr>
 *   <tr><td>AXFR or IXFR from inside it, over UDP</td><td>NOTIMP</td></tr>
 *   <tr><td>name in a zone that does not exist</td><td>NXDOMAIN, SOA in authority</td></tr>
 *   <tr><td>name exists, no record of the type (or NO_ANSWER mode)</td><td>NODATA, SOA in authority</td></tr>
 *   <tr><td>A / AAAA / CNAME / ANY at a service hostname</td><td>the client zone's answer set, weighted order</td></tr>
 *   <tr><td>TXT at {@code _tern.<hostname>}</td><td>the debug record</td></tr>
 *   <tr><td>SOA or NS at an apex</td><td>the zone's SOA or NS set</td></tr>
 * </table>
 *
 * <p>Weights: every response carries the whole answer set of the client's zone, in an order drawn
 * by weighted sampling without replacement, so the first address is backend {@code i} with
 * probability {@code weight(i) / total}. A hostname backend drawn first is answered as a lone CNAME.
 */
final class QueryHandler {

  static final int NOERROR = 0;
  static final int FORMERR = 1;
  static final int SERVFAIL = 2;
  static final int NXDOMAIN = 3;
  static final int NOTIMP = 4;
  static final int REFUSED = 5;
  static final int BADVERS = 16;

  private static final int TYPE_OPT = 41;
  private static final int TYPE_IXFR = 251;
  private static final int TYPE_AXFR = 252;
  private static final int TYPE_ANY = 255;
  private static final int OPTION_ECS = 8;
  /** Room kept free for the OPT record: 11 bytes plus an ECS option of at most 4 + 4 + 16. */
  private static final int OPT_RESERVE = 11 + 24;

  private final DnsSettings settings;
  private final Supplier<AnswerTable> tables;
  private final List<Cidr> axfrAllow;
  private final byte[] out = new byte[65535];
  private final byte[] name = new byte[256];
  private final byte[] source4 = new byte[4];
  private final byte[] ecsAddress4 = new byte[4];
  private final byte[] ecsAddress16 = new byte[16];
  private final ClientSubnets.Match match = new ClientSubnets.Match();
  private int[] order = new int[16];
  private int[] weights = new int[16];

  // The query being answered.
  private byte[] q;
  private int qnameLen;
  private int qtype;
  private int questionEnd;
  private boolean questionParsed;
  private boolean hasOpt;
  private int clientUdpSize;
  private int optFlags;
  private int optVersion;
  private boolean hasEcs;
  private int ecsFamily;
  private int ecsSource;
  private int ecsOffset;
  private int ecsLength;

  // The response being written.
  private int w;
  private int anCount;
  private int nsCount;
  private int scope;
  private boolean overflow;
  private int rcode;
  private boolean truncated;

  QueryHandler(DnsSettings settings, Supplier<AnswerTable> tables) {
    this.settings = settings;
    this.tables = tables;
    this.axfrAllow = settings.axfrAllow();
  }

  /** The response buffer; valid up to the length the last {@link #handle} returned. */
  byte[] response() {
    return out;
  }

  /** The RCODE (with the extended bits) of the last response. */
  int rcode() {
    return rcode;
  }

  /** Whether the last response was truncated because it did not fit. */
  boolean truncated() {
    return truncated;
  }

  /**
   * Answers the query in {@code query[0..length)} from {@code source}.
   *
   * @return the response length in {@link #response()}, or -1 when nothing must be sent
   */
  int handle(byte[] query, int length, InetAddress source, boolean tcp) {
    q = query;
    resetQuery();
    if (length < 12 || (query[2] & 0x80) != 0) {
      return -1;
    }
    int opcode = (query[2] >> 3) & 0x0F;
    if (u16(4) != 1 || !parseQuestion(length)) {
      return finish(FORMERR, false, tcp);
    }
    if (opcode != 0) {
      return finish(NOTIMP, false, tcp);
    }
    if (!parseAdditional(length)) {
      hasEcs = false;
      return finish(FORMERR, false, tcp);
    }
    if (hasOpt && optVersion != 0) {
      hasEcs = false;
      return finish(BADVERS, false, tcp);
    }
    int qclass = u16(questionEnd - 2);
    if (qclass != 1) {
      return finish(REFUSED, false, tcp);
    }
    if (qtype == TYPE_AXFR || qtype == TYPE_IXFR) {
      if (!allowedToTransfer(source)) {
        return finish(REFUSED, false, tcp);
      }
      // A transfer is one TCP message; over UDP it is not served (RFC 5936 needs TCP).
      return tcp ? transfer(tables.get()) : finish(NOTIMP, false, false);
    }
    try {
      return answer(tables.get(), source, tcp);
    } catch (RuntimeException e) {
      // A bug must cost one query an error answer, not the worker thread.
      anCount = 0;
      nsCount = 0;
      w = questionEnd;
      return finish(SERVFAIL, false, tcp);
    }
  }

  private void resetQuery() {
    qnameLen = 0;
    qtype = 0;
    questionEnd = 12;
    questionParsed = false;
    hasOpt = false;
    clientUdpSize = 512;
    optFlags = 0;
    optVersion = 0;
    hasEcs = false;
    w = 12;
    anCount = 0;
    nsCount = 0;
    scope = 0;
    overflow = false;
    truncated = false;
  }

  private boolean parseQuestion(int length) {
    int pos = 12;
    int n = 0;
    while (true) {
      if (pos >= length) {
        return false;
      }
      int label = q[pos] & 0xFF;
      if (label == 0) {
        name[n++] = 0;
        pos++;
        break;
      }
      if (label > 63 || pos + 1 + label > length || n + 1 + label > 254) {
        return false;
      }
      name[n++] = (byte) label;
      for (int i = 1; i <= label; i++) {
        byte b = q[pos + i];
        name[n++] = b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
      }
      pos += 1 + label;
    }
    if (pos + 4 > length) {
      return false;
    }
    qnameLen = n;
    qtype = u16(pos);
    questionEnd = pos + 4;
    questionParsed = true;
    // Records follow the question, which finish() copies back from the query.
    w = questionEnd;
    return true;
  }

  /** Skips answer and authority records and reads the OPT record of the additional section. */
  private boolean parseAdditional(int length) {
    int pos = questionEnd;
    int records = u16(6) + u16(8);
    int additional = u16(10);
    for (int i = 0; i < records + additional; i++) {
      int nameStart = pos;
      pos = skipName(pos, length);
      if (pos < 0 || pos + 10 > length) {
        return false;
      }
      int type = u16(pos);
      int rdlength = u16(pos + 8);
      int rdata = pos + 10;
      if (rdata + rdlength > length) {
        return false;
      }
      if (type == TYPE_OPT) {
        if (i < records || hasOpt || pos != nameStart + 1 || q[nameStart] != 0) {
          return false;
        }
        hasOpt = true;
        clientUdpSize = u16(pos + 2);
        optVersion = q[pos + 5] & 0xFF;
        optFlags = u16(pos + 6);
        if (!parseOptions(rdata, rdlength)) {
          return false;
        }
      }
      pos = rdata + rdlength;
    }
    return pos <= length;
  }

  private int skipName(int pos, int length) {
    while (pos < length) {
      int label = q[pos] & 0xFF;
      if (label == 0) {
        return pos + 1;
      }
      if ((label & 0xC0) == 0xC0) {
        return pos + 2 <= length ? pos + 2 : -1;
      }
      if ((label & 0xC0) != 0) {
        return -1;
      }
      pos += 1 + label;
    }
    return -1;
  }

  /** Reads EDNS options; an ECS option must follow RFC 7871 to the letter or the query is FORMERR. */
  private boolean parseOptions(int pos, int length) {
    int end = pos + length;
    while (pos < end) {
      if (pos + 4 > end) {
        return false;
      }
      int code = u16(pos);
      int len = u16(pos + 2);
      int data = pos + 4;
      if (data + len > end) {
        return false;
      }
      if (code == OPTION_ECS) {
        if (hasEcs || len < 4) {
          return false;
        }
        int family = u16(data);
        int sourcePrefix = q[data + 2] & 0xFF;
        int scopePrefix = q[data + 3] & 0xFF;
        int addressLength = len - 4;
        int maxBits = family == 1 ? 32 : family == 2 ? 128 : -1;
        if (maxBits < 0 || sourcePrefix > maxBits || scopePrefix != 0 || addressLength != (sourcePrefix + 7) / 8) {
          return false;
        }
        if (sourcePrefix % 8 != 0 && (q[data + 4 + addressLength - 1] & (0xFF >> (sourcePrefix % 8))) != 0) {
          return false;
        }
        hasEcs = true;
        ecsFamily = family;
        ecsSource = sourcePrefix;
        ecsOffset = data;
        ecsLength = len;
      }
      pos = data + len;
    }
    return true;
  }

  private int answer(AnswerTable table, InetAddress source, boolean tcp) {
    AnswerTable.Node node = table.node(name, 0, qnameLen);
    if (node == null) {
      for (int off = 0; name[off] != 0; off += 1 + (name[off] & 0xFF)) {
        int next = off + 1 + (name[off] & 0xFF);
        AnswerTable.Zone zone = table.zone(name, next, qnameLen - next);
        if (zone != null) {
          negative(zone);
          return finish(NXDOMAIN, true, tcp);
        }
      }
      return finish(REFUSED, false, tcp);
    }
    AnswerTable.Zone zone = node.zone;
    if (node.apex && qtype == AnswerTable.TYPE_SOA) {
      record(12, AnswerTable.TYPE_SOA, zone.ttl, zone.soaRdata);
      anCount++;
      return finish(NOERROR, true, tcp);
    }
    if (node.apex && qtype == AnswerTable.TYPE_NS) {
      for (byte[] ns : zone.nsRdata) {
        record(12, AnswerTable.TYPE_NS, zone.ttl, ns);
        anCount++;
      }
      return finish(NOERROR, true, tcp);
    }
    boolean addressQuery = qtype == AnswerTable.TYPE_A || qtype == AnswerTable.TYPE_AAAA
        || qtype == AnswerTable.TYPE_CNAME || qtype == TYPE_ANY;
    if (node.service != null && addressQuery) {
      AnswerTable.ServiceAnswers service = node.service;
      AnswerTable.ZoneRecords records = service.forZone(clientZone(table, source));
      if (service.locationDependent) {
        scope = match.scope;
      }
      AnswerTable.Candidates candidates = records.forType(qtype);
      if (candidates.size() == 0) {
        negative(zone);
      } else {
        writeWeighted(candidates, service.plan.ttl());
      }
      return finish(NOERROR, true, tcp);
    }
    if (node.debug != null && (qtype == AnswerTable.TYPE_TXT || qtype == TYPE_ANY)) {
      ClientZone clientZone = clientZone(table, source);
      AnswerTable.ZoneRecords records = node.debug.forZone(clientZone);
      if (node.debug.locationDependent) {
        scope = match.scope;
      }
      debugTxt(clientZone, records);
      return finish(NOERROR, true, tcp);
    }
    negative(zone);
    return finish(NOERROR, true, tcp);
  }

  /**
   * AXFR (and IXFR, answered the same way, as RFC 1995 allows) of a served zone in one message:
   * SOA, NS, every service's answer for {@code default} clients, SOA. Answers that depend on the
   * client's location cannot all be transferred; the {@code default} zone's are what a client no
   * table entry covers gets.
   */
  private int transfer(AnswerTable table) {
    AnswerTable.Zone zone = table.zone(name, 0, qnameLen);
    if (zone == null) {
      return finish(REFUSED, false, true);
    }
    record(12, AnswerTable.TYPE_SOA, zone.ttl, zone.soaRdata);
    anCount++;
    for (byte[] ns : zone.nsRdata) {
      record(12, AnswerTable.TYPE_NS, zone.ttl, ns);
      anCount++;
    }
    for (AnswerTable.Hosted h : table.hostedIn(zone)) {
      AnswerTable.Candidates any = h.answers().forZone(ClientZone.DEFAULT).any;
      boolean addresses = false;
      for (int i = 0; i < any.size(); i++) {
        if (any.types[i] != AnswerTable.TYPE_CNAME) {
          namedRecord(h.owner(), any.types[i], h.answers().plan.ttl(), any.rdata[i]);
          addresses = true;
        }
      }
      if (!addresses && any.size() > 0) {
        namedRecord(h.owner(), AnswerTable.TYPE_CNAME, h.answers().plan.ttl(), any.rdata[0]);
      }
    }
    record(12, AnswerTable.TYPE_SOA, zone.ttl, zone.soaRdata);
    anCount++;
    if (overflow) {
      // Larger than one message: multi-message transfers are not implemented.
      overflow = false;
      anCount = 0;
      w = questionEnd;
      return finish(SERVFAIL, false, true);
    }
    return finish(NOERROR, true, true);
  }

  private void namedRecord(byte[] owner, int type, int ttl, byte[] rdata) {
    if (w + owner.length + 10 + rdata.length + OPT_RESERVE > out.length) {
      overflow = true;
      return;
    }
    System.arraycopy(owner, 0, out, w, owner.length);
    w += owner.length;
    put16(type);
    put16(1);
    put16(ttl >>> 16);
    put16(ttl);
    put16(rdata.length);
    System.arraycopy(rdata, 0, out, w, rdata.length);
    w += rdata.length;
    anCount++;
  }

  /** The client zone from the ECS address if the query has one, else from the source address. */
  private ClientZone clientZone(AnswerTable table, InetAddress source) {
    if (hasEcs && ecsSource > 0) {
      byte[] address = ecsFamily == 1 ? ecsAddress4 : ecsAddress16;
      java.util.Arrays.fill(address, (byte) 0);
      System.arraycopy(q, ecsOffset + 4, address, 0, ecsLength - 4);
      // RFC 7871 §11.1: no more than /24 (IPv4) or /56 (IPv6) of a client's address is used.
      int bits = Math.min(ecsSource, ecsFamily == 1 ? 24 : 56);
      table.subnets().lookup(address, bits, match);
    } else {
      byte[] address;
      if (source instanceof Inet4Address) {
        int a = source.hashCode();
        source4[0] = (byte) (a >>> 24);
        source4[1] = (byte) (a >>> 16);
        source4[2] = (byte) (a >>> 8);
        source4[3] = (byte) a;
        address = source4;
      } else {
        address = source.getAddress();
      }
      table.subnets().lookup(address, address.length * 8, match);
      // An ECS option of source prefix 0 asks that no client address be used: scope 0.
      match.scope = 0;
    }
    return match.zone;
  }

  private void writeWeighted(AnswerTable.Candidates c, int ttl) {
    int n = c.size();
    if (order.length < n) {
      order = new int[n];
      weights = new int[n];
    }
    int total = 0;
    for (int i = 0; i < n; i++) {
      order[i] = i;
      weights[i] = c.weights[i];
      total += weights[i];
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int k = 0; k < n - 1; k++) {
      int r = random.nextInt(total);
      int j = k;
      while (r >= weights[j]) {
        r -= weights[j];
        j++;
      }
      total -= weights[j];
      int o = order[k];
      order[k] = order[j];
      order[j] = o;
      int wt = weights[k];
      weights[k] = weights[j];
      weights[j] = wt;
    }
    if (c.types[order[0]] == AnswerTable.TYPE_CNAME) {
      record(12, AnswerTable.TYPE_CNAME, ttl, c.rdata[order[0]]);
      anCount++;
      return;
    }
    for (int k = 0; k < n; k++) {
      int i = order[k];
      if (c.types[i] != AnswerTable.TYPE_CNAME) {
        record(12, c.types[i], ttl, c.rdata[i]);
        anCount++;
      }
    }
  }

  private void debugTxt(ClientZone clientZone, AnswerTable.ZoneRecords records) {
    byte[] first = ("client-zone=" + clientZone.key()).getBytes(StandardCharsets.US_ASCII);
    int rdlength = 1 + first.length;
    for (byte[] s : records.debugStrings) {
      rdlength += 1 + s.length;
    }
    if (rdlength > 65535 || w + 12 + rdlength + OPT_RESERVE > out.length) {
      overflow = true;
      return;
    }
    recordHeader(12, AnswerTable.TYPE_TXT, 0, rdlength);
    out[w++] = (byte) first.length;
    System.arraycopy(first, 0, out, w, first.length);
    w += first.length;
    for (byte[] s : records.debugStrings) {
      out[w++] = (byte) s.length;
      System.arraycopy(s, 0, out, w, s.length);
      w += s.length;
    }
    anCount++;
  }

  /** The zone's SOA in the authority section, with the negative-caching TTL (RFC 2308). */
  private void negative(AnswerTable.Zone zone) {
    int apexPointer = 12 + qnameLen - zone.apex.length;
    record(apexPointer, AnswerTable.TYPE_SOA, zone.negativeTtl, zone.soaRdata);
    nsCount++;
  }

  private void record(int ownerPointer, int type, int ttl, byte[] rdata) {
    if (w + 12 + rdata.length + OPT_RESERVE > out.length) {
      overflow = true;
      return;
    }
    recordHeader(ownerPointer, type, ttl, rdata.length);
    System.arraycopy(rdata, 0, out, w, rdata.length);
    w += rdata.length;
  }

  private void recordHeader(int ownerPointer, int type, int ttl, int rdlength) {
    out[w++] = (byte) (0xC0 | (ownerPointer >> 8));
    out[w++] = (byte) ownerPointer;
    put16(type);
    put16(1);
    put16(ttl >>> 16);
    put16(ttl);
    put16(rdlength);
  }

  /**
   * Writes the header and the OPT record, and truncates when the response does not fit the
   * client's limit: 512 bytes without EDNS, else its advertised size capped at ours.
   */
  private int finish(int code, boolean authoritative, boolean tcp) {
    rcode = code;
    int limit = tcp ? 65535
        : hasOpt ? Math.min(Math.max(clientUdpSize, 512), settings.ednsUdpSize()) : 512;
    int optSize = hasOpt ? 11 + (hasEcs ? 4 + ecsLength : 0) : 0;
    if (overflow || w + optSize > limit) {
      truncated = true;
      w = questionEnd;
      anCount = 0;
      nsCount = 0;
    }
    if (!questionParsed) {
      w = 12;
    }
    out[0] = q[0];
    out[1] = q[1];
    out[2] = (byte) (0x80 | (q[2] & 0x79) | (authoritative ? 0x04 : 0) | (truncated ? 0x02 : 0));
    out[3] = (byte) (code & 0x0F);
    if (questionParsed) {
      System.arraycopy(q, 12, out, 12, questionEnd - 12);
    }
    int end = w;
    if (hasOpt) {
      out[end++] = 0;
      end = at(end, TYPE_OPT);
      end = at(end, settings.ednsUdpSize());
      out[end++] = (byte) (code >> 4);
      out[end++] = 0;
      end = at(end, optFlags & 0x8000);
      if (hasEcs) {
        end = at(end, 4 + ecsLength);
        end = at(end, OPTION_ECS);
        end = at(end, ecsLength);
        out[end++] = q[ecsOffset];
        out[end++] = q[ecsOffset + 1];
        out[end++] = q[ecsOffset + 2];
        out[end++] = (byte) scope;
        System.arraycopy(q, ecsOffset + 4, out, end, ecsLength - 4);
        end += ecsLength - 4;
      } else {
        end = at(end, 0);
      }
    }
    at(4, questionParsed ? 1 : 0);
    at(6, anCount);
    at(8, nsCount);
    at(10, hasOpt ? 1 : 0);
    return end;
  }

  /**
   * Turns the last response into a slip: the same header and question with TC set and no records,
   * so a real client retries over TCP while a spoofed victim receives almost nothing.
   */
  int slip() {
    out[2] |= 0x02;
    at(6, 0);
    at(8, 0);
    at(10, 0);
    return questionParsed ? questionEnd : 12;
  }

  private boolean allowedToTransfer(InetAddress source) {
    byte[] address = source.getAddress();
    for (Cidr cidr : axfrAllow) {
      if (cidr.contains(address)) {
        return true;
      }
    }
    return false;
  }

  private int u16(int pos) {
    return ((q[pos] & 0xFF) << 8) | (q[pos + 1] & 0xFF);
  }

  private void put16(int v) {
    out[w++] = (byte) (v >>> 8);
    out[w++] = (byte) v;
  }

  private int at(int pos, int v) {
    out[pos] = (byte) (v >>> 8);
    out[pos + 1] = (byte) v;
    return pos + 2;
  }
}
