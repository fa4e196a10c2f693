package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Both doors: a resend is recognised by its event id, or for a player's event without one by player,
 * post and synced client time; a key is remembered only once its event is stored (or found stored).
 */
class DedupeTest {
    final LocalWindowState window = new LocalWindowState(Duration.ofMinutes(15), 1_000);
    final Dedupe stage = new Dedupe(window);

    @Test
    void theEventIdIsTheKeyOnEitherDoor() {
        UUID id = UUID.randomUUID();
        Event player = TestEvents.playerView(Door.MQTT, "player-1", 7);
        player.eventId = id;
        Event web = TestEvents.webView(7);
        web.eventId = id;

        for (Event event : List.of(player, web)) {
            assertEquals(Verdict.pass(), stage.apply(event), event.door().label());
            assertEquals(id, event.dedupeKey(), event.door().label());
        }
    }

    @Test
    void aPlayersEventWithoutIdIsKeyedByPlayerPostAndClientTime() {
        UUID key = keyOf(TestEvents.playerView(Door.MQTT, "player-1", 7));

        assertEquals(key, keyOf(TestEvents.playerView(Door.HTTP, "player-1", 7)), "the same event through the other door");
        assertNotEquals(key, keyOf(TestEvents.playerView(Door.MQTT, "player-2", 7)));
        assertNotEquals(key, keyOf(TestEvents.playerView(Door.MQTT, "player-1", 8)));
        Event later = TestEvents.playerView(Door.MQTT, "player-1", 7);
        later.clientTime = later.clientTime().plusNanos(1);
        assertNotEquals(key, keyOf(later));
    }

    /** The database's event keys hold these: a different derivation would store resends across an upgrade twice. */
    @Test
    void aPlayersKeyIsTheSameInEveryVersion() {
        UUID key = keyOf(TestEvents.playerView(Door.MQTT, "player-1", 7));

        assertEquals(UUID.fromString("89f5623e-c03f-3d10-8d6a-d7b60546cbbc"), key);
    }

    @Test
    void withoutIdOrSyncedClockThereIsNoKeyAndNothingIsADuplicate() {
        Event unsynced = TestEvents.playerView(Door.MQTT, "player-1", 7);
        unsynced.clientTime = null;
        Event web = TestEvents.webView(7);

        for (Event event : List.of(unsynced, web)) {
            assertEquals(Verdict.pass(), stage.apply(event), event.door().label());
            assertNull(event.dedupeKey(), event.door().label());
            stage.afterOutcome(event, Outcome.stored(true));
            assertEquals(Verdict.pass(), stage.apply(event), event.door().label());
        }
    }

    @Test
    void anEventWhoseKeyWasStoredIsADuplicate() {
        Event first = TestEvents.playerView(Door.MQTT, "player-1", 7);
        assertEquals(Verdict.pass(), stage.apply(first));
        stage.afterOutcome(first, Outcome.stored(true));

        Event resend = TestEvents.playerView(Door.MQTT, "player-1", 7);
        assertEquals(Verdict.stop(Reason.DUPLICATE, "this event was already received"), stage.apply(resend));
        assertEquals(first.dedupeKey(), resend.dedupeKey());
    }

    @Test
    void onlyAStoredOrAlreadyStoredEventIsRemembered() {
        for (Outcome forgotten : List.of(Outcome.unavailable("write failed"),
                Outcome.stopped(Verdict.rateLimited("one event per 5000 ms; retry in 5000 ms", 5000)),
                Outcome.stopped(Verdict.stop(Reason.BOT_CRAWLER, "automated clients are not counted")))) {
            assertFalse(remembers(forgotten), forgotten.label());
        }
        for (Outcome remembered : List.of(Outcome.stored(true), Outcome.stored(false), Outcome.duplicate())) {
            assertTrue(remembers(remembered), remembered.label());
        }
    }

    @Test
    void passingIsNotRemembering() {
        Event event = TestEvents.webView(7);
        event.eventId = UUID.randomUUID();

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(Verdict.pass(), stage.apply(event), "until stored, a resend may be the copy that gets stored");
    }

    private boolean remembers(Outcome outcome) {
        Event event = TestEvents.webView(7);
        event.eventId = UUID.randomUUID();
        stage.apply(event);
        stage.afterOutcome(event, outcome);
        return window.seen(event.eventId());
    }

    private UUID keyOf(Event event) {
        assertEquals(Verdict.pass(), stage.apply(event));
        return event.dedupeKey();
    }
}
