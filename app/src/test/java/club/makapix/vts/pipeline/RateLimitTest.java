package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One event per player, and one web impression per visitor, per window. The event holding a slot
 * may be resent; an event that could not be stored gives its slot back. Windows here are far longer
 * than a test, so no slot frees by itself.
 */
class RateLimitTest {
    static final Duration WINDOW = Duration.ofMinutes(1);
    final LocalWindowState window = new LocalWindowState(Duration.ofMinutes(15), 1_000);
    final RateLimit perPlayer = RateLimit.perPlayer(window, WINDOW);
    final RateLimit webImpressions = RateLimit.webImpressions(window, WINDOW);

    @Test
    void aPlayersSecondEventWithinTheWindowIsRateLimited() {
        assertEquals(Verdict.pass(), perPlayer.apply(playerEvent(Door.MQTT, "player-1")));

        assertRateLimited(perPlayer.apply(playerEvent(Door.MQTT, "player-1")));
    }

    @Test
    void thePlayersLimitIsTheSameThroughEitherDoorAndItsOwn() {
        assertEquals(Verdict.pass(), perPlayer.apply(playerEvent(Door.MQTT, "player-1")));

        assertRateLimited(perPlayer.apply(playerEvent(Door.HTTP, "player-1")));
        assertEquals(Verdict.pass(), perPlayer.apply(playerEvent(Door.MQTT, "player-2")));
    }

    @Test
    void aResendOfTheEventHoldingTheSlotIsNotRateLimited() {
        Event event = playerEvent(Door.MQTT, "player-1");
        Event resend = playerEvent(Door.MQTT, "player-1");
        resend.dedupeKey = event.dedupeKey();

        assertEquals(Verdict.pass(), perPlayer.apply(event));
        assertEquals(Verdict.pass(), perPlayer.apply(resend), "it goes on to the database's dedupe");
    }

    @Test
    void eventsWithoutDedupeKeyAreLimitedToo() {
        Event unsynced = playerEvent(Door.MQTT, "player-1");
        unsynced.dedupeKey = null;
        Event next = playerEvent(Door.MQTT, "player-1");
        next.dedupeKey = null;

        assertEquals(Verdict.pass(), perPlayer.apply(unsynced));
        assertRateLimited(perPlayer.apply(next));
    }

    @Test
    void aZeroWindowLimitsNothing() {
        RateLimit off = RateLimit.perPlayer(window, Duration.ZERO);

        for (int i = 0; i < 3; i++) {
            assertEquals(Verdict.pass(), off.apply(playerEvent(Door.MQTT, "player-1")));
        }
    }

    @Test
    void aVisitorsSecondImpressionWithinTheWindowIsRateLimited() {
        assertEquals(Verdict.pass(), webImpressions.apply(webEvent(Kind.IMPRESSION, "anon:visitor-1")));

        assertRateLimited(webImpressions.apply(webEvent(Kind.IMPRESSION, "anon:visitor-1")));
        assertEquals(Verdict.pass(), webImpressions.apply(webEvent(Kind.IMPRESSION, "user-2")), "another visitor");
    }

    @Test
    void aViewersSecondWatchReportOfAPostWithinTheWindowIsRateLimited() {
        RateLimit watchReports = RateLimit.watchReports(window, WINDOW);
        assertEquals(Verdict.pass(), watchReports.apply(webEvent(Kind.WATCH, "user-1")));

        assertRateLimited(watchReports.apply(webEvent(Kind.WATCH, "user-1")));
        assertEquals(Verdict.pass(), watchReports.apply(webEvent(Kind.WATCH, "user-2")), "another viewer");
        Event otherPost = webEvent(Kind.WATCH, "user-1");
        otherPost.postId = 8;
        assertEquals(Verdict.pass(), watchReports.apply(otherPost), "another post");
        assertEquals(Verdict.pass(), watchReports.apply(webEvent(Kind.VIEW, "user-1")), "views are not reports");
    }

    @Test
    void webViewsAndImpressionsOfNoKnownViewerAreNotLimitedHere() {
        assertEquals(Verdict.pass(), webImpressions.apply(webEvent(Kind.IMPRESSION, "anon:visitor-1")));
        for (int i = 0; i < 3; i++) {
            assertEquals(Verdict.pass(), webImpressions.apply(webEvent(Kind.VIEW, "anon:visitor-1")),
                    "only a view's first of the day counts, which the writer decides");
            assertEquals(Verdict.pass(), webImpressions.apply(webEvent(Kind.IMPRESSION, null)));
        }
    }

    @Test
    void onlyAnEventThatWasNotStoredGivesItsSlotBack() {
        for (Outcome kept : List.of(Outcome.stored(true), Outcome.stored(false), Outcome.duplicate())) {
            Event event = playerEvent(Door.MQTT, "player-" + kept.label());
            perPlayer.apply(event);
            perPlayer.afterOutcome(event, kept);

            assertRateLimited(perPlayer.apply(playerEvent(Door.MQTT, "player-" + kept.label())));
        }
        // unavailable (its resend must not be refused) or refused by the database for its content
        // (the player's next good event must not be refused for it)
        for (Outcome notStored : List.of(Outcome.unavailable("write failed"),
                Outcome.stopped(Verdict.stop(Reason.INVALID_PAYLOAD, "the event's content cannot be stored")))) {
            Event lost = playerEvent(Door.MQTT, "player-" + notStored.label());
            perPlayer.apply(lost);
            perPlayer.afterOutcome(lost, notStored);

            assertEquals(Verdict.pass(), perPlayer.apply(playerEvent(Door.MQTT, "player-" + notStored.label())), notStored.label());
        }
    }

    @Test
    void anEventThatTookNoSlotGivesNoneBack() {
        assertEquals(Verdict.pass(), perPlayer.apply(playerEvent(Door.MQTT, "player-1")));
        Event limited = playerEvent(Door.MQTT, "player-1");
        assertRateLimited(perPlayer.apply(limited));

        perPlayer.afterOutcome(limited, Outcome.unavailable("write failed"));
        assertRateLimited(perPlayer.apply(playerEvent(Door.MQTT, "player-1")));
    }

    /** A player's event as Dedupe leaves it: keyed by its own event id. */
    static Event playerEvent(Door door, String playerKey) {
        Event event = TestEvents.playerView(door, playerKey, 7);
        event.dedupeKey = UUID.randomUUID();
        return event;
    }

    /** A web event as IdentifyViewer leaves it. */
    static Event webEvent(Kind kind, String viewerId) {
        Event event = TestEvents.webView(7);
        event.kind = kind;
        event.viewerId = viewerId;
        event.dedupeKey = UUID.randomUUID();
        return event;
    }

    static void assertRateLimited(Verdict verdict) {
        assertEquals(Reason.RATE_LIMITED, verdict.reason());
        long wait = verdict.retryAfterMillis();
        assertTrue(wait >= 1 && wait <= WINDOW.toMillis(), "retry after " + wait + " ms");
        assertEquals("one event per 60000 ms; retry in " + wait + " ms", verdict.message());
    }
}
