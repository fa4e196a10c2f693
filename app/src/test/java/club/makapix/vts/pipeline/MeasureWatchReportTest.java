package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** A watch report's length, clamps and completion (contract §5), after ResolvePost. */
class MeasureWatchReportTest {
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final MeasureWatchReport stage = new MeasureWatchReport(80, metrics);

    @Test
    void thePostsRegisteredDurationWinsOverTheReportsAndClampsThePosition() {
        Event event = report(150_000, 20_000L);
        event.postDurationSeconds = 100;
        event.mediaDurationMs = 3_600_000L; // what the client said

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(100_000L, event.mediaDurationMs());
        assertEquals(100_000L, event.positionMs());
        assertTrue(event.reachesCompletion());
        assertEquals(1, clamped("position_past_duration"));
    }

    @Test
    void withoutARegisteredDurationTheReportsOwnCounts() {
        Event event = report(30_000, null);
        event.mediaDurationMs = 40_000L;

        stage.apply(event);
        assertEquals(40_000L, event.mediaDurationMs());
        assertFalse(event.reachesCompletion(), "75 % is short of 80 %");
        assertEquals(75.0, MeasureWatchReport.progressPercent(event.positionMs(), event.mediaDurationMs()));
    }

    @Test
    void completionStartsAtExactlyThePercentAndNeedsALength() {
        Event at80 = report(80_000, null);
        at80.postDurationSeconds = 100;
        Event below = report(79_999, null);
        below.postDurationSeconds = 100;
        Event noLength = report(1_000_000, null);

        stage.apply(at80);
        stage.apply(below);
        stage.apply(noLength);
        assertTrue(at80.reachesCompletion());
        assertFalse(below.reachesCompletion());
        assertFalse(noLength.reachesCompletion());
        assertNull(MeasureWatchReport.progressPercent(noLength.positionMs(), noLength.mediaDurationMs()));
        assertEquals(1_000_000L, noLength.positionMs(), "nothing to clamp a position to");
    }

    @Test
    void aPlayedTimeNeverPassesTheLengthElse24Hours() {
        Event longer = report(10_000, 200_000L);
        longer.postDurationSeconds = 60;
        Event noLength = report(10_000, 100_000_000L);

        stage.apply(longer);
        stage.apply(noLength);
        assertEquals(60_000L, longer.playedMs());
        assertEquals(86_400_000L, noLength.playedMs());
        assertEquals(2, clamped("played_past_duration"));
    }

    @Test
    void otherEventsPassUntouched() {
        Event view = TestEvents.webView(7);
        view.postDurationSeconds = 100;

        assertEquals(Verdict.pass(), stage.apply(view));
        assertNull(view.mediaDurationMs());
        assertNull(view.positionMs());
    }

    private Event report(long positionMs, Long playedMs) {
        return TestEvents.watchReport("user-1", 7, TestEvents.RECEIVED_AT, positionMs, playedMs, null);
    }

    private double clamped(String cap) {
        return metrics.get("vts_watch_report_clamped_total").tag("cap", cap).counter().count();
    }
}
