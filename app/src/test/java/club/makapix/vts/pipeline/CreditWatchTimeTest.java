package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Both doors, after the counting rules: a client's watched_ms capped at the post's duration (else
 * 24 h), a watch report's played time within the wall clock, and a player's screen time from its
 * cadence (5 s, then 30 s per next event within 45 s).
 */
class CreditWatchTimeTest {
    static final Instant SHOWN = Instant.parse("2026-11-21T16:24:20Z");

    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final CreditWatchTime stage = new CreditWatchTime(new LocalWindowState(Duration.ofMinutes(15), 1_000), metrics);

    @Test
    void threeEventsOfOnePlayerAndPost30SecondsApartGive65Seconds() {
        long total = 0;
        for (int i = 0; i < 3; i++) {
            Event event = stored(playerEvent("player-1", 7, SHOWN.plusSeconds(30L * i)));
            assertEquals(i > 0, event.continuesAppearance(), "event " + i);
            total += event.watchTimeMs();
        }

        assertEquals(65_000, total);
    }

    @Test
    void anEventMoreThan45SecondsAfterThePreviousBeginsANewAppearance() {
        stored(playerEvent("player-1", 7, SHOWN));
        assertEquals(30_000, stored(playerEvent("player-1", 7, SHOWN.plusSeconds(45))).watchTimeMs(), "45 s is still within");

        Event later = stored(playerEvent("player-1", 7, SHOWN.plusSeconds(91)));
        assertEquals(5_000, later.watchTimeMs());
        assertFalse(later.continuesAppearance());
    }

    @Test
    void appearancesAreOnePlayersOfOnePost() {
        stored(playerEvent("player-1", 7, SHOWN));

        assertEquals(5_000, stored(playerEvent("player-1", 8, SHOWN.plusSeconds(30))).watchTimeMs(), "another post");
        assertEquals(5_000, stored(playerEvent("player-2", 7, SHOWN.plusSeconds(30))).watchTimeMs(), "another player");
    }

    @Test
    void anEventThatWasNotStoredIsNoPreviousEvent() {
        Event lost = playerEvent("player-1", 7, SHOWN);
        stage.apply(lost);
        stage.afterOutcome(lost, Outcome.unavailable("the database is unavailable"));

        assertEquals(5_000, stored(playerEvent("player-1", 7, SHOWN.plusSeconds(30))).watchTimeMs());
    }

    @Test
    void watchedMsIsCappedAtThePostsDurationElse24HoursAndEachCapIsCounted() {
        assertEquals(12_500, stored(webEvent(12_500L, 60)).watchTimeMs(), "within the post's minute");
        assertEquals(60_000, stored(webEvent(61_000L, 60)).watchTimeMs(), "a minute-long post");
        assertEquals(86_400_000, stored(webEvent(Long.MAX_VALUE, null)).watchTimeMs(), "no duration: 24 h");
        assertEquals(0, stored(webEvent(0L, null)).watchTimeMs());

        assertEquals(2, metrics.get("vts_watch_capped_total").tag("door", "http").counter().count());
    }

    @Test
    void aPlayersOwnWatchedMsWinsOverScreenTime() {
        Event event = playerEvent("player-1", 7, SHOWN);
        event.watchedMs = 40_000L;

        assertEquals(40_000, stored(event).watchTimeMs());
        assertEquals(5_000, stored(playerEvent("player-1", 7, SHOWN.plusSeconds(30))).watchTimeMs(),
                "an event with watched_ms is no screen-time event");
    }

    @Test
    void webEventsWithoutWatchedMsAndSelfViewsAddNothing() {
        Event noWatchedMs = stored(webEvent(null, null));
        Event selfView = playerEvent("player-1", 7, SHOWN);
        selfView.countable = false;
        stored(selfView);

        assertNull(noWatchedMs.watchTimeMs());
        assertNull(selfView.watchTimeMs());
        assertEquals(5_000, stored(playerEvent("player-1", 7, SHOWN.plusSeconds(30))).watchTimeMs(),
                "a self-view is no appearance");
    }

    @Test
    void aReportsPlayedTimeCountsAtMostTheTimeSinceItsSessionsPreviousReportPlus2Seconds() {
        assertEquals(50_000, stored(report("user-1", "tab", SHOWN, 50_000)).watchTimeMs(), "a session's first: nothing to measure from");
        Event tooMuch = stored(report("user-1", "tab", SHOWN.plusSeconds(10), 30_000));
        assertEquals(12_000, tooMuch.watchTimeMs());
        assertEquals(12_000, tooMuch.playedMs());
        assertEquals(9_000, stored(report("user-1", "tab", SHOWN.plusSeconds(20), 9_000)).watchTimeMs(), "within: as sent");
        assertEquals(30_000, stored(report("user-1", "other-tab", SHOWN.plusSeconds(21), 30_000)).watchTimeMs(),
                "another session is measured from its own reports");

        assertEquals(1, metrics.get("vts_watch_report_clamped_total").tag("cap", "played_past_wall_clock").counter().count());
    }

    @Test
    void aReportThatWasNotStoredIsNoPreviousReport() {
        stored(report("user-1", "tab", SHOWN, 10_000));
        Event lost = report("user-1", "tab", SHOWN.plusSeconds(10), 10_000);
        stage.apply(lost);
        stage.afterOutcome(lost, Outcome.unavailable("the database is unavailable"));

        assertEquals(22_000, stored(report("user-1", "tab", SHOWN.plusSeconds(20), 30_000)).watchTimeMs(),
                "measured from the last stored report, 20 s before");
    }

    @Test
    void anArtistsOwnReportIsTheirWatchTimeButNotTheArtists() {
        Event own = report("user-1", "tab", SHOWN, 10_000);
        own.countable = false;

        stored(own);
        assertNull(own.watchTimeMs());
        assertEquals(10_000, own.viewerWatchMs());
    }

    /** The event through the stage, then stored. */
    private Event stored(Event event) {
        assertEquals(Verdict.pass(), stage.apply(event));
        stage.afterOutcome(event, Outcome.stored(true));
        return event;
    }

    private static Event playerEvent(String playerKey, long postId, Instant receivedAt) {
        Origin origin = Origin.player(Door.MQTT, receivedAt, TestEvents.CLIENT, playerKey, TimeUnit.SECONDS.toNanos(30));
        Event event = Event.fromPlayer(origin, playerKey, new byte[0]);
        event.postId = postId;
        event.kind = Kind.VIEW;
        return event;
    }

    private static Event report(String viewer, String session, Instant receivedAt, long playedMs) {
        return TestEvents.watchReport(viewer, 7, receivedAt, 1_000, playedMs, session);
    }

    private static Event webEvent(Long watchedMs, Integer postDurationSeconds) {
        Event event = TestEvents.webView(7);
        event.watchedMs = watchedMs;
        event.postDurationSeconds = postDurationSeconds;
        return event;
    }
}
