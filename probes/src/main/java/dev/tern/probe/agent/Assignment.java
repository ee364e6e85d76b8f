package dev.tern.probe.agent;

import java.util.List;

/** Everything the agent's region should check, as of one policy version. */
public record Assignment(long policyVersion, List<ProbeTarget> targets) {

  public Assignment {
    targets = List.copyOf(targets);
  }
}
