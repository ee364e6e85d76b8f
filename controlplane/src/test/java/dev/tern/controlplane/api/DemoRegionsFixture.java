package dev.tern.controlplane.api;

import dev.tern.controlplane.demo.DemoRegions;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/** The demo's regions in a test context, so that the demo endpoints exist for the access contract. */
@Factory
@Requires(property = "tern.demo.enabled", value = "true")
class DemoRegionsFixture {

  @Singleton
  @Bean(preDestroy = "close")
  DemoRegions demoRegions() {
    return DemoRegions.start();
  }
}
