/**
 * The probe agent's runtime: follow the region's assignment ({@link
 * dev.tern.probe.agent.AssignmentFollower}), check every target on its interval ({@link
 * dev.tern.probe.agent.Scheduler}), and deliver the observations to every control-plane node
 * ({@link dev.tern.probe.agent.Reporter}), wired together by {@link dev.tern.probe.agent.ProbeAgent}.
 */
package dev.tern.probe.agent;
