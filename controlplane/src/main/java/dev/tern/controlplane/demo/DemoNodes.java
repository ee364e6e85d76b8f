package dev.tern.controlplane.demo;

/**
 * The demo's control-plane nodes as the chaos injector sees them: one can be crashed (the leader,
 * by a leader-kill scenario) and every crashed one started again (the revert). Given to each demo
 * node as a bean; the world behind it is the same for all of them.
 */
public interface DemoNodes {

  /**
   * Crashes node {@code nodeId} without a goodbye to its peers. It happens on another thread, so
   * the caller may be that node itself; returns false when no running node has that id.
   */
  boolean crash(String nodeId);

  /** Starts every crashed node again on its own data directory and ports; returns how many. */
  int restartCrashed();
}
