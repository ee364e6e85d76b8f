package dev.tern.controlplane.state;

import java.util.Objects;

/**
 * Who acted as leader: the node and the Raft term it led when it decided, started a chaos run or
 * paged. The state machine records one leader per term, so a stamp can be checked against it.
 *
 * @param node the acting node's id
 * @param term the Raft term in which {@code node} was leader, from 1
 */
public record LeaderStamp(String node, long term) {
  public LeaderStamp {
    Objects.requireNonNull(node, "node");
    if (term < 1) {
      throw new IllegalArgumentException("a leader's term is 1 or more, not " + term);
    }
  }
}
