package club.makapix.vts.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * What an event adds to watch time (contract §5), decided in one place: to its viewer's own, and to
 * the artists' (the same amount, unless the event may not count: a self-view adds nothing there).
 * <ul>
 * <li>A client's {@code watched_ms} counts up to the post's duration, or up to 24 h for a post without
 * one (each capped value counted as {@code vts_watch_capped_total{door}}).
 * <li>A watch report's {@code played_s} (already within the media's length, {@link MeasureWatchReport})
 * counts at most the time since the same session's previous stored report, plus 2 s
 * ({@code vts_watch_report_clamped_total{cap="played_past_wall_clock"}}); a session's first report has
 * no previous one to measure from.
 * <li>A player's event without {@code watched_ms} is screen time, from the firmware's cadence (a view
 * 5 s after an artwork appears, then one every 30 s while it stays): 30 s when it follows the same
 * player's previous stored event of the same post (by the time VTS received them) within 45 s, else
 * 5 s, the start of an appearance.
 * </ul>
 * It runs after dedupe and the rate limits, so a resend or a refused event is never an appearance nor
 * a report, and notes a player's event or a report only once it is stored.
 */
public final class CreditWatchTime implements Stage, AfterOutcome {
    static final Duration FIRST_EVENT = Duration.ofSeconds(5);
    static final Duration NEXT_EVENT = Duration.ofSeconds(30);
    static final Duration SAME_APPEARANCE = Duration.ofSeconds(45);
    static final Duration CAP_WITHOUT_DURATION = Duration.ofHours(24);
    /** A report may carry what was played since the session's previous one, plus this much slack. */
    static final Duration REPORT_SLACK = Duration.ofSeconds(2);
    /** How long a session's last report is remembered: after a longer pause its next report is a first one. */
    static final Duration SESSION_MEMORY = Duration.ofHours(1);

    private final WindowState state;
    private final Map<Door, Counter> capped = new EnumMap<>(Door.class);
    private final Counter playedClamped;

    public CreditWatchTime(WindowState state, MeterRegistry metrics) {
        this.state = state;
        for (Door door : Door.values()) {
            capped.put(door, Counter.builder("vts_watch_capped_total")
                    .description("watched_ms values longer than the post (or 24 h), counted as that long")
                    .tag("door", door.label()).register(metrics));
        }
        this.playedClamped = MeasureWatchReport.clamps(metrics, "played_past_wall_clock");
    }

    @Override
    public Verdict apply(Event event) {
        Long watched = null;
        if (event.kind() == Kind.WATCH) {
            watched = played(event);
        } else if (event.watchedMs() != null) {
            long limit = event.postDurationSeconds() != null
                    ? event.postDurationSeconds() * 1000L : CAP_WITHOUT_DURATION.toMillis();
            if (event.watchedMs() > limit) {
                capped.get(event.door()).increment();
            }
            watched = Math.min(event.watchedMs(), limit);
        } else if (event.playerKey() != null && event.countable()) {
            Instant previous = state.lastMark(appearanceOf(event));
            event.continuesAppearance = previous != null && !event.receivedAt().isBefore(previous)
                    && !event.receivedAt().isAfter(previous.plus(SAME_APPEARANCE));
            watched = (event.continuesAppearance ? NEXT_EVENT : FIRST_EVENT).toMillis();
        }
        event.viewerWatchMs = watched;
        event.watchTimeMs = event.countable() ? watched : null;
        return Verdict.pass();
    }

    /** A report's played time within the wall-clock time since its session's previous report. */
    private long played(Event event) {
        long played = event.playedMs() == null ? 0 : event.playedMs();
        Instant previous = state.lastMark(sessionOf(event));
        if (previous != null) {
            long limit = Math.max(0, Duration.between(previous, event.receivedAt()).toMillis()) + REPORT_SLACK.toMillis();
            if (played > limit) {
                playedClamped.increment();
                played = limit;
            }
        }
        event.playedMs = played;
        return played;
    }

    /** A stored screen-time event, or a stored report, is the previous one for the next of its appearance or session. */
    @Override
    public void afterOutcome(Event event, Outcome outcome) {
        if (outcome.status() != Outcome.Status.STORED) {
            return;
        }
        if (event.kind() == Kind.WATCH) {
            state.mark(sessionOf(event), event.receivedAt(), SESSION_MEMORY);
        } else if (event.playerKey() != null && event.watchedMs() == null && event.watchTimeMs() != null) {
            state.mark(appearanceOf(event), event.receivedAt(), SAME_APPEARANCE);
        }
    }

    private static String appearanceOf(Event event) {
        return "shown:" + event.playerKey() + ":" + event.postId();
    }

    private static String sessionOf(Event event) {
        return "session:" + event.viewerId() + ":" + event.postId() + ":" + (event.sessionId() == null ? "" : event.sessionId());
    }
}
