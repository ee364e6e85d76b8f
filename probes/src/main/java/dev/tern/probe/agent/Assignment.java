package dev.tern.probe.agent;

import java.util.List;

/**
 * Everything the agent's region should check, as of one assignment version (the control plane's
 * policy version plus its chaos generation: it rises with every change to what is assigned).
 */
public record Assignment(long version, List<ProbeTarget> targets) {

  public Assignment {
    targets = List.copyOf(targets);
  }
}
