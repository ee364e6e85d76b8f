package dev.tern.probe.check;

/**
 * Runs checks. {@link #run} blocks the calling thread (agents call it from virtual threads) and
 * never throws: every failure, including the timeout, comes back as a {@link CheckResult}.
 * Memory per check is bounded whatever the target sends.
 */
public interface Checker {

  CheckResult run(CheckSpec spec);
}
