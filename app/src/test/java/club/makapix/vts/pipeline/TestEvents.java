package club.makapix.vts.pipeline;

import club.makapix.vts.pipeline.DeviceClassifier.Classification;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Events as the doors make them ({@link Event#fromPlayer}, {@link Event#fromWeb} with an
 * {@link Origin}), and as the stages leave them, for tests that start at a stage or at the writer.
 */
final class TestEvents {
    /** When the events arrive; the player's clock says five seconds earlier. */
    static final Instant RECEIVED_AT = Instant.parse("2026-11-21T16:24:20Z");
    static final Instant CLIENT_TIME = Instant.parse("2026-11-21T16:24:15Z");
    /** Where the events come from; GeoFixture places it in Germany. */
    static final InetAddress CLIENT = address("203.0.113.7");

    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** What YAUAA makes of the user agents used here; DeviceClassifierTest checks it on the same strings. */
    private static final Map<String, Classification> CLASSIFICATIONS = Map.of(
            WebClient.FIREFOX, new Classification("desktop", null),
            WebClient.IPHONE, new Classification("mobile", null),
            WebClient.GOOGLEBOT, new Classification("bot", Reason.BOT_CRAWLER),
            WebClient.HEADLESS_CHROME, new Classification("bot", Reason.BOT_HEADLESS),
            WebClient.CURL, new Classification("bot", Reason.BOT_SCRIPTED));

    private TestEvents() {}

    /** A countable view of the post by the viewer (artist "artist-1"), with a fresh dedupe key. */
    static Event view(long postId, String viewer, Instant at) {
        Event e = Event.fromWeb(Origin.web(at, InetAddress.getLoopbackAddress(), "test", null, null, TIMEOUT_NANOS),
                postId, null);
        e.postId = postId;
        e.kind = Kind.VIEW;
        e.viewerId = viewer;
        e.artistId = "artist-1";
        e.dedupeKey = UUID.randomUUID();
        return e;
    }

    /**
     * A player's payload as its door hands it on, sent and authenticated as {@code playerKey}: over
     * MQTT the topic names the player too, over HTTP ({@code POST /v1/player/views}) nothing else does.
     */
    static Event fromPlayer(Door door, String playerKey, String payload) {
        Origin origin = Origin.player(door, RECEIVED_AT, CLIENT, playerKey, TIMEOUT_NANOS);
        return Event.fromPlayer(origin, door == Door.MQTT ? playerKey : null, payload.getBytes(StandardCharsets.UTF_8));
    }

    /** A view payload as the p3a firmware writes it (contract §1), asking for an ack. */
    static String p3aPayload(String playerKey, long postId, String timestamp) {
        return "{\"post_id\": " + postId + ", \"timestamp\": \"" + timestamp + "\", \"timezone\": \"\", \"intent\": \"artwork\","
                + " \"play_order\": 0, \"channel\": \"artwork\", \"player_key\": \"" + playerKey + "\","
                + " \"channel_user_sqid\": null, \"channel_hashtag\": null, \"request_ack\": true}";
    }

    /** A player's view of the post at {@link #CLIENT_TIME}, as DecodePlayerPayload leaves it. */
    static Event playerView(Door door, String playerKey, long postId) {
        Event e = fromPlayer(door, playerKey, p3aPayload(playerKey, postId, CLIENT_TIME.toString()));
        e.postId = postId;
        e.kind = Kind.VIEW;
        e.clientTime = CLIENT_TIME;
        e.timezone = "";
        e.channel = "artwork";
        e.playOrder = 0;
        e.payloadPlayerKey = playerKey;
        e.requestAck = true;
        return e;
    }

    /** What the HTTP door knows of a browser's request; {@code viewerSubject} is its token's, null without one. */
    static Origin browser(String userAgent, String referrer, String viewerSubject) {
        return Origin.web(RECEIVED_AT, CLIENT, userAgent, referrer, viewerSubject, TIMEOUT_NANOS);
    }

    /**
     * A web event as the HTTP door makes it: {@code pathPostId} from the URL (0 for an entry of a
     * batch), {@code body} the JSON sent (null: no body).
     */
    static Event fromWeb(Origin origin, long pathPostId, String body) {
        return Event.fromWeb(origin, pathPostId, body == null ? null : json(body));
    }

    /** A JSON body as a door parses it. */
    static com.fasterxml.jackson.databind.JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + body, e);
        }
    }

    /**
     * A signed-in viewer's watch report of the post as DecodeWebEvent and the viewer's identification
     * leave it, arriving at {@code receivedAt}: where playback is, and what was played (ms).
     */
    static Event watchReport(String viewer, long postId, Instant receivedAt, long positionMs, Long playedMs, String session) {
        Origin origin = Origin.web(receivedAt, CLIENT, WebClient.FIREFOX, null, viewer, TIMEOUT_NANOS);
        Event e = Event.watchReport(origin, postId, null);
        e.postId = postId;
        e.viewerId = viewer;
        e.artistId = "artist-1";
        e.positionMs = positionMs;
        e.playedMs = playedMs;
        e.sessionId = session;
        e.dedupeKey = UUID.randomUUID();
        return e;
    }

    /** An anonymous visitor's view of the post in Firefox, as DecodeWebEvent leaves it (no body: a view). */
    static Event webView(long postId) {
        return webView(postId, CLIENT, RECEIVED_AT);
    }

    /** The same from {@code address} (null: none known), arriving at {@code receivedAt}. */
    static Event webView(long postId, InetAddress address, Instant receivedAt) {
        Origin origin = Origin.web(receivedAt, address, WebClient.FIREFOX, null, null, TIMEOUT_NANOS);
        Event e = fromWeb(origin, postId, null);
        e.kind = Kind.VIEW;
        return e;
    }

    /** DeviceClassifier's answer for the user agents used here, without YAUAA, which takes seconds to build. */
    static Classification classify(String userAgent) {
        Classification known = userAgent == null ? null : CLASSIFICATIONS.get(userAgent);
        if (known == null) {
            throw new IllegalArgumentException("no classification here for " + userAgent);
        }
        return known;
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal); // a literal: no name lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
