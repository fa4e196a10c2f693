package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Both doors: the post must exist, and its artist and duration go with the event. */
class ResolvePostTest {
    final PostCatalogue posts = Map.of(7L, new PostCatalogue.Artwork("artist-7", 90))::get;
    final ResolvePost stage = new ResolvePost(posts);

    @Test
    void aKnownPostGivesTheEventItsArtist() {
        for (Event event : List.of(TestEvents.playerView(Door.MQTT, "player-1", 7), TestEvents.webView(7))) {
            assertEquals(Verdict.pass(), stage.apply(event), event.door().label());
            assertEquals("artist-7", event.artistId(), event.door().label());
            assertEquals(90, event.postDurationSeconds(), event.door().label());
        }
    }

    @Test
    void anUnknownPostIsNotFound() {
        for (Event event : List.of(TestEvents.playerView(Door.MQTT, "player-1", 404), TestEvents.webView(404))) {
            assertEquals(Verdict.stop(Reason.POST_NOT_FOUND, "post 404 does not exist"), stage.apply(event),
                    event.door().label());
            assertNull(event.artistId(), event.door().label());
        }
    }
}
