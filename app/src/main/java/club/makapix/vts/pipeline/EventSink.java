package club.makapix.vts.pipeline;

import java.util.concurrent.CompletableFuture;

/** Where an event goes once every stage has passed it: made durable, then its outcome reported. */
public interface EventSink {
    /** The future completes once the event is stored, found already stored, rejected or given up. */
    CompletableFuture<Outcome> write(Event event);
}
