package dev.tern.chaos.run;

import dev.tern.chaos.scenario.Fault;
import dev.tern.chaos.scenario.Injector;
import java.util.List;

/**
 * Puts a fault into the world and takes it out again. One implementation per {@link Injector}
 * kind; the runner picks it by {@link #kind()}.
 *
 * <p><b>Revert.</b> {@link #revert} undoes exactly what {@link #inject} did, and is safe to call
 * again, or after a failed or partial inject: a new leader that finds a run still active reverts
 * it without knowing how far the old leader got.
 *
 * <p><b>Threading.</b> The runner calls one injector from one thread per run; different runs may
 * call it concurrently on different targets.
 *
 * <p><b>Failure.</b> Both methods throw {@link InjectionException} with what failed; the runner
 * reports it in the run's report, and keeps trying to revert until it succeeds or the run is
 * ended by hand.
 */
public interface FaultInjector {

  Injector kind();

  void inject(Fault fault, List<TargetBackend> targets) throws InjectionException;

  void revert(Fault fault, List<TargetBackend> targets) throws InjectionException;

  /** An injection or revert that did not (wholly) happen; the message says what and why. */
  final class InjectionException extends Exception {
    public InjectionException(String message) {
      super(message);
    }

    public InjectionException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
