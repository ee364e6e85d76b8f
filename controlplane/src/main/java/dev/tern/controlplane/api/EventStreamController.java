package dev.tern.controlplane.api;

import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.sse.Event;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.reactivestreams.FlowAdapters;
import org.reactivestreams.Publisher;

/** {@code GET /api/v1/events}: a server-sent-events stream of state changes, for the console. */
@Controller("/api/v1/events")
final class EventStreamController {

  private final StateEvents events;

  EventStreamController(StateEvents events) {
    this.events = events;
  }

  @Get(produces = MediaType.TEXT_EVENT_STREAM)
  Publisher<Event<StateEvents.StateChange>> stream() {
    AtomicLong id = new AtomicLong();
    Flow.Publisher<Event<StateEvents.StateChange>> mapped = subscriber ->
        events.publisher().subscribe(new Flow.Subscriber<>() {
          @Override
          public void onSubscribe(Flow.Subscription upstream) {
            // A first event at once, so the client sees the stream open (headers go out with it).
            subscriber.onSubscribe(new Flow.Subscription() {
              private final AtomicBoolean greeted = new AtomicBoolean();

              @Override
              public void request(long n) {
                if (n > 0 && greeted.compareAndSet(false, true)) {
                  subscriber.onNext(Event.of(events.hello()).name("hello").id(Long.toString(id.incrementAndGet())));
                  if (n > 1) {
                    upstream.request(n == Long.MAX_VALUE ? n : n - 1);
                  }
                } else {
                  upstream.request(n);
                }
              }

              @Override
              public void cancel() {
                upstream.cancel();
              }
            });
          }

          @Override
          public void onNext(StateEvents.StateChange item) {
            subscriber.onNext(Event.of(item).name(item.type()).id(Long.toString(id.incrementAndGet())));
          }

          @Override
          public void onError(Throwable throwable) {
            subscriber.onError(throwable);
          }

          @Override
          public void onComplete() {
            subscriber.onComplete();
          }
        });
    return FlowAdapters.toPublisher(mapped);
  }
}
