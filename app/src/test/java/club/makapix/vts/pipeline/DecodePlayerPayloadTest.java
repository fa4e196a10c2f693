package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The first stage of the player door: the payload (contract §1) read into the event, or INVALID_PAYLOAD. */
class DecodePlayerPayloadTest {
    static final String KEY = "550e8400-e29b-41d4-a716-446655440000";
    final DecodePlayerPayload stage = new DecodePlayerPayload();

    @Test
    void theContractsExamplePayloadIsAnImpressionWithItsChannelAndClientTime() {
        Event event = TestEvents.fromPlayer(Door.MQTT, KEY, """
                {"post_id": 123, "timestamp": "2026-11-21T16:24:15Z", "timezone": "", "intent": "channel",
                 "play_order": 2, "channel": "hashtag", "player_key": "550e8400-e29b-41d4-a716-446655440000",
                 "channel_user_sqid": null, "channel_hashtag": "pixelart", "request_ack": true}""");

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(123, event.postId());
        assertEquals(Kind.IMPRESSION, event.kind());
        assertEquals(Instant.parse("2026-11-21T16:24:15Z"), event.clientTime());
        assertEquals("", event.timezone());
        assertEquals(2, event.playOrder());
        assertEquals("hashtag", event.channel());
        assertEquals("pixelart", event.channelContext());
        assertEquals(KEY, event.payloadPlayerKey());
        assertTrue(event.requestAck());
        assertNull(event.eventId());
        assertNull(event.playlistId());
        assertNull(event.dwellMs());
        assertNull(event.watchedMs());
    }

    @Test
    void artworkIsAViewAndAUsersChannelHasTheUserAsItsContext() {
        Event event = TestEvents.fromPlayer(Door.MQTT, KEY, """
                {"post_id": 7, "timestamp": "2026-11-21T16:24:15Z", "intent": "artwork", "channel": "by_user",
                 "channel_user_sqid": "k3x9", "channel_hashtag": null, "player_key": "%s"}""".formatted(KEY));

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(Kind.VIEW, event.kind());
        assertEquals("k3x9", event.channelContext());
        assertFalse(event.requestAck(), "no ack unless asked for");
    }

    @Test
    void theFieldsVtsAddsAreRead() {
        UUID eventId = UUID.randomUUID();
        Event event = TestEvents.fromPlayer(Door.HTTP, KEY, """
                {"post_id": 7, "timestamp": "2026-11-21T16:24:15Z", "intent": "artwork", "player_key": "%s",
                 "event_id": "%s", "playlist_id": 42, "dwell_ms": 30000,
                 "watched_ms": 95000}""".formatted(KEY, eventId));

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(eventId, event.eventId());
        assertEquals("42", event.playlistId());
        assertEquals(30000, event.dwellMs());
        assertEquals(95000L, event.watchedMs());
    }

    @Test
    void anUnsyncedClockLeavesNoClientTime() {
        Event event = TestEvents.fromPlayer(Door.MQTT, KEY, TestEvents.p3aPayload(KEY, 7, "1970-01-01T00:00:00Z"));

        assertEquals(Verdict.pass(), stage.apply(event));
        assertNull(event.clientTime());
    }

    @Test
    void aMalformedPayloadIsInvalidAndStillGetsTheAckItAskedFor() {
        Event event = TestEvents.fromPlayer(Door.MQTT, KEY, """
                {"post_id": "123", "timestamp": "2026-11-21T16:24:15Z", "intent": "channel", "player_key": "%s",
                 "request_ack": true}""".formatted(KEY));

        assertEquals(Verdict.stop(Reason.INVALID_PAYLOAD, "post_id must be an integer"), stage.apply(event));
        assertTrue(event.requestAck(), "so the player is told why");
    }

    @Test
    void somethingThatIsNotJsonIsInvalidAndCannotAskForAnAck() {
        Event event = TestEvents.fromPlayer(Door.MQTT, KEY, "this is not json");

        assertEquals(Verdict.stop(Reason.INVALID_PAYLOAD, "payload is not valid JSON"), stage.apply(event));
        assertFalse(event.requestAck());
    }
}
