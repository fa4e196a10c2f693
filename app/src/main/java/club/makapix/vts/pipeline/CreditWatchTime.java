package club.makapix.vts.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * What an event adds to the artists' watch time (contract §5), decided in one place. A client's
 * {@code watched_ms} counts up to the post's duration, or up to 24 h for a post without one (each
 * capped value counted as {@code vts_watch_capped_total{door}}). A player's event without one is
 * screen time, from the firmware's cadence (a view 5 s after an artwork appears, then one every 30 s
 * while it stays): 30 s when it follows the same player's previous stored event of the same post
 * (by the time VTS received them) within 45 s, else 5 s, the start of an appearance. An event that
 * may not count (a self-view) adds nothing. It runs after dedupe and the rate limits, so a resend or
 * a refused event is never an appearance, and notes a player's event only once it is stored.
 */
public final class CreditWatchTime implements Stage, AfterOutcome {
    static final Duration FIRST_EVENT = Duration.ofSeconds(5);
    static final Duration NEXT_EVENT = Duration.ofSeconds(30);
    static final Duration SAME_APPEARANCE = Duration.ofSeconds(45);
    static final Duration CAP_WITHOUT_DURATION = Duration.ofHours(24);

    private final WindowState state;
    private final Map<Door, Counter> capped = new EnumMap<>(Door.class);

    public CreditWatchTime(WindowState state, MeterRegistry metrics) {
        this.state = state;
        for (Door door : Door.values()) {
            capped.put(door, Counter.builder("vts_watch_capped_total")
                    .description("watched_ms values longer than the post (or 24 h), counted as that long")
                    .tag("door", door.label()).register(metrics));
        }
    }

    @Override
    public Verdict apply(Event event) {
        if (!event.countable()) {
            return Verdict.pass();
        }
        if (event.watchedMs() != null) {
            long limit = event.postDurationSeconds() != null
                    ? event.postDurationSeconds() * 1000L : CAP_WITHOUT_DURATION.toMillis();
            if (event.watchedMs() > limit) {
                capped.get(event.door()).increment();
            }
            event.watchTimeMs = Math.min(event.watchedMs(), limit);
        } else if (event.playerKey() != null) {
            Instant previous = state.lastMark(appearanceOf(event));
            event.continuesAppearance = previous != null && !event.receivedAt().isBefore(previous)
                    && !event.receivedAt().isAfter(previous.plus(SAME_APPEARANCE));
            event.watchTimeMs = (event.continuesAppearance ? NEXT_EVENT : FIRST_EVENT).toMillis();
        }
        return Verdict.pass();
    }

    /** A player's stored screen-time event is the previous one for its next event of the post. */
    @Override
    public void afterOutcome(Event event, Outcome outcome) {
        boolean screenTime = event.playerKey() != null && event.watchedMs() == null && event.watchTimeMs() != null;
        if (screenTime && outcome.status() == Outcome.Status.STORED) {
            state.mark(appearanceOf(event), event.receivedAt(), SAME_APPEARANCE);
        }
    }

    private static String appearanceOf(Event event) {
        return "shown:" + event.playerKey() + ":" + event.postId();
    }
}
