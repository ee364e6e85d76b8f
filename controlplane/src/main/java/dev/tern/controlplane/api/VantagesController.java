package dev.tern.controlplane.api;

import dev.tern.controlplane.decision.HealthBook;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.serde.annotation.Serdeable;
import java.time.Instant;
import java.util.List;

/** {@code GET /api/v1/vantages}: the probe regions this node hears from, and whether it still trusts them. */
@Controller("/api/v1")
@ExecuteOn(TaskExecutors.BLOCKING)
final class VantagesController {

  /** One vantage point: when it last reported, whether that is too old, whether it was set aside as cut off. */
  @Serdeable
  record VantageView(String vantage, String cloud, String region, Instant lastSeen, boolean stale, boolean isolated,
      int backends) {}

  private final HealthBook book;
  private final Writes writes;

  VantagesController(HealthBook book, Writes writes) {
    this.book = book;
    this.writes = writes;
  }

  @Get("/vantages")
  List<VantageView> vantages() {
    return book.vantages(writes.now()).stream()
        .map(v -> new VantageView(v.region().key(), v.region().cloud().key(), v.region().name(), v.lastSeen(), v.stale(),
            v.isolated(), v.backends()))
        .toList();
  }
}
