package club.makapix.vts.pipeline;

import java.time.Duration;

/**
 * One accepted event per player per window (5 s by default), and one web impression per visitor per
 * window (3 s); web views are not limited here since only the first of a day counts. A slot is held
 * by the event that took it, so a resend of that same event (a lost PUBACK, a retry after a crash)
 * is not rate limited: it reaches the dedupe in the database instead. An event that could not be
 * stored gives its slot back, so its resend is not refused for the time the lost copy held it.
 */
public final class RateLimit implements Stage {
    private final WindowState state;
    private final Duration perPlayer;
    private final Duration perVisitorImpressions;

    public RateLimit(WindowState state, Duration perPlayer, Duration perVisitorImpressions) {
        this.state = state;
        this.perPlayer = perPlayer;
        this.perVisitorImpressions = perVisitorImpressions;
    }

    @Override
    public Verdict apply(Event event) {
        String bucket;
        Duration window;
        if (event.fromPlayer()) {
            bucket = "player:" + event.playerKey();
            window = perPlayer;
        } else if (event.kind() == Kind.IMPRESSION && event.viewerId() != null) {
            bucket = "impression:" + event.viewerId();
            window = perVisitorImpressions;
        } else {
            return Verdict.pass();
        }
        if (window.isZero()) {
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
