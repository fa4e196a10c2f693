package club.makapix.vts.pipeline;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Function;

/**
 * One accepted event per bucket per window: per player (5 s by default) on the player door, per
 * visitor for web impressions (3 s), per viewer and post for watch reports (5 s) on the web door; web
 * views are not limited here since only the first of a day counts. A slot is held by the event that took it, so a resend of that same event (a
 * lost PUBACK, a retry after a crash) is not rate limited: it reaches the dedupe in the database
 * instead. An event that could not be stored gives its slot back, so its resend is not refused for
 * the time the lost copy held it.
 */
public final class RateLimit implements Stage, AfterOutcome {
    private final String name;
    private final WindowState state;
    private final Duration window;
    /** The event's bucket, or null when this limit does not apply to it. */
    private final Function<Event, String> bucketOf;

    private RateLimit(String name, WindowState state, Duration window, Function<Event, String> bucketOf) {
        this.name = name;
        this.state = state;
        this.window = window;
        this.bucketOf = bucketOf;
    }

    /** One event per player per {@code window}. */
    public static RateLimit perPlayer(WindowState state, Duration window) {
        return new RateLimit("rate_limit_player", state, window, event -> "player:" + event.playerKey());
    }

    /** One impression per web visitor per {@code window}. */
    public static RateLimit webImpressions(WindowState state, Duration window) {
        return new RateLimit("rate_limit_web_impressions", state, window,
                event -> event.kind() == Kind.IMPRESSION && event.viewerId() != null ? "impression:" + event.viewerId() : null);
    }

    /** One watch report per viewer and post per {@code window} (contract §5: 5 s). */
    public static RateLimit watchReports(WindowState state, Duration window) {
        return new RateLimit("rate_limit_watch_reports", state, window,
                event -> event.kind() == Kind.WATCH && event.viewerId() != null
                        ? "watch:" + event.viewerId() + ":" + event.postId() : null);
    }

    /** Each limit by its own name in metrics, so the two are never summed. */
    @Override
    public String name() {
        return name;
    }

    @Override
    public Verdict apply(Event event) {
        String bucket = bucketOf.apply(event);
        if (bucket == null || window.isZero()) {
            return Verdict.pass();
        }
        // an event without a key holds the slot by a random name: no other event can claim to be it
        String holder = event.dedupeKey() != null ? event.dedupeKey().toString() : UUID.randomUUID().toString();
        long waitMillis = state.acquire(bucket, holder, window);
        if (waitMillis > 0) {
            return Verdict.rateLimited("one event per " + window.toMillis() + " ms; retry in " + waitMillis + " ms", waitMillis);
        }
        event.rateSlot = bucket;
        event.rateSlotHolder = holder;
        return Verdict.pass();
    }

    /** The slot goes back when the event was not stored: unavailable, or refused by the database for its content. */
    @Override
    public void afterOutcome(Event event, Outcome outcome) {
        boolean notStored = outcome.status() == Outcome.Status.UNAVAILABLE || outcome.reason() == Reason.INVALID_PAYLOAD;
        if (event.rateSlot != null && notStored) {
            state.release(event.rateSlot, event.rateSlotHolder);
        }
    }
}
