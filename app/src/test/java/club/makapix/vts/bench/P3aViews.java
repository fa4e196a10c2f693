package club.makapix.vts.bench;

import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.protocol.ViewEventCodec;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/** p3a view payloads as a player publishes them: a unique event_id each, on one of the registered posts. */
final class P3aViews {
    private P3aViews() {}

    /** A quarter are asked-for views, the rest channel playback (as SimulatedPlayer sends them). */
    static byte[] next(String playerKey, int posts) {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        boolean askedFor = random.nextInt(4) == 0;
        return ViewEventCodec.encode(new ViewEvent(1 + random.nextInt(posts), Instant.now(), "",
                askedFor ? Intent.ARTWORK : Intent.CHANNEL, 2, askedFor ? "artwork" : "all",
                playerKey, null, null, false, UUID.randomUUID(), null, null));
    }
}
