package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import club.makapix.vts.pipeline.PlayerRegistry.ActivePlayer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Who sent a player's event: its own key everywhere, registered and owned; the owner is the viewer. */
class IdentifyPlayerTest {
    static final String OWNED = "player-owned";
    static final String UNOWNED = "player-unowned";
    static final String STRANGER = "player-never-registered";
    /** Registered players; revoked ones are absent, as the registry answers for them. */
    final PlayerRegistry players = Map.of(
            OWNED, new ActivePlayer(OWNED, "owner-1"),
            UNOWNED, new ActivePlayer(UNOWNED, null))::get;
    final IdentifyPlayer stage = new IdentifyPlayer(players);

    @Test
    void anOwnedPlayersOwnerIsTheViewerOnADeviceOfClassPlayer() {
        for (Door door : Door.values()) {
            Event event = TestEvents.playerView(door, OWNED, 7);

            assertEquals(Verdict.pass(), stage.apply(event), door.label());
            assertEquals("owner-1", event.viewerId(), door.label());
            assertEquals("player", event.device(), door.label());
        }
    }

    @Test
    void aPayloadNamingAnotherPlayerIsAKeyMismatch() {
        for (Door door : Door.values()) {
            Event event = TestEvents.playerView(door, OWNED, 7);
            event.payloadPlayerKey = UNOWNED;

            assertEquals(mismatch(), stage.apply(event), door.label());
            assertNull(event.viewerId(), door.label());
        }
    }

    @Test
    void aTopicNamingAnotherPlayerIsAKeyMismatch() {
        Event owned = TestEvents.playerView(Door.MQTT, OWNED, 7);
        Event event = Event.fromPlayer(owned.origin(), UNOWNED, owned.playerPayload()); // in the other player's topic
        event.payloadPlayerKey = OWNED;

        assertEquals(mismatch(), stage.apply(event));
    }

    @Test
    void aPlayerTheRegistryDoesNotKnowIsNotRegistered() {
        Event event = TestEvents.playerView(Door.MQTT, STRANGER, 7);

        assertEquals(Verdict.stop(Reason.PLAYER_NOT_REGISTERED, "player is not registered"), stage.apply(event));
    }

    @Test
    void aPlayerWithoutOwnerIsToldSo() {
        Event event = TestEvents.playerView(Door.MQTT, UNOWNED, 7);

        assertEquals(Verdict.stop(Reason.PLAYER_NO_OWNER, "player has no owner yet"), stage.apply(event));
        assertNull(event.viewerId());
    }

    static Verdict mismatch() {
        return Verdict.stop(Reason.PLAYER_KEY_MISMATCH, "player_key in the payload must be the player's own key");
    }
}
