package dev.tern.controlplane.api;

import dev.tern.controlplane.cluster.RaftNode;
import dev.tern.controlplane.cluster.RaftNode.MembershipAction;
import dev.tern.controlplane.security.Caller;
import dev.tern.controlplane.security.RequiresRole;
import dev.tern.controlplane.security.Role;
import dev.tern.controlplane.state.ApplyResult;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpStatus;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Delete;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.exceptions.HttpStatusException;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The cluster as this node sees it, and membership changes. */
@Controller("/api/v1/cluster")
@ExecuteOn(TaskExecutors.BLOCKING)
final class ClusterController {

  /**
   * One node's view.
   *
   * @param lag on the leader, entries each member is behind the leader's log; empty elsewhere
   * @param termLeaders the node recorded as leader of each recent term, keyed by the term in decimal
   */
  @Serdeable
  record Status(String node, boolean leader, String leaderId, long term, long commitIndex, long lastApplied,
      List<String> members, List<String> connected, Map<String, Long> lag, long policyVersion,
      Map<String, String> termLeaders) {}

  private static final Duration MEMBERSHIP_TIMEOUT = Duration.ofSeconds(10);

  private final RaftNode node;

  ClusterController(RaftNode node) {
    this.node = node;
  }

  @Get
  Status status() {
    Map<String, Long> lag = new TreeMap<>();
    long last = node.isLeader() ? node.lastAppended() : 0;
    node.matchIndexByMember().forEach((member, match) -> lag.put(member, Math.max(0, last - match)));
    return new Status(node.nodeId(), node.isLeader(), node.leaderId().orElse(null), node.term(), node.commitIndex(),
        node.lastApplied(), node.members(), node.connected(), lag, node.state().policyVersion(), termLeaders());
  }

  /** In term order (a map keyed by strings would sort "10" before "9"). */
  private Map<String, String> termLeaders() {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    node.state().termLeaders().forEach((term, leader) -> out.put(Long.toString(term), leader));
    return out;
  }

  /**
   * Adds a voting member. Start the new node first (its members list includes itself and every
   * current member), then call this; see docs/cluster.md for the procedure.
   */
  @Post("/members")
  @RequiresRole(Role.ADMIN)
  Status add(@Nullable @QueryValue String id, @Nullable @QueryValue String reason, Caller caller) throws Exception {
    return change(MembershipAction.ADD, id, reason, caller);
  }

  @Delete("/members/{id}")
  @RequiresRole(Role.ADMIN)
  Status remove(String id, @Nullable @QueryValue String reason, Caller caller) throws Exception {
    return change(MembershipAction.REMOVE, id, reason, caller);
  }

  private Status change(MembershipAction action, String id, String reason, Caller caller) throws Exception {
    if (id == null || !id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new HttpStatusException(HttpStatus.BAD_REQUEST, "give the member's id as ?id=..., letters, digits, '.', '_' or '-'");
    }
    if (action == MembershipAction.ADD && node.members().contains(id)) {
      throw new HttpStatusException(HttpStatus.CONFLICT, id + " is already a member");
    }
    if (action == MembershipAction.REMOVE && !node.members().contains(id)) {
      throw new HttpStatusException(HttpStatus.NOT_FOUND, id + " is not a member");
    }
    String why = Writes.requireReason(reason);
    ApplyResult result;
    try {
      result = node.changeMembership(action, id, caller.name(), why, MEMBERSHIP_TIMEOUT);
    } catch (RaftNode.NotCommittedException e) {
      throw new HttpStatusException(HttpStatus.SERVICE_UNAVAILABLE, e.getMessage());
    }
    if (!result.applied()) {
      throw new HttpStatusException(HttpStatus.CONFLICT, result.toString());
    }
    return status();
  }
}
