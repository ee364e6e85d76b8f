package dev.tern.controlplane.server;

import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;
import java.time.Clock;

/** The one place the server reads the wall clock; everything else has a {@link Clock} injected. */
@Factory
final class ClockFactory {

  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }
}
