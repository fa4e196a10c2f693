package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import club.makapix.vts.support.WebClient;
import java.time.LocalDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The first stage of the web door: a web event's fields (contract §2) read into the event, or INVALID_PAYLOAD. */
class DecodeWebEventTest {
    static final Origin ANONYMOUS_FIREFOX = TestEvents.browser(WebClient.FIREFOX, null, null);
    final DecodeWebEvent stage = new DecodeWebEvent();

    @Test
    void noBodyIsAViewOfThePostInTheUrl() {
        Event event = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, null);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(7, event.postId());
        assertEquals(Kind.VIEW, event.kind());
        assertNull(event.channel());
        assertNull(event.eventId());
    }

    @Test
    void everyFieldOfTheContractAndWhatVtsAddsIsRead() {
        UUID eventId = UUID.randomUUID();
        Event event = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, """
                {"intent": "view", "channel": "hashtag", "channel_context": "pixelart", "play_order": 1,
                 "event_id": "%s", "dwell_ms": 3000, "watched_ms": 12500, "playlist_id": "pl-9",
                 "timezone": "Europe/Berlin", "local_time": "2026-11-21T17:24:15"}""".formatted(eventId));

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(Kind.VIEW, event.kind());
        assertEquals("hashtag", event.channel());
        assertEquals("pixelart", event.channelContext());
        assertEquals(1, event.playOrder());
        assertEquals(eventId, event.eventId());
        assertEquals(3000, event.dwellMs());
        assertEquals(12500L, event.watchedMs());
        assertEquals("pl-9", event.playlistId());
        assertEquals("Europe/Berlin", event.timezone());
        assertEquals(LocalDateTime.parse("2026-11-21T17:24:15"), event.localTime());
        assertEquals(false, event.automationReported, "no automation reported");
    }

    @ParameterizedTest(name = "{0} is a {1}")
    @CsvSource(delimiter = '|', textBlock = """
            {}                                          | VIEW
            {"channel": "artwork"}                      | VIEW
            {"channel": "promoted"}                     | IMPRESSION
            {"intent": "impression", "channel": "artwork"} | IMPRESSION
            {"intent": "view", "channel": "promoted"}   | VIEW
            """)
    void theIntentOrElseTheChannelSaysViewOrImpression(String body, Kind kind) {
        Event event = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, body);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(kind, event.kind());
    }

    @Test
    void aBatchEntryNamesItsPostAndTheUrlsPostIsNotOverridden() {
        Event entry = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 0,
                "{\"post_id\": 9, \"event_id\": \"" + UUID.randomUUID() + "\"}");
        Event single = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, "{\"post_id\": 9}");

        assertEquals(Verdict.pass(), stage.apply(entry));
        assertEquals(9, entry.postId());
        assertEquals(Verdict.pass(), stage.apply(single));
        assertEquals(7, single.postId());
    }

    @Test
    void aNumericPlaylistIdIsKeptAsText() {
        Event event = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, "{\"playlist_id\": 42}");

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals("42", event.playlistId());
    }

    @Test
    void aNumericPlaylistIdHasTheTextsLimit() {
        for (String playlist : new String[] {"9".repeat(900), "-5"}) {
            Verdict verdict = stage.apply(TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, "{\"playlist_id\": " + playlist + "}"));
            assertEquals(Reason.INVALID_PAYLOAD, verdict.reason(), playlist);
        }
    }

    @Test
    void automationReportedByTheTrackerIsNotedForClassifyDeviceToDecide() {
        Event automated = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, "{\"automation\": true}");
        Event person = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7, "{\"automation\": false}");

        assertEquals(Verdict.pass(), stage.apply(automated));
        assertEquals(true, automated.automationReported);
        assertNull(automated.robot, "the verdict is ClassifyDevice's");
        assertEquals(Verdict.pass(), stage.apply(person));
        assertEquals(false, person.automationReported);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "none", textBlock = """
            https://www.pixels.example/gallery?x=1 | pixels.example
            https://Gallery.Example:8443/a         | gallery.example
            not a url                              | none
            none                                   | none
            """)
    void theReferrersHostWithoutWwwIsWhereTheArtworkWasSeen(String referrer, String domain) {
        Event event = TestEvents.fromWeb(TestEvents.browser(WebClient.FIREFOX, referrer, null), 7, null);

        assertEquals(Verdict.pass(), stage.apply(event));
        assertEquals(domain, event.referrerDomain());
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', textBlock = """
            7 | [1, 2]                            | each event must be a JSON object
            7 | "a view"                          | each event must be a JSON object
            7 | null                              | each event must be a JSON object
            0 | {"event_id": "8c2b7d36-1f0e-4f55-9a1b-3f0b8f9d2c11"} | post_id must be a positive integer
            0 | {"post_id": 0}                    | post_id must be a positive integer
            0 | {"post_id": "9"}                  | post_id must be a positive integer
            7 | {"intent": "stare"}               | intent must be "view" or "impression"
            7 | {"play_order": 3}                 | play_order must be an integer from 0 to 2
            7 | {"play_order": "two"}             | play_order must be an integer from 0 to 2
            7 | {"dwell_ms": -1}                  | dwell_ms must be an integer from 0 to 2147483647
            7 | {"watched_ms": -1}                | watched_ms must be an integer from 0 to 9223372036854775807
            7 | {"watched_ms": 1.5}               | watched_ms must be an integer from 0 to 9223372036854775807
            7 | {"watched_ms": "30000"}           | watched_ms must be an integer from 0 to 9223372036854775807
            7 | {"watched_ms": 123456789012345678901234567890} | watched_ms must be an integer from 0 to 9223372036854775807
            7 | {"event_id": "not-a-uuid"}        | event_id must be a UUID
            7 | {"channel": 5}                    | channel must be a string of at most 64 characters
            7 | {"channel": "a\\u0000b"}          | channel contains a control character (U+0000)
            7 | {"timezone": "Mars/Olympus_Mons"} | timezone must be an IANA time zone such as Europe/Berlin
            7 | {"local_time": "yesterday"}       | local_time must be a local date-time from 1970 to 9999, such as 2026-11-21T17:24:15
            7 | {"local_time": "0000-01-01T00:00:00"} | local_time must be a local date-time from 1970 to 9999, such as 2026-11-21T17:24:15
            7 | {"type": "view"}                  | type must be "watch" (a watch report) or absent
            7 | {"type": "watch", "position_s": 1} | watch reports go to POST /v1/posts/{post_id}/watch
            0 | {"type": "watch", "post_id": 7}   | position_s is required: where playback is now, in seconds
            0 | {"type": "watch", "post_id": 7, "position_s": -1} | position_s must be a number of seconds from 0 up to 1000000000
            0 | {"type": "watch", "post_id": 7, "position_s": "12"} | position_s must be a number of seconds from 0 up to 1000000000
            0 | {"type": "watch", "post_id": 7, "position_s": 1e10} | position_s must be a number of seconds from 0 up to 1000000000
            0 | {"type": "watch", "post_id": 7, "position_s": 1, "duration_s": 0} | duration_s must be a number of seconds above 0 up to 1000000000
            0 | {"type": "watch", "post_id": 7, "position_s": 1, "played_s": -0.5} | played_s must be a number of seconds from 0 up to 1000000000
            0 | {"type": "watch", "post_id": 7, "position_s": 1, "session_id": 5} | session_id must be a string of at most 128 characters
            """)
    void whatIsNotAsTheContractSaysIsInvalidWithAMessageNamingTheField(long pathPostId, String body, String message) {
        Event event = TestEvents.fromWeb(ANONYMOUS_FIREFOX, pathPostId, body);

        assertEquals(Verdict.stop(Reason.INVALID_PAYLOAD, message), stage.apply(event));
    }

    @Test
    void aWatchReportOnItsRouteOrInABatchReadsItsFieldsInMilliseconds() {
        Event single = Event.watchReport(ANONYMOUS_FIREFOX, 7, TestEvents.json(
                "{\"position_s\": 42.5, \"duration_s\": 600, \"played_s\": 9.9994, \"session_id\": \"tab-1\","
                        + " \"event_id\": \"8c2b7d36-1f0e-4f55-9a1b-3f0b8f9d2c11\"}"));
        assertEquals(Verdict.pass(), stage.apply(single));
        assertEquals(Kind.WATCH, single.kind());
        assertEquals(42_500L, single.positionMs());
        assertEquals(600_000L, single.mediaDurationMs());
        assertEquals(9_999L, single.playedMs());
        assertEquals("tab-1", single.sessionId());
        assertEquals(UUID.fromString("8c2b7d36-1f0e-4f55-9a1b-3f0b8f9d2c11"), single.eventId());

        Event entry = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 0, "{\"type\": \"watch\", \"post_id\": 9, \"position_s\": 0}");
        assertEquals(Verdict.pass(), stage.apply(entry));
        assertEquals(Kind.WATCH, entry.kind());
        assertEquals(9, entry.postId());
        assertNull(entry.playedMs());
        assertNull(entry.mediaDurationMs());

        assertEquals(Verdict.stop(Reason.INVALID_PAYLOAD, "a watch report needs position_s"),
                stage.apply(Event.watchReport(ANONYMOUS_FIREFOX, 7, null)));
    }

    @Test
    void textLongerThanItsFieldAllowsIsInvalid() {
        Event event = TestEvents.fromWeb(ANONYMOUS_FIREFOX, 7,
                "{\"channel_context\": \"" + "x".repeat(129) + "\"}");

        assertEquals(Verdict.stop(Reason.INVALID_PAYLOAD, "channel_context is longer than 128 characters"), stage.apply(event));
    }
}
