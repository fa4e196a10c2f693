package club.makapix.vts.pipeline;

import java.time.Duration;

/**
 * One accepted event per player per window (5 s by default). The slot is held by the event that
 * took it, so a resend of that same event (after a lost PUBACK or a crash) is not rate limited.
 */
public final class RateLimit implements Stage {
    private final WindowState state;
    private final Duration window;

    public RateLimit(WindowState state, Duration window) {
        this.state = state;
        this.window = window;
    }

    @Override
    public Verdict apply(Event event) {
        if (event.playerKey() == null || window.isZero()) {
            return Verdict.pass();
        }
        String holder = event.dedupeKey() != null ? event.dedupeKey().toString() : Long.toString(System.nanoTime());
        long waitMillis = state.acquire("player:" + event.playerKey(), holder, window);
        if (waitMillis > 0) {
            return Verdict.rateLimited("one event per " + window.toMillis() + " ms per player; retry in " + waitMillis + " ms",
                    waitMillis);
        }
        return Verdict.pass();
    }
}
