package club.makapix.vts.bench;

import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.protocol.ViewEventCodec;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * p3a view payloads as a player publishes them: a unique event_id each, on one of the registered
 * posts, stamped to the second as the firmware does.
 */
final class P3aViews {
    private P3aViews() {}

    /** Each player's next view, done at its PUBACK. */
    static PlayerMessages published(int posts) {
        return player -> {
            byte[] payload = next(player.playerKey(), posts);
            return () -> player.publishView(payload);
        };
    }

    /** The payload of {@link #event}. */
    private static byte[] next(String playerKey, int posts) {
        return ViewEventCodec.encode(event(playerKey, posts));
    }

    /** A quarter are asked-for views, the rest channel playback. */
    static ViewEvent event(String playerKey, int posts) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean askedFor = random.nextInt(4) == 0;
        return new ViewEvent(1 + random.nextInt(posts), Instant.now().truncatedTo(ChronoUnit.SECONDS), "",
                askedFor ? Intent.ARTWORK : Intent.CHANNEL, 2, askedFor ? "artwork" : "all",
                playerKey, null, null, false, UUID.randomUUID(), null, null, null);
    }
}
