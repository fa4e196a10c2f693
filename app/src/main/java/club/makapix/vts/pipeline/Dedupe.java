package club.makapix.vts.pipeline;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Drops resends (QoS retransmissions, client retries). The key is the event id, or for a player
 * event without one, player + post + synced client time (contract §1). The recent-window check here
 * spares the database; the database's own unique key is what finally guarantees "stored once".
 * A key is remembered only once its event is durably stored, so a resend of an event whose write
 * failed is never mistaken for a duplicate.
 */
public final class Dedupe implements Stage, AfterOutcome {
    private final WindowState state;

    public Dedupe(WindowState state) {
        this.state = state;
    }

    @Override
    public Verdict apply(Event event) {
        UUID key = keyOf(event);
        event.dedupeKey = key;
        if (key != null && state.seen(key)) {
            return Verdict.stop(Reason.DUPLICATE, "this event was already received");
        }
        return Verdict.pass();
    }

    @Override
    public void afterOutcome(Event event, Outcome outcome) {
        if (event.dedupeKey() != null && (outcome.status() == Outcome.Status.STORED || outcome.reason() == Reason.DUPLICATE)) {
            state.remember(event.dedupeKey());
        }
    }

    static UUID keyOf(Event event) {
        if (event.eventId() != null) {
            return event.eventId();
        }
        if (event.playerKey() == null || event.clientTime() == null) {
            return null;
        }
        byte[] player = event.playerKey().getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.allocate(player.length + 1 + 8 + 12);
        buf.put(player).put((byte) 0).putLong(event.postId())
                .putLong(event.clientTime().getEpochSecond()).putInt(event.clientTime().getNano());
        return UUID.nameUUIDFromBytes(buf.array());
    }
}
