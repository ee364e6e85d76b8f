package dev.tern.controlplane.alerting;

import java.time.Duration;

/**
 * One way of telling people: turns an alert into the receiver's request and its answer into a
 * result. Implementations never log or return their secrets (keys, tokens, webhook URLs).
 */
public interface Sink {

  /** What became of one attempt. */
  sealed interface Result permits Delivered, Retry, Failed {}

  /** The receiver accepted it. */
  record Delivered() implements Result {}

  /** Worth trying again ({@code after} at the earliest): throttled, a 5xx, no answer. */
  record Retry(Duration after, String why) implements Result {}

  /** Trying again will not help (a 4xx other than 429): the route's configuration is wrong. */
  record Failed(String why) implements Result {}

  Result send(Alert alert);
}
