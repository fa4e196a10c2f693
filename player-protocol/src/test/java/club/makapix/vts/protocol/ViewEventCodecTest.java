package club.makapix.vts.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;
import java.util.regex.Matcher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The view payload exactly as contract §1 describes it, and as p3a firmware sends it. */
class ViewEventCodecTest {
    static final String KEY = "550e8400-e29b-41d4-a716-446655440000";
    /** The contract's example, byte for byte. */
    static final String CONTRACT_EXAMPLE = """
            {"post_id": 123, "timestamp": "2026-11-21T16:24:15Z", "timezone": "", "intent": "channel",
             "play_order": 2, "channel": "hashtag", "player_key": "550e8400-e29b-41d4-a716-446655440000",
             "channel_user_sqid": null, "channel_hashtag": "pixelart", "request_ack": true}""";

    static ViewEvent decode(String json) throws InvalidPayloadException {
        return ViewEventCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void contractExampleDecodesExactly() throws Exception {
        assertEquals(new ViewEvent(123, Instant.parse("2026-11-21T16:24:15Z"), "", Intent.CHANNEL, 2, "hashtag", KEY,
                null, "pixelart", true, null, null, null, null), decode(CONTRACT_EXAMPLE));
    }

    @Test
    void unsyncedClockGivesNoClientTime() throws Exception {
        ViewEvent e = decode(CONTRACT_EXAMPLE.replace("2026-11-21T16:24:15Z", "1970-01-01T00:00:00Z"));
        assertNull(e.clientTime());
    }

    @Test
    void textAndTimesTheDatabaseCannotHoldAreInvalid() throws Exception {
        for (String[] change : new String[][] {
                {"\"timezone\": \"\"", "\"timezone\": \"\\u0000\""},
                {"\"channel\": \"hashtag\"", "\"channel\": \"a\\u0000b\""},
                {"\"channel_hashtag\": \"pixelart\"", "\"channel_hashtag\": \"pixel\\u001bart\""},
                {"\"channel_hashtag\": \"pixelart\"", "\"channel_hashtag\": \"\\udc00\""},
                {"2026-11-21T16:24:15Z", "0000-01-01T00:00:00Z"},
                {"2026-11-21T16:24:15Z", "+10000-01-01T00:00:00Z"}}) {
            String payload = CONTRACT_EXAMPLE.replace(change[0], change[1]);
            assertThrows(InvalidPayloadException.class, () -> decode(payload), change[1]);
        }
        String longNumericPlaylist = CONTRACT_EXAMPLE.replace("\"request_ack\": true", "\"request_ack\": true, \"playlist_id\": " + "9".repeat(900));
        assertThrows(InvalidPayloadException.class, () -> decode(longNumericPlaylist), "a numeric playlist id has the text's limit");
        String negativePlaylist = CONTRACT_EXAMPLE.replace("\"request_ack\": true", "\"request_ack\": true, \"playlist_id\": -5");
        assertThrows(InvalidPayloadException.class, () -> decode(negativePlaylist));
        // a pair of surrogates is one character, and welcome
        assertEquals("\uD83C\uDFA8", decode(CONTRACT_EXAMPLE.replace("pixelart", "\\ud83c\\udfa8")).channelHashtag());
    }

    @Test
    void unknownFieldsAreIgnored() throws Exception {
        String withExtras = CONTRACT_EXAMPLE.replace("{\"post_id\"",
                "{\"firmware\": \"1.4.2\", \"nested\": {\"a\": [1, {\"b\": null}]}, \"list\": [true], \"post_id\"");
        assertEquals(decode(CONTRACT_EXAMPLE), decode(withExtras));
    }

    @Test
    void vtsExtensionsAreRead() throws Exception {
        UUID id = UUID.randomUUID();
        ViewEvent e = decode(CONTRACT_EXAMPLE.replace("\"request_ack\": true",
                "\"request_ack\": true, \"event_id\": \"" + id + "\", \"playlist_id\": 42, \"dwell_ms\": 15000,"
                + " \"watched_ms\": 99999999999"));
        assertEquals(id, e.eventId());
        assertEquals("42", e.playlistId(), "a numeric playlist id is kept as text");
        assertEquals(15000, e.dwellMs());
        assertEquals(99_999_999_999L, e.watchedMs(), "taken as sent: VTS caps it once it knows the post");
    }

    /**
     * Each row: the field, and the JSON that replaces its value in the example ("MISSING" drops it,
     * "LONG" is a 129-character string).
     */
    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "post_id          | MISSING",
        "post_id          | \"123\"",
        "post_id          | 1.5",
        "post_id          | 0",
        "post_id          | -7",
        "post_id          | 123456789012345678901234567890",
        "post_id          | null",
        "timestamp        | MISSING",
        "timestamp        | 1700000000",
        "timestamp        | \"yesterday\"",
        "timestamp        | \"2026-11-21 16:24:15\"",
        "intent           | MISSING",
        "intent           | \"view\"",
        "intent           | 1",
        "play_order       | 3",
        "play_order       | -1",
        "play_order       | \"2\"",
        "timezone         | 5",
        "channel          | [\"hashtag\"]",
        "player_key       | MISSING",
        "player_key       | \"\"",
        "player_key       | 550",
        "channel_hashtag  | LONG",
        "request_ack      | \"yes\"",
    })
    void eachBadFieldIsRefusedByName(String field, String json) {
        String payload = withField(CONTRACT_EXAMPLE, field, json.equals("LONG") ? "\"" + "x".repeat(129) + "\"" : json);
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> decode(payload));
        assertTrue(e.getMessage().contains(field), "names " + field + ": " + e.getMessage());
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', value = {
        "event_id   | \"not-a-uuid\"",
        "event_id   | \"550e8400-e29b-41d4-a716-44665544000Z\"",
        "event_id   | 5",
        "dwell_ms   | -1",
        "dwell_ms   | 1.5",
        "dwell_ms   | 99999999999",
        "watched_ms | -1",
        "watched_ms | 1.5",
        "watched_ms | \"30000\"",
        "watched_ms | 123456789012345678901234567890",
        "playlist_id | true",
    })
    void eachBadExtensionIsRefusedByName(String field, String json) {
        String payload = CONTRACT_EXAMPLE.replace("\"request_ack\": true", "\"request_ack\": true, \"" + field + "\": " + json);
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> decode(payload));
        assertTrue(e.getMessage().contains(field), "names " + field + ": " + e.getMessage());
    }

    @Test
    void aNumericPlaylistIdIsHeldToTheTextLimitToo() {
        String digits = "1".repeat(ViewEventCodec.MAX_TEXT + 1);
        String payload = CONTRACT_EXAMPLE.replace("\"request_ack\": true", "\"request_ack\": true, \"playlist_id\": " + digits);
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> decode(payload));
        assertTrue(e.getMessage().contains("playlist_id"), e.getMessage());
    }

    /** Replaces (or with "MISSING" removes) one top-level field of the example. */
    static String withField(String example, String field, String json) {
        String pattern = "\"" + field + "\": (\"[^\"]*\"|[^,}]*)";
        String replaced = json.equals("MISSING") ? example.replaceFirst(pattern + ",?", "")
                : example.replaceFirst(pattern, Matcher.quoteReplacement("\"" + field + "\": " + json));
        if (replaced.equals(example)) {
            throw new IllegalArgumentException("no field " + field + " in the example");
        }
        return replaced;
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"not json", "[]", "\"a string\"", "{\"post_id\": 1", "{} {}", "''"})
    void notOneJsonObjectIsRefused(String payload) {
        assertThrows(InvalidPayloadException.class, () -> decode(payload));
    }

    @Test
    void payloadsOver4096BytesAreRefusedBeforeParsing() throws Exception {
        String padded = padTo(CONTRACT_EXAMPLE, ViewEventCodec.MAX_PAYLOAD_BYTES);
        assertEquals(4096, padded.getBytes(StandardCharsets.UTF_8).length);
        assertEquals(123, decode(padded).postId(), "exactly 4096 bytes is fine");

        String oversize = padTo(CONTRACT_EXAMPLE, ViewEventCodec.MAX_PAYLOAD_BYTES + 1);
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class, () -> decode(oversize));
        assertTrue(e.getMessage().contains("4097 bytes"), e.getMessage());
    }

    /** The example grown to exactly {@code bytes} with an unknown field. */
    static String padTo(String json, int bytes) {
        String prefix = "{\"padding\": \"";
        String suffix = "\", " + json.substring(1);
        return prefix + "x".repeat(bytes - prefix.length() - suffix.length()) + suffix;
    }

    @Test
    void encodeThenDecodeGivesTheSameEvent() throws Exception {
        ViewEvent full = new ViewEvent(9_000_000_000L, Instant.parse("2026-11-21T16:24:15.250Z"), "Europe/Berlin",
                Intent.ARTWORK, 0, "by_user", KEY, "u-sqid", null, true, UUID.randomUUID(), "pl-7", 1234, 86_400_000L);
        assertEquals(full, ViewEventCodec.decode(ViewEventCodec.encode(full)));

        ViewEvent minimal = new ViewEvent(1, null, "", Intent.CHANNEL, null, null, KEY, null, null, false, null, null, null, null);
        byte[] encoded = ViewEventCodec.encode(minimal);
        assertTrue(new String(encoded, StandardCharsets.UTF_8).contains("\"1970-01-01T00:00:00Z\""),
                "no client time is sent as the firmware's unsynced timestamp");
        assertEquals(minimal, ViewEventCodec.decode(encoded));
    }

    @Test
    void decodesASliceOfABuffer() throws Exception {
        byte[] example = CONTRACT_EXAMPLE.getBytes(StandardCharsets.UTF_8);
        byte[] framed = new byte[example.length + 10];
        System.arraycopy(example, 0, framed, 5, example.length);
        assertEquals(decode(CONTRACT_EXAMPLE), ViewEventCodec.decode(framed, 5, example.length));
    }

    /** Used only once decoding failed, to tell the player why if it asked. */
    @Test
    void requestsAckIsLenientButOnlyTrueForALiteralTrue() {
        assertTrue(requestsAck("{\"post_id\": \"wrong\", \"request_ack\": true}"));
        assertTrue(requestsAck("{\"nested\": {\"request_ack\": false}, \"request_ack\": true}"));
        assertTrue(requestsAck("{\"request_ack\": true, \"post_id\": "), "broken JSON after the field still asked");
        assertFalse(requestsAck("{\"post_id\": 1, \"request_ack\": false}"));
        assertFalse(requestsAck("{\"request_ack\": \"true\"}"));
        assertFalse(requestsAck("{\"nested\": {\"request_ack\": true}}"), "only the top-level field counts");
        assertFalse(requestsAck("{\"post_id\": 1}"));
        assertFalse(requestsAck("[{\"request_ack\": true}]"));
        assertFalse(requestsAck("not json"));
    }

    static boolean requestsAck(String payload) {
        return ViewEventCodec.requestsAck(payload.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void topicsParseOnlyTheProtocolsTopics() {
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        assertEquals(new Topics.Match(KEY, Topics.Kind.VIEW), topics.parse("makapix/player/" + KEY + "/view"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.VIEW_ACK), topics.parse("makapix/player/" + KEY + "/view/ack"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.STATUS), topics.parse("makapix/player/" + KEY + "/status"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.COMMAND), topics.parse("makapix/player/" + KEY + "/command"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.COMMAND_ACK), topics.parse("makapix/player/" + KEY + "/command/ack"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.REQUEST, "r-17"), topics.parse("makapix/player/" + KEY + "/request/r-17"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.RESPONSE, "#"), topics.parse("makapix/player/" + KEY + "/response/#"));
        assertEquals(new Topics.Match("+", Topics.Kind.CAPABILITIES), topics.parse("makapix/player/+/capabilities"));
        assertEquals(new Topics.Match(KEY, Topics.Kind.STATE), topics.parse("makapix/player/" + KEY + "/state"));
        assertEquals("makapix/player/" + KEY + "/response/9", topics.topic(KEY, Topics.Kind.RESPONSE, "9"));
        assertEquals("makapix/player/" + KEY + "/view/ack", topics.ack(KEY));
        for (String other : new String[] {"makapix/player", "makapix/player/", "makapix/player//view", "makapix/playerX/k/view",
                "makapix/player/k", "makapix/player/k/", "makapix/player/k/view/extra", "makapix/player/k/views",
                "other/player/k/view", "makapix/player/k/view/ack/more", "makapix/player/k/request", "makapix/player/k/request/",
                "makapix/player/k/request/a/b", "makapix/player/k/#", "makapix/player/k/commands"}) {
            assertNull(topics.parse(other), other);
        }
        Topics custom = new Topics("fleet/a");
        assertEquals(new Topics.Match("k1", Topics.Kind.VIEW), custom.parse("fleet/a/k1/view"));
        assertNull(custom.parse("makapix/player/k1/view"));
        for (String bad : new String[] {"", "a/", "a/+", "a/#"}) {
            assertThrows(IllegalArgumentException.class, () -> new Topics(bad), bad);
        }
    }

    @Test
    void acksAreThePayloadsTheFirmwareExpects() throws Exception {
        assertArrayEquals("{\"success\":true}".getBytes(StandardCharsets.US_ASCII), Ack.ok().encode());
        Ack limited = Ack.failure(ErrorCode.RATE_LIMITED, "one event per 5000 ms per player");
        assertEquals("{\"success\":false,\"error\":\"one event per 5000 ms per player\",\"error_code\":\"rate_limited\"}",
                new String(limited.encode(), StandardCharsets.UTF_8));
        assertEquals(limited, Ack.decode(limited.encode()));
        assertEquals(Ack.ok(), Ack.decode(Ack.ok().encode()));
        assertThrows(InvalidPayloadException.class, () -> Ack.decode("{\"success\":false,\"error_code\":\"nope\"}".getBytes()));
        assertThrows(InvalidPayloadException.class, () -> Ack.decode("{\"error\":\"x\"}".getBytes()));
    }

    @Test
    void statusMessagesRoundTripAndNeedAStatus() throws Exception {
        StatusMessage online = new StatusMessage(KEY, "online", 123L, "1.4.2");
        assertEquals(online, StatusMessage.decode(online.encode()));
        StatusMessage will = StatusMessage.decode(("{\"player_key\":\"" + KEY + "\",\"status\":\"offline\"}").getBytes());
        assertEquals(new StatusMessage(KEY, "offline", null, null), will);
        InvalidPayloadException e = assertThrows(InvalidPayloadException.class,
                () -> StatusMessage.decode("{\"player_key\":\"k\"}".getBytes()));
        assertTrue(e.getMessage().contains("status"), e.getMessage());
        e = assertThrows(InvalidPayloadException.class,
                () -> StatusMessage.decode("{\"status\":\"online\",\"current_post_id\":\"123\"}".getBytes()));
        assertTrue(e.getMessage().contains("current_post_id"), e.getMessage());
        // stored in the player's row: a NUL there once failed every player's status write, again each second
        e = assertThrows(InvalidPayloadException.class,
                () -> StatusMessage.decode("{\"status\":\"online\",\"firmware_version\":\"1.4\\u0000\"}".getBytes()));
        assertTrue(e.getMessage().contains("firmware_version"), e.getMessage());
    }

    @Test
    void firmwareTimestampsReadFastAndExactlyOthersThroughTheIsoParser() throws Exception {
        for (String t : new String[] {"2026-11-21T16:24:15Z", "2000-02-29T23:59:59Z", "2099-12-31T00:00:00Z"}) {
            assertEquals(Instant.parse(t), ViewEventCodec.utcSeconds(t), t);
        }
        assertEquals(Instant.parse("2026-11-21T16:24:15Z"),
                decode(CONTRACT_EXAMPLE.replace("2026-11-21T16:24:15Z", "2026-11-21T17:24:15+01:00")).clientTime());
        for (String bad : new String[] {"2026-02-30T10:00:00Z", "2026-13-01T00:00:00Z", "2026-11-21T24:00:00Z",
                "2026-11-2xT10:00:00Z", "2026/11/21T10:00:00Z"}) {
            assertThrows(InvalidPayloadException.class,
                    () -> decode(CONTRACT_EXAMPLE.replace("2026-11-21T16:24:15Z", bad)), bad);
        }
    }
}
