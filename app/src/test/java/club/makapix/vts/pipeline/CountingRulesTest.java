package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Both doors, last: the artist's own views and impressions never count, nor events of no known
 * viewer. Nothing is stopped here; whether a view is the viewer's first of the day is the writer's.
 */
class CountingRulesTest {
    final CountingRules stage = new CountingRules();

    @Test
    void someoneElsesEventMayCount() {
        List<Event> events = List.of(resolved(TestEvents.playerView(Door.MQTT, "player-1", 7), "owner-1"),
                resolved(TestEvents.webView(7), "user-2"), resolved(TestEvents.webView(7), "anon:QmFzZTY0SGFzaE9mSVA"));

        for (Event event : events) {
            assertEquals(Verdict.pass(), stage.apply(event));
            assertTrue(event.countable(), event.viewerId());
        }
    }

    @Test
    void theArtistsOwnEventNeverCountsButPasses() {
        Event playerOwnedByTheArtist = resolved(TestEvents.playerView(Door.MQTT, "player-1", 7), "artist-7");
        Event artistSignedIn = resolved(TestEvents.webView(7), "artist-7");
        Event artistsImpression = resolved(TestEvents.webView(7), "artist-7");
        artistsImpression.kind = Kind.IMPRESSION;

        for (Event event : List.of(playerOwnedByTheArtist, artistSignedIn, artistsImpression)) {
            assertEquals(Verdict.pass(), stage.apply(event), "accepted and stored");
            assertFalse(event.countable(), event.door().label() + " " + event.kind().label());
        }
    }

    @Test
    void anEventOfNoKnownViewerNeverCounts() {
        Event event = resolved(TestEvents.webView(7), null);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertFalse(event.countable());
    }

    /** The event as the stages before leave it: the post's artist ("artist-7") and the viewer known. */
    static Event resolved(Event event, String viewerId) {
        event.artistId = "artist-7";
        event.viewerId = viewerId;
        return event;
    }
}
