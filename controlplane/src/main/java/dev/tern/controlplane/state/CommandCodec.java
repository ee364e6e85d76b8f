package dev.tern.controlplane.state;

import dev.tern.controlplane.state.Command.DeleteService;
import dev.tern.controlplane.state.Command.PublishPlan;
import dev.tern.controlplane.state.Command.PutService;
import dev.tern.controlplane.state.Command.RecordMembership;
import dev.tern.controlplane.state.Command.RecordVerdicts;
import dev.tern.controlplane.state.Command.SetDrain;
import dev.tern.controlplane.state.Command.VerdictRecord;
import dev.tern.controlplane.kubernetes.DiscoveredBackend;
import dev.tern.policy.geo.ClientZone;
import dev.tern.policy.geo.Region;
import dev.tern.policy.health.Health;
import dev.tern.policy.model.Jurisdiction;
import dev.tern.policy.routing.RoutingPlan;
import dev.tern.policy.routing.WeightedAnswer;
import dev.tern.policy.routing.ZoneAnswer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one place commands, plans and results become bytes and back. Layout of a command: {@code
 * short id, byte version, fields...}. Decoding dispatches on (id, version), so once a version has
 * been written to a log its decoder stays here for good.
 *
 * <p>Strings are UTF-8 with an int length (so policies over 64 KiB fit); instants are epoch
 * milliseconds; optionals are a presence byte and the value.
 */
public final class CommandCodec {

  private CommandCodec() {}

  /** Thrown for bytes that are no command this version of Tern knows. */
  public static final class UnknownCommandException extends IOException {
    UnknownCommandException(String message) {
      super(message);
    }
  }

  public static byte[] encode(Command command) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeShort(command.id());
      out.writeByte(command.version());
      writeString(out, command.actor());
      writeInstant(out, command.at());
      switch (command) {
        case PutService c -> {
          writeString(out, c.reason());
          writeString(out, c.name());
          writeString(out, c.yaml());
          out.writeLong(c.ifVersion());
        }
        case DeleteService c -> {
          writeString(out, c.reason());
          writeString(out, c.name());
        }
        case SetDrain c -> {
          writeString(out, c.reason());
          writeString(out, c.service());
          writeString(out, c.backend());
          out.writeBoolean(c.drained());
        }
        case RecordVerdicts c -> {
          out.writeInt(c.verdicts().size());
          for (VerdictRecord v : c.verdicts()) {
            writeVerdict(out, v);
          }
        }
        case PublishPlan c -> {
          out.writeLong(c.basedOnVersion());
          writePlan(out, c.plan());
          out.writeBoolean(c.failover().isPresent());
          if (c.failover().isPresent()) {
            writeFailover(out, c.failover().get());
          }
          writeOptionalStamp(out, c.decidedBy());
        }
        case RecordMembership c -> {
          writeString(out, c.reason());
          writeString(out, c.action());
          writeString(out, c.member());
        }
        case Command.OpenTerm c -> {
          writeString(out, c.leader());
          out.writeLong(c.term());
        }
        case Command.StartChaosRun c -> {
          writeString(out, c.reason());
          writeString(out, c.runId());
          writeString(out, c.scenario());
          writeString(out, c.yaml());
          writeStrings(out, c.targets());
          writeInstant(out, c.revertDueAt());
          writeOptionalStamp(out, c.startedBy());
        }
        case Command.EndChaosRun c -> {
          writeString(out, c.runId());
          writeString(out, c.outcome());
          writeString(out, c.report());
        }
        case Command.HealChaosRun c -> writeString(out, c.runId());
        case Command.PutScenario c -> {
          writeString(out, c.reason());
          writeString(out, c.name());
          writeString(out, c.yaml());
        }
        case Command.DeleteScenario c -> {
          writeString(out, c.reason());
          writeString(out, c.name());
        }
        case Command.PauseScenario c -> {
          writeString(out, c.reason());
          writeString(out, c.name());
          out.writeBoolean(c.paused());
        }
        case Command.ScheduleFired c -> {
          writeString(out, c.name());
          writeInstant(out, c.dueAt());
          writeString(out, c.result());
        }
        case Command.RecordDelivery c -> {
          out.writeLong(c.incident());
          writeString(out, c.route());
          writeString(out, c.event());
          writeString(out, c.outcome());
        }
        case Command.ResolveIncident c -> {
          out.writeLong(c.incident());
          writeString(out, c.why());
        }
        case Command.RecordGuardrailBlock c -> {
          writeString(out, c.service());
          writeString(out, c.message());
          writeStrings(out, c.keptInService());
        }
        case Command.RecordProviderSyncFailing c -> {
          writeString(out, c.service());
          writeString(out, c.provider());
          writeInstant(out, c.failingSince());
          writeString(out, c.error());
        }
        case Command.RecordProviderDrift c -> {
          writeString(out, c.service());
          writeString(out, c.provider());
          writeStrings(out, c.changes());
        }
        case Command.RecordDiscovery c -> {
          writeString(out, c.cluster());
          out.writeBoolean(c.stale());
          out.writeInt(c.services().size());
          for (Map.Entry<String, List<DiscoveredBackend>> e : c.services().entrySet()) {
            writeString(out, e.getKey());
            out.writeInt(e.getValue().size());
            for (DiscoveredBackend b : e.getValue()) {
              writeDiscovered(out, b);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static Command decode(byte[] buf, int offset, int length) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(buf, offset, length));
    short id = in.readShort();
    byte version = in.readByte();
    if (id < Command.Ids.PUT_SERVICE || id > Command.Ids.NEWEST) {
      throw new UnknownCommandException("unknown command id " + id + "; was this log written by a newer Tern?");
    }
    byte newest = switch (id) {
      case Command.Ids.PUT_SERVICE, Command.Ids.PUBLISH_PLAN, Command.Ids.OPEN_TERM, Command.Ids.START_CHAOS_RUN -> 2;
      default -> 1;
    };
    if (version < 1 || version > newest) {
      throw new UnknownCommandException("command " + id + " version " + version + " is newer than this node");
    }
    String actor = readString(in);
    Instant at = readInstant(in);
    return switch (id) {
      case Command.Ids.PUT_SERVICE -> version == 1
          ? new PutService(actor, at, readString(in), readString(in), readString(in))
          : new PutService(actor, at, readString(in), readString(in), readString(in), in.readLong());
      case Command.Ids.DELETE_SERVICE -> new DeleteService(actor, at, readString(in), readString(in));
      case Command.Ids.SET_DRAIN ->
          new SetDrain(actor, at, readString(in), readString(in), readString(in), in.readBoolean());
      case Command.Ids.RECORD_VERDICTS -> {
        int n = in.readInt();
        List<VerdictRecord> verdicts = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          verdicts.add(readVerdict(in));
        }
        yield new RecordVerdicts(actor, at, verdicts);
      }
      case Command.Ids.PUBLISH_PLAN -> {
        long based = in.readLong();
        RoutingPlan plan = readPlan(in);
        Optional<FailoverEvent> failover = in.readBoolean() ? Optional.of(readFailover(in)) : Optional.empty();
        Optional<LeaderStamp> decidedBy = version == 1 ? Optional.empty() : readOptionalStamp(in);
        yield new PublishPlan(actor, at, based, plan, failover, decidedBy);
      }
      case Command.Ids.RECORD_MEMBERSHIP ->
          new RecordMembership(actor, at, readString(in), readString(in), readString(in));
      case Command.Ids.OPEN_TERM -> version == 1
          ? new Command.OpenTerm(actor, at, readString(in), Command.OpenTerm.NO_TERM)
          : new Command.OpenTerm(actor, at, readString(in), in.readLong());
      case Command.Ids.START_CHAOS_RUN -> version == 1
          ? new Command.StartChaosRun(actor, at, readString(in), readString(in), readString(in), readString(in),
              readStrings(in), readInstant(in))
          : new Command.StartChaosRun(actor, at, readString(in), readString(in), readString(in), readString(in),
              readStrings(in), readInstant(in), readOptionalStamp(in));
      case Command.Ids.END_CHAOS_RUN -> new Command.EndChaosRun(actor, at, readString(in), readString(in), readString(in));
      case Command.Ids.HEAL_CHAOS_RUN -> new Command.HealChaosRun(actor, at, readString(in));
      case Command.Ids.PUT_SCENARIO -> new Command.PutScenario(actor, at, readString(in), readString(in), readString(in));
      case Command.Ids.DELETE_SCENARIO -> new Command.DeleteScenario(actor, at, readString(in), readString(in));
      case Command.Ids.PAUSE_SCENARIO ->
          new Command.PauseScenario(actor, at, readString(in), readString(in), in.readBoolean());
      case Command.Ids.SCHEDULE_FIRED -> new Command.ScheduleFired(actor, at, readString(in), readInstant(in), readString(in));
      case Command.Ids.RECORD_DELIVERY ->
          new Command.RecordDelivery(actor, at, in.readLong(), readString(in), readString(in), readString(in));
      case Command.Ids.RESOLVE_INCIDENT -> new Command.ResolveIncident(actor, at, in.readLong(), readString(in));
      case Command.Ids.RECORD_GUARDRAIL_BLOCK ->
          new Command.RecordGuardrailBlock(actor, at, readString(in), readString(in), readStrings(in));
      case Command.Ids.RECORD_PROVIDER_SYNC_FAILING ->
          new Command.RecordProviderSyncFailing(actor, at, readString(in), readString(in), readInstant(in), readString(in));
      case Command.Ids.RECORD_PROVIDER_DRIFT ->
          new Command.RecordProviderDrift(actor, at, readString(in), readString(in), readStrings(in));
      case Command.Ids.RECORD_DISCOVERY -> {
        String cluster = readString(in);
        boolean stale = in.readBoolean();
        int n = in.readInt();
        Map<String, List<DiscoveredBackend>> services = new TreeMap<>();
        for (int i = 0; i < n; i++) {
          String service = readString(in);
          int m = in.readInt();
          List<DiscoveredBackend> backends = new ArrayList<>(m);
          for (int j = 0; j < m; j++) {
            backends.add(readDiscovered(in));
          }
          services.put(service, backends);
        }
        yield new Command.RecordDiscovery(actor, at, cluster, stale, services);
      }
      default -> throw new UnknownCommandException("unknown command id " + id);
    };
  }

  public static byte[] encode(ApplyResult result) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      switch (result) {
        case ApplyResult.Applied a -> {
          out.writeByte(0);
          out.writeLong(a.version());
        }
        case ApplyResult.Rejected r -> {
          out.writeByte(1);
          writeString(out, r.reason());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  public static ApplyResult decodeResult(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      return in.readByte() == 0 ? new ApplyResult.Applied(in.readLong()) : new ApplyResult.Rejected(readString(in));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void writeVerdict(DataOutput out, VerdictRecord v) throws IOException {
    writeString(out, v.service());
    writeString(out, v.backend());
    out.writeByte(v.health().ordinal());
    writeInstant(out, v.since());
    writeOptionalInstant(out, v.lastUnhealthy());
    writeString(out, v.reason());
    writeStrings(out, v.downVantages());
  }

  static VerdictRecord readVerdict(DataInput in) throws IOException {
    return new VerdictRecord(
        readString(in), readString(in), Health.values()[in.readByte()], readInstant(in),
        readOptionalInstant(in), readString(in), readStrings(in));
  }

  static void writePlan(DataOutput out, RoutingPlan p) throws IOException {
    writeString(out, p.service());
    writeString(out, p.hostname());
    out.writeLong(p.version());
    out.writeLong(p.policyVersion());
    out.writeInt(p.ttl());
    writeInstant(out, p.decidedAt());
    out.writeInt(p.recentChanges().size());
    for (Instant t : p.recentChanges()) {
      writeInstant(out, t);
    }
    out.writeInt(p.zones().size());
    for (ZoneAnswer z : p.zones()) {
      writeString(out, z.zone().key());
      out.writeByte(z.mode().ordinal());
      out.writeInt(z.answers().size());
      for (WeightedAnswer a : z.answers()) {
        writeString(out, a.backend());
        writeString(out, a.address());
        out.writeInt(a.weight());
        out.writeByte(a.standing().ordinal());
      }
      writeStrings(out, z.explanation());
    }
  }

  static RoutingPlan readPlan(DataInput in) throws IOException {
    String service = readString(in);
    String hostname = readString(in);
    long version = in.readLong();
    long policyVersion = in.readLong();
    int ttl = in.readInt();
    Instant decidedAt = readInstant(in);
    int changes = in.readInt();
    List<Instant> recent = new ArrayList<>(changes);
    for (int i = 0; i < changes; i++) {
      recent.add(readInstant(in));
    }
    int zoneCount = in.readInt();
    List<ZoneAnswer> zones = new ArrayList<>(zoneCount);
    for (int i = 0; i < zoneCount; i++) {
      String key = readString(in);
      ClientZone zone = ClientZone.parse(key).orElseThrow(() -> new IOException("unknown client zone " + key));
      ZoneAnswer.Mode mode = ZoneAnswer.Mode.values()[in.readByte()];
      int n = in.readInt();
      List<WeightedAnswer> answers = new ArrayList<>(n);
      for (int j = 0; j < n; j++) {
        answers.add(new WeightedAnswer(readString(in), readString(in), in.readInt(),
            WeightedAnswer.Standing.values()[in.readByte()]));
      }
      zones.add(new ZoneAnswer(zone, mode, answers, readStrings(in)));
    }
    return new RoutingPlan(service, hostname, version, policyVersion, ttl, decidedAt, recent, zones);
  }

  static void writeFailover(DataOutput out, FailoverEvent e) throws IOException {
    writeString(out, e.service());
    out.writeLong(e.fromVersion());
    out.writeLong(e.toVersion());
    writeStrings(out, e.failed());
    writeStrings(out, e.seenBy());
    writeStrings(out, e.changes());
    writeInstant(out, e.detectedAt());
    writeInstant(out, e.decidedAt());
  }

  static FailoverEvent readFailover(DataInput in) throws IOException {
    return new FailoverEvent(readString(in), in.readLong(), in.readLong(), readStrings(in), readStrings(in),
        readStrings(in), readInstant(in), readInstant(in));
  }

  static void writeAudit(DataOutput out, AuditEntry e) throws IOException {
    out.writeLong(e.sequence());
    writeInstant(out, e.at());
    writeString(out, e.actor());
    writeString(out, e.action());
    writeString(out, e.target());
    writeString(out, e.reason());
    writeString(out, e.before());
    writeString(out, e.after());
  }

  static AuditEntry readAudit(DataInput in) throws IOException {
    return new AuditEntry(in.readLong(), readInstant(in), readString(in), readString(in), readString(in),
        readString(in), readString(in), readString(in));
  }

  static void writePlanChange(DataOutput out, PlanChange c) throws IOException {
    out.writeLong(c.sequence());
    writeString(out, c.service());
    out.writeLong(c.fromVersion());
    out.writeLong(c.toVersion());
    writeInstant(out, c.decidedAt());
    writeString(out, c.kind());
    writeString(out, c.cause());
    writeStrings(out, c.changes());
    writeOptionalInstant(out, c.detectedAt());
    out.writeLong(c.auditSequence());
  }

  static PlanChange readPlanChange(DataInput in) throws IOException {
    return new PlanChange(in.readLong(), readString(in), in.readLong(), in.readLong(), readInstant(in), readString(in),
        readString(in), readStrings(in), readOptionalInstant(in), in.readLong(), Optional.empty());
  }

  static void writeChaosRun(DataOutput out, ChaosRun r) throws IOException {
    writeString(out, r.id());
    writeString(out, r.scenario());
    writeString(out, r.yaml());
    writeString(out, r.actor());
    writeString(out, r.reason());
    writeInstant(out, r.startedAt());
    writeInstant(out, r.revertDueAt());
    writeStrings(out, r.targets());
    out.writeBoolean(r.end().isPresent());
    if (r.end().isPresent()) {
      writeInstant(out, r.end().get().at());
      writeString(out, r.end().get().outcome());
      writeString(out, r.end().get().report());
    }
  }

  static ChaosRun readChaosRun(DataInput in) throws IOException {
    String id = readString(in);
    String scenario = readString(in);
    String yaml = readString(in);
    String actor = readString(in);
    String reason = readString(in);
    Instant started = readInstant(in);
    Instant due = readInstant(in);
    List<String> targets = readStrings(in);
    Optional<ChaosRun.Ended> end = in.readBoolean()
        ? Optional.of(new ChaosRun.Ended(readInstant(in), readString(in), readString(in))) : Optional.empty();
    return new ChaosRun(id, scenario, yaml, actor, reason, started, due, targets, end.map(ChaosRun.Ended::at), end,
        Optional.empty());
  }

  static void writeIncident(DataOutput out, Incident i) throws IOException {
    out.writeLong(i.id());
    writeString(out, i.service());
    writeString(out, i.kind());
    writeString(out, i.severity());
    writeString(out, i.summary());
    writeInstant(out, i.openedAt());
    writeOptionalInstant(out, i.detectedAt());
    writeOptionalInstant(out, i.resolvedAt());
    writeStrings(out, i.failed());
    writeStrings(out, i.seenBy());
    writeStrings(out, i.changes());
    out.writeBoolean(i.chaosRun().isPresent());
    if (i.chaosRun().isPresent()) {
      writeString(out, i.chaosRun().get());
    }
    out.writeLong(i.timelineSequence());
    out.writeInt(i.updates().size());
    for (Incident.Update u : i.updates()) {
      writeInstant(out, u.at());
      writeString(out, u.what());
    }
    out.writeInt(i.deliveries().size());
    for (Incident.Delivery d : i.deliveries()) {
      writeString(out, d.route());
      writeString(out, d.event());
      writeInstant(out, d.at());
      writeString(out, d.outcome());
    }
  }

  static Incident readIncident(DataInput in) throws IOException {
    long id = in.readLong();
    String service = readString(in);
    String kind = readString(in);
    String severity = readString(in);
    String summary = readString(in);
    Instant opened = readInstant(in);
    Optional<Instant> detected = readOptionalInstant(in);
    Optional<Instant> resolved = readOptionalInstant(in);
    List<String> failed = readStrings(in);
    List<String> seenBy = readStrings(in);
    List<String> changes = readStrings(in);
    Optional<String> chaosRun = in.readBoolean() ? Optional.of(readString(in)) : Optional.empty();
    long timeline = in.readLong();
    int n = in.readInt();
    List<Incident.Update> updates = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      updates.add(new Incident.Update(readInstant(in), readString(in)));
    }
    n = in.readInt();
    List<Incident.Delivery> deliveries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      deliveries.add(new Incident.Delivery(readString(in), readString(in), readInstant(in), readString(in)));
    }
    return new Incident(id, service, kind, severity, summary, opened, detected, resolved, failed, seenBy, changes, chaosRun,
        timeline, updates, deliveries);
  }

  static void writeScenario(DataOutput out, ChaosScenarioEntry e) throws IOException {
    writeString(out, e.name());
    writeString(out, e.yaml());
    writeString(out, e.actor());
    writeInstant(out, e.updatedAt());
    out.writeBoolean(e.paused());
    writeOptionalInstant(out, e.lastDue());
    writeString(out, e.lastResult());
  }

  static ChaosScenarioEntry readScenario(DataInput in) throws IOException {
    return new ChaosScenarioEntry(readString(in), readString(in), readString(in), readInstant(in), in.readBoolean(),
        readOptionalInstant(in), readString(in));
  }

  static void writeDiscovered(DataOutput out, DiscoveredBackend b) throws IOException {
    writeString(out, b.name());
    writeString(out, b.source().cluster());
    writeString(out, b.source().kind().name());
    writeString(out, b.source().namespace());
    writeString(out, b.source().name());
    writeString(out, b.region().key());
    writeString(out, b.jurisdiction().code());
    writeString(out, b.address());
    out.writeInt(b.weight());
    out.writeInt(b.priority());
    out.writeInt(b.capacity());
    out.writeBoolean(b.ready());
    writeStrings(out, b.problems());
  }

  static DiscoveredBackend readDiscovered(DataInput in) throws IOException {
    String name = readString(in);
    DiscoveredBackend.Source source = new DiscoveredBackend.Source(readString(in),
        DiscoveredBackend.Kind.valueOf(readString(in)), readString(in), readString(in));
    String regionKey = readString(in);
    Region region = Region.parse(regionKey)
        .orElseThrow(() -> new UnknownCommandException("region " + regionKey + " is unknown to this node"));
    return new DiscoveredBackend(name, source, region, new Jurisdiction(readString(in)), readString(in), in.readInt(),
        in.readInt(), in.readInt(), in.readBoolean(), readStrings(in));
  }

  static void writeString(DataOutput out, String s) throws IOException {
    byte[] b = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > 64 << 20) {
      throw new IOException("string of " + n + " bytes is out of range");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, java.nio.charset.StandardCharsets.UTF_8);
  }

  static void writeStrings(DataOutput out, List<String> list) throws IOException {
    out.writeInt(list.size());
    for (String s : list) {
      writeString(out, s);
    }
  }

  static List<String> readStrings(DataInput in) throws IOException {
    int n = in.readInt();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(readString(in));
    }
    return out;
  }

  static void writeInstant(DataOutput out, Instant t) throws IOException {
    out.writeLong(t.toEpochMilli());
  }

  static Instant readInstant(DataInput in) throws IOException {
    return Instant.ofEpochMilli(in.readLong());
  }

  static void writeStamp(DataOutput out, LeaderStamp stamp) throws IOException {
    writeString(out, stamp.node());
    out.writeLong(stamp.term());
  }

  static LeaderStamp readStamp(DataInput in) throws IOException {
    String node = readString(in);
    long term = in.readLong();
    if (term < 1) {
      throw new IOException("a leader's stamp holds term " + term + ", below 1");
    }
    return new LeaderStamp(node, term);
  }

  static void writeOptionalStamp(DataOutput out, Optional<LeaderStamp> stamp) throws IOException {
    out.writeBoolean(stamp.isPresent());
    if (stamp.isPresent()) {
      writeStamp(out, stamp.get());
    }
  }

  static Optional<LeaderStamp> readOptionalStamp(DataInput in) throws IOException {
    return in.readBoolean() ? Optional.of(readStamp(in)) : Optional.empty();
  }

  static void writeOptionalInstant(DataOutput out, Optional<Instant> t) throws IOException {
    out.writeBoolean(t.isPresent());
    if (t.isPresent()) {
      writeInstant(out, t.get());
    }
  }

  static Optional<Instant> readOptionalInstant(DataInput in) throws IOException {
    return in.readBoolean() ? Optional.of(readInstant(in)) : Optional.empty();
  }
}
