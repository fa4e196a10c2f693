package club.makapix.vts.pipeline;

import java.net.InetAddress;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Events as the stages leave them, ready for the writer, for tests that start there. */
final class TestEvents {
    private TestEvents() {}

    /** A countable view of the post by the viewer (artist "artist-1"), with a fresh dedupe key. */
    static Event view(long postId, String viewer, Instant at) {
        Event e = Event.fromWeb(Origin.web(at, InetAddress.getLoopbackAddress(), "test", null, null,
                TimeUnit.SECONDS.toNanos(30)), postId, null);
        e.postId = postId;
        e.kind = Kind.VIEW;
        e.viewerId = viewer;
        e.artistId = "artist-1";
        e.dedupeKey = UUID.randomUUID();
        return e;
    }
}
