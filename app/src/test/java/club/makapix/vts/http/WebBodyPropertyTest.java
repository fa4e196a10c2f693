package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.pipeline.DecodeWebEvent;
import club.makapix.vts.pipeline.Event;
import club.makapix.vts.pipeline.Origin;
import club.makapix.vts.pipeline.Reason;
import club.makapix.vts.pipeline.Verdict;
import club.makapix.vts.protocol.ClientInput;
import club.makapix.vts.protocol.HostileJson;
import club.makapix.vts.support.WebBodies;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * How the HTTP door reads a web event, in process, for any body: {@link JsonBody#parse} (with the
 * server's own mapper) takes one strict JSON value or answers 400 invalid_payload, and
 * {@link DecodeWebEvent} passes only events whose text and times VTS can store, stopping the rest as
 * invalid payloads. Nothing else may escape either, whatever the body or the Referer header.
 */
class WebBodyPropertyTest {
    private static final ObjectMapper JSON = HttpServer.json();
    private static final long PATH_POST_ID = 7;

    @Property(tries = 1000)
    void bodiesAreRefusedOnlyAsInvalidAndEventsPassOnlyWhenStorable(@ForAll("bodies") byte[] body, @ForAll boolean batchEntry,
                                                                     @ForAll String referrer) {
        JsonNode parsed = null;
        if (body.length > 0) { // no body is a view (IngestRoutes)
            try {
                parsed = JsonBody.parse(body, JSON);
            } catch (ApiError refused) {
                assertEquals(400, refused.status());
                assertEquals("invalid_payload", refused.code());
                assertFalse(refused.getMessage().isBlank());
                tally("parse refused");
                return;
            }
        }
        Origin origin = Origin.web(Instant.now(), InetAddress.getLoopbackAddress(), WebClient.FIREFOX, referrer, null,
                TimeUnit.SECONDS.toNanos(10));
        // a batch entry (never empty) names its post in the body; a single event's post is in the path
        Event event = Event.fromWeb(origin, batchEntry && parsed != null ? 0 : PATH_POST_ID, parsed);
        Verdict verdict = new DecodeWebEvent().apply(event);
        if (!verdict.passed()) {
            assertEquals(Reason.INVALID_PAYLOAD, verdict.reason());
            assertFalse(verdict.message().isBlank());
            tally("decode refused");
            return;
        }
        tally("taken");
        assertTrue(event.postId() > 0);
        assertNotNull(event.kind());
        assertStorableText(event.channel(), 64);
        assertStorableText(event.channelContext(), 128);
        assertStorableText(event.playlistId(), 128);
        assertStorableText(event.referrerDomain(), Integer.MAX_VALUE);
        assertTrue(event.timezone() == null || event.timezone().isEmpty() || ZoneId.of(event.timezone()) != null);
        assertTrue(event.localTime() == null || ClientInput.timeInRange(event.localTime().toInstant(ZoneOffset.UTC)));
        assertTrue(event.playOrder() == null || event.playOrder() >= 0 && event.playOrder() <= 2);
        assertTrue(event.dwellMs() == null || event.dwellMs() >= 0);
    }

    /** Counts a try's outcome; too few bodies reaching the decoder, or passing it, and the property tested little: it fails. */
    private static void tally(String outcome) {
        Statistics.collect(outcome);
        Statistics.coverage(outcomes -> {
            outcomes.check("decode refused").percentage(p -> p >= 5);
            outcomes.check("taken").percentage(p -> p >= 5);
        });
    }

    private static void assertStorableText(String text, int max) {
        assertNull(text == null ? null : ClientInput.textProblem(text, max), text);
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<byte[]> valid = Arbitraries.randomValue(random -> WebBodies.event(random,
                random.nextBoolean() ? null : 1 + (long) random.nextInt(1000), new UUID(random.nextLong(), random.nextLong())).toString()
                .getBytes(StandardCharsets.UTF_8));
        return Arbitraries.frequencyOf(
                Tuple.of(1, valid),
                Tuple.of(4, valid.flatMap(body -> Arbitraries.randomValue(random -> HostileJson.mutate(random, body, 5_000)))),
                Tuple.of(2, Arbitraries.randomValue(random -> HostileJson.object(random, WebBodies.FIELDS))),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(300)),
                Tuple.of(1, Arbitraries.strings().all().ofMaxLength(200).map(s -> s.getBytes(StandardCharsets.UTF_8))));
    }
}
