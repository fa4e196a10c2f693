package club.makapix.vts.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * The payloads players exchange, for any input: a valid view event survives encoding, and decoding
 * anything at all either refuses it with {@link InvalidPayloadException} or gives a payload whose text
 * and times VTS can store.
 */
class PayloadCodecsPropertyTest {
    static final List<String> VIEW_FIELDS = List.of("post_id", "timestamp", "timezone", "intent", "play_order", "channel",
            "player_key", "channel_user_sqid", "channel_hashtag", "request_ack", "event_id", "playlist_id", "dwell_ms");
    static final List<String> STATUS_FIELDS = List.of("player_key", "status", "current_post_id", "firmware_version", "timestamp");
    static final List<String> ACK_FIELDS = List.of("success", "error", "error_code");

    @Property(tries = 1000)
    void validEventsSurviveEncoding(@ForAll("validEvents") ViewEvent event) throws InvalidPayloadException {
        assertEquals(event, ViewEventCodec.decode(ViewEventCodec.encode(event)));
    }

    @Property(tries = 1000)
    void viewPayloadsAreRefusedOnlyAsInvalidAndTakenOnlyWhenStorable(@ForAll("hostileViewPayloads") byte[] payload) {
        boolean asksForAck = ViewEventCodec.requestsAck(payload);
        ViewEvent event;
        try {
            event = ViewEventCodec.decode(payload);
        } catch (InvalidPayloadException refused) {
            assertFalse(refused.getMessage().isBlank());
            tally("refused", 2);
            return;
        }
        tally("taken", 2);
        assertTrue(event.postId() > 0);
        assertNotNull(event.intent());
        assertFalse(event.playerKey().isEmpty());
        for (String text : Arrays.asList(event.timezone(), event.channel(), event.playerKey(), event.channelUserSqid(),
                event.channelHashtag(), event.playlistId())) {
            assertNull(text == null ? null : ClientInput.textProblem(text, ViewEventCodec.MAX_TEXT), text);
        }
        assertTrue(event.clientTime() == null || ClientInput.timeInRange(event.clientTime()), () -> String.valueOf(event.clientTime()));
        assertTrue(event.playOrder() == null || event.playOrder() >= 0 && event.playOrder() <= 2);
        assertTrue(event.dwellMs() == null || event.dwellMs() >= 0);
        assertEquals(event.requestAck(), asksForAck, "the ack is asked for alike whether or not the payload is valid");
    }

    @Property(tries = 1000)
    void statusPayloadsAreRefusedOnlyAsInvalidAndTakenOnlyWhenStorable(@ForAll("hostileStatusPayloads") byte[] payload) {
        StatusMessage status;
        try {
            status = StatusMessage.decode(payload);
        } catch (InvalidPayloadException refused) {
            assertFalse(refused.getMessage().isBlank());
            tally("refused", 5);
            return;
        }
        tally("taken", 5);
        assertFalse(status.status().isEmpty());
        for (String text : Arrays.asList(status.playerKey(), status.status(), status.firmwareVersion())) {
            assertNull(text == null ? null : ClientInput.textProblem(text, ViewEventCodec.MAX_TEXT), text);
        }
    }

    @Property(tries = 500)
    void ackPayloadsAreRefusedOnlyAsInvalid(@ForAll("hostileAckPayloads") byte[] payload) {
        try {
            Ack.decode(payload);
        } catch (InvalidPayloadException refused) {
            assertFalse(refused.getMessage().isBlank());
        }
    }

    /** Counts a try's outcome; too few inputs taken, and the property tested little: it fails. */
    private static void tally(String outcome, double leastPercentTaken) {
        Statistics.collect(outcome);
        Statistics.coverage(outcomes -> outcomes.check("taken").percentage(p -> p >= leastPercentTaken));
    }

    @Provide
    Arbitrary<ViewEvent> validEvents() {
        Arbitrary<Instant> clientTimes = Arbitraries.longs().between(1, ClientInput.LATEST.getEpochSecond())
                .map(Instant::ofEpochSecond).injectNull(0.1);
        Arbitrary<String> text = validText(ViewEventCodec.MAX_TEXT);
        Arbitrary<String> optionalText = text.injectNull(0.3);
        Arbitrary<UUID> eventIds = Arbitraries.longs().tuple2().map(t -> new UUID(t.get1(), t.get2())).injectNull(0.3);
        // Combinators take eight at most: the first eight fields, then the other six
        return Combinators.combine(Arbitraries.longs().greaterOrEqual(1), clientTimes, text, Arbitraries.of(Intent.class),
                        Arbitraries.integers().between(0, 2).injectNull(0.3), optionalText, text.filter(s -> !s.isEmpty()), optionalText)
                .as((postId, clientTime, timezone, intent, playOrder, channel, playerKey, channelUserSqid) -> new ViewEvent(
                        postId, clientTime, timezone, intent, playOrder, channel, playerKey, channelUserSqid, null, false, null,
                        null, null, null))
                .flatMap(e -> Combinators.combine(optionalText, Arbitraries.of(true, false), eventIds, optionalText,
                                Arbitraries.integers().greaterOrEqual(0).injectNull(0.3),
                                Arbitraries.longs().greaterOrEqual(0).injectNull(0.3))
                        .as((channelHashtag, requestAck, eventId, playlistId, dwellMs, watchedMs) -> new ViewEvent(e.postId(),
                                e.clientTime(), e.timezone(), e.intent(), e.playOrder(), e.channel(), e.playerKey(),
                                e.channelUserSqid(), channelHashtag, requestAck, eventId, playlistId, dwellMs, watchedMs)));
    }

    /**
     * Text VTS takes: no control characters, surrogates only in pairs, at most {@code maxChars} UTF-16
     * characters; mostly ASCII (quotes and backslashes included), with the rest of Unicode mixed in.
     */
    static Arbitrary<String> validText(int maxChars) {
        Arbitrary<Integer> codePoints = Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0x20, 0x7E)),
                Tuple.of(2, Arbitraries.integers().between(0xA0, Character.MIN_SURROGATE - 1)),
                Tuple.of(1, Arbitraries.integers().between(Character.MAX_SURROGATE + 1, 0xFFFF)),
                Tuple.of(1, Arbitraries.integers().between(Character.MIN_SUPPLEMENTARY_CODE_POINT, Character.MAX_CODE_POINT)));
        return codePoints.list().ofMaxSize(maxChars).map(cps -> {
            StringBuilder s = new StringBuilder();
            for (int cp : cps) {
                if (s.length() + Character.charCount(cp) > maxChars) {
                    break;
                }
                s.appendCodePoint(cp);
            }
            return s.toString();
        });
    }

    @Provide
    Arbitrary<byte[]> hostileViewPayloads() {
        Arbitrary<byte[]> mutatedEvents = validEvents().map(ViewEventCodec::encode)
                .flatMap(valid -> Arbitraries.randomValue(random -> HostileJson.mutate(random, valid, 6_000)));
        return Arbitraries.frequencyOf(
                Tuple.of(4, mutatedEvents),
                Tuple.of(2, hostileObjects(VIEW_FIELDS)),
                Tuple.of(1, noise()));
    }

    @Provide
    Arbitrary<byte[]> hostileStatusPayloads() {
        Arbitrary<byte[]> mutatedStatuses = Arbitraries.randomValue(random -> HostileJson.mutate(random,
                new StatusMessage(new UUID(random.nextLong(), random.nextLong()).toString(), "online", random.nextLong(), "1.4.2").encode(), 3_000));
        return Arbitraries.oneOf(mutatedStatuses, hostileObjects(STATUS_FIELDS), noise());
    }

    @Provide
    Arbitrary<byte[]> hostileAckPayloads() {
        Arbitrary<byte[]> mutatedAcks = Arbitraries.of(Ack.ok(), Ack.failure(ErrorCode.RATE_LIMITED, "slow down"))
                .flatMap(ack -> Arbitraries.randomValue(random -> HostileJson.mutate(random, ack.encode(), 1_000)));
        return Arbitraries.oneOf(mutatedAcks, hostileObjects(ACK_FIELDS), noise());
    }

    private static Arbitrary<byte[]> hostileObjects(List<String> fields) {
        return Arbitraries.randomValue(random -> HostileJson.object(random, fields));
    }

    /** Bytes and text of no shape at all: any byte, any character (UTF-8 turns lone surrogates into '?'). */
    static Arbitrary<byte[]> noise() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Arbitraries.strings().all().ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8)));
    }
}
