package club.makapix.vts.pipeline;

import java.time.Duration;
import java.util.function.Function;

/**
 * One accepted event per bucket per window: per player (5 s by default) on the player door, per
 * visitor for web impressions (3 s) on the web door; web views are not limited here since only the
 * first of a day counts. A slot is held by the event that took it, so a resend of that same event (a
 * lost PUBACK, a retry after a crash) is not rate limited: it reaches the dedupe in the database
 * instead. An event that could not be stored gives its slot back, so its resend is not refused for
 * the time the lost copy held it.
 */
public final class RateLimit implements Stage, AfterOutcome {
    private final WindowState state;
    private final Duration window;
    /** The event's bucket, or null when this limit does not apply to it. */
    private final Function<Event, String> bucketOf;

    private RateLimit(WindowState state, Duration window, Function<Event, String> bucketOf) {
        this.state = state;
        this.window = window;
        this.bucketOf = bucketOf;
    }

    /** One event per player per {@code window}. */
    public static RateLimit perPlayer(WindowState state, Duration window) {
        return new RateLimit(state, window, event -> "player:" + event.playerKey());
    }

    /** One impression per web visitor per {@code window}. */
    public static RateLimit webImpressions(WindowState state, Duration window) {
        return new RateLimit(state, window,
                event -> event.kind() == Kind.IMPRESSION && event.viewerId() != null ? "impression:" + event.viewerId() : null);
    }

    @Override
    public Verdict apply(Event event) {
        String bucket = bucketOf.apply(event);
        if (bucket == null || window.isZero()) {
            return Verdict.pass();
        }
        String holder = event.dedupeKey() != null ? event.dedupeKey().toString() : Long.toString(System.nanoTime());
        long waitMillis = state.acquire(bucket, holder, window);
        if (waitMillis > 0) {
            return Verdict.rateLimited("one event per " + window.toMillis() + " ms; retry in " + waitMillis + " ms", waitMillis);
        }
        event.rateSlot = bucket;
        event.rateSlotHolder = holder;
        return Verdict.pass();
    }

    @Override
    public void afterOutcome(Event event, Outcome outcome) {
        if (event.rateSlot != null && outcome.status() == Outcome.Status.UNAVAILABLE) {
            state.release(event.rateSlot, event.rateSlotHolder);
        }
    }
}
