package club.makapix.vts.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.ClientInput;
import club.makapix.vts.protocol.ErrorCode;
import club.makapix.vts.protocol.HostileJson;
import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.PlayerClient;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.protocol.ViewEventCodec;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Metrics;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebBodies;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JWSAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A bounded black-box fuzz of both doors of one server, over real sockets: a few hundred hostile
 * inputs per door from one seeded generator. After each input the answer must be one the contract
 * allows (HTTP: a success, or a 4xx in the {@code {"error","code"}} shape; MQTT: a PUBACK without a
 * disconnect, and the ack when one was asked for, with success or a contract error code) and
 * {@code /health/live} must still answer. At the end every stored row must be valid, and exactly
 * what the server reported as stored must be stored, with everything it acknowledged among it.
 *
 * <p>The seed is in every failure message; {@code -Dvts.fuzz.seed=N} replays a run or tries another.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // a hang guard only: the run is bounded by its input counts
class DoorsFuzzTest {
    static final long SEED = Long.getLong("vts.fuzz.seed", 20_261_121L);
    static final int SINGLE_INPUTS = 200;
    static final int BATCH_INPUTS = 60;
    static final int PLAYER_HTTP_INPUTS = 90;
    static final int MQTT3_INPUTS = 200;
    static final int MQTT5_INPUTS = 60;

    /** Long enough for HS512 as well, so a token signed with it is refused for its algorithm, not its key. */
    static final String JWT_SECRET = "fuzz-secret-fuzz-secret-fuzz-secret-fuzz-secret-fuzz-secret-fuzz";
    static final String ARTIST = "artist-fuzz";
    static final String OWNER = "owner-fuzz";
    static final List<Long> ARTISTS_POSTS = List.of(1L, 2L, 3L, 4L);
    /** A post by the players' owner: their views of it are self-views. */
    static final long OWNERS_POST = 5;
    static final long UNKNOWN_POST = 999_999;
    static final int BODY_CAP = 1_000_000;
    /** Events in one batch, at most (contract §2). */
    static final int MAX_BATCH = 500;
    /** Under the broker's 16 KiB packet limit: beyond it a client is cut for the packet's size, not its content. */
    static final int MQTT_PAYLOAD_MAX = 12_000;
    static final Set<String> REFUSAL_CODES = Set.of("invalid_payload", "invalid_token", "post_not_found", "payload_too_large",
            "rate_limited", "player_not_registered", "player_key_mismatch", "player_no_owner", "not_found", "bad_request",
            "uri_too_long", "headers_too_large");
    static final Set<String> BATCH_STATUSES = Set.of("counted", "accepted", "duplicate", "rate_limited", "invalid", "post_not_found");
    /** PUBACK reason codes of views: success (stored or duplicate), post not found, not authorized, rate limited, bad payload. */
    static final Set<Integer> VIEW_PUBACK_CODES = Set.of(0x00, 0x83, 0x87, 0x97, 0x99);
    static final ObjectMapper JSON = new ObjectMapper();

    static RunningServer vts;
    static WebClient web;
    /** Every input and key comes from it, in order: one seed replays a whole run. */
    static final Random random = new Random(SEED);
    static final String PLAYER = new UUID(random.nextLong(), random.nextLong()).toString();
    static final String MQTT5_PLAYER = new UUID(random.nextLong(), random.nextLong()).toString();

    /** Events the server said it stored (201, "counted", a success ack). */
    long acknowledged;
    /** Events it may have stored without saying so (204 and "accepted" cover bots too; a PUBACK without an ack says nothing). */
    long unacknowledgedSuccesses;
    /** The subjects of the valid viewer tokens sent: the only user ids web rows may carry. */
    final Set<String> viewers = new HashSet<>();
    String input;

    @BeforeAll
    static void start() throws Exception {
        System.out.println("DoorsFuzzTest seed " + SEED + " (replay: -Dvts.fuzz.seed=" + SEED + ")");
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_JWT_SECRET", JWT_SECRET,
                // every valid event reaches the writer: what is stored is what is under test here
                "VTS_PLAYER_RATE_LIMIT_MS", "0", "VTS_WEB_IMPRESSION_RATE_LIMIT_MS", "0"));
        ARTISTS_POSTS.forEach(post -> vts.admin.post(post, ARTIST));
        vts.admin.post(OWNERS_POST, OWNER);
        vts.admin.player(PLAYER, OWNER, secret(PLAYER));
        vts.admin.player(MQTT5_PLAYER, OWNER, secret(MQTT5_PLAYER));
        web = new WebClient(vts.httpPort());
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    static String secret(String player) {
        return "secret-" + player;
    }

    @Test
    void bothDoorsAnswerAsTheContractSaysAndStoreOnlyWhatTheyAcknowledged() throws Exception {
        for (int i = 0; i < SINGLE_INPUTS; i++) {
            single(i);
        }
        for (int i = 0; i < BATCH_INPUTS; i++) {
            batch(i);
        }
        for (int i = 0; i < PLAYER_HTTP_INPUTS; i++) {
            playerOverHttp(i);
        }
        mqtt311();
        mqtt5();
        storedRowsAreValidAndExactlyWhatWasReported();
    }

    // --- HTTP ---------------------------------------------------------------------------------------

    private void single(int n) {
        String id = postIdText();
        String path = random.nextInt(4) == 0 ? "/post/" + id + "/view" : "/v1/posts/" + id + "/views";
        Body body = random.nextInt(40) == 0 ? bodyAroundTheCap() : webBody(random.nextBoolean() ? randomUuid() : null);
        Credentials credentials = viewerCredentials();
        HttpResponse<String> r = post("single " + n, path, body, credentials);
        if (!credentials.valid()) {
            refusedForTheToken(r, body.valid() && isCanonicalLong(id));
        }
        answersAsTheContractSays(r, 201, 204);
        if (r.statusCode() == 201) {
            acknowledged++;
        } else if (r.statusCode() == 204) {
            unacknowledgedSuccesses++;
        }
    }

    private void batch(int n) throws IOException {
        List<String> events = new ArrayList<>();
        boolean wellFormed = true;
        int size = random.nextInt(30) == 0 ? MAX_BATCH + 1 : random.nextInt(6);
        for (int i = 0; i < size; i++) {
            int kind = random.nextInt(8);
            // a wrongly typed entry spoils only itself; a hostile object may not be JSON at all
            wellFormed &= kind != 0;
            events.add(switch (kind) {
                case 0 -> new String(HostileJson.object(random, WebBodies.FIELDS), StandardCharsets.UTF_8);
                case 1 -> JSON.valueToTree(HostileJson.validText(random, 8)).toString();
                default -> WebBodies.event(random, postId(), random.nextInt(10) == 0 ? null : randomUuid()).toString();
            });
        }
        byte[] valid = ("{\"events\":[" + String.join(",", events) + "]}").getBytes(StandardCharsets.UTF_8);
        Body body = random.nextInt(3) == 0 ? hostile(valid, 5_000) : new Body(valid, wellFormed);
        Credentials credentials = viewerCredentials();
        HttpResponse<String> r = post("batch " + n, "/v1/events", body, credentials);
        if (!credentials.valid()) {
            refusedForTheToken(r, body.valid() && size >= 1 && size <= MAX_BATCH);
        }
        answersAsTheContractSays(r, 200);
        if (r.statusCode() == 200) {
            JsonNode results = JSON.readTree(r.body()).get("results");
            assertTrue(results != null && results.isArray() && !results.isEmpty(), failure(r.body()));
            for (JsonNode result : results) {
                String status = result.path("status").asText();
                assertTrue(BATCH_STATUSES.contains(status), failure(r.body()));
                if (status.equals("counted")) {
                    acknowledged++;
                } else if (status.equals("accepted")) {
                    unacknowledgedSuccesses++;
                }
            }
        }
    }

    private void playerOverHttp(int n) {
        Body body = playerPayload(PLAYER);
        boolean goodCredentials = random.nextInt(5) > 0;
        String good = "Bearer " + PLAYER + ":" + secret(PLAYER);
        List<String> headers = goodCredentials ? List.of("Authorization", good) : HostileJson.pick(random, List.of(
                List.of(),
                List.of("Authorization", good + "x"),
                List.of("Authorization", "Bearer " + randomUuid() + ":" + secret(PLAYER)),
                List.of("Authorization", "Bearer " + PLAYER),
                List.of("Authorization", "Bearer :" + secret(PLAYER)),
                List.of("Authorization", "Bearer " + PLAYER + ":"),
                List.of("Authorization", "Basic " + Base64.getEncoder().encodeToString((PLAYER + ":" + secret(PLAYER)).getBytes())),
                List.of("Authorization", good, "Authorization", good)));
        HttpResponse<String> r = post("player over HTTP " + n, "/v1/player/views", body, new Credentials(headers, goodCredentials));
        if (!goodCredentials) {
            assertEquals(401, r.statusCode(), failure(r.body()));
        }
        answersAsTheContractSays(r, 200, 201);
        if (r.statusCode() == 201) {
            assertEquals(Ack.ok(), ack(r.body()), failure(r.body()));
            acknowledged++;
        } else if (r.statusCode() == 200) {
            assertEquals(ErrorCode.DUPLICATE, ack(r.body()).errorCode(), failure(r.body()));
        }
    }

    private static Ack ack(String body) {
        try {
            return Ack.decode(body.getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("not an ack: " + body, e);
        }
    }

    /** A web event body (none now and then, which is a view), valid or made hostile. */
    private Body webBody(UUID eventId) {
        if (random.nextInt(8) == 0) {
            return new Body(null, true);
        }
        byte[] valid = WebBodies.event(random, null, eventId).toString().getBytes(StandardCharsets.UTF_8);
        return random.nextInt(3) == 0 ? new Body(valid, true) : hostile(valid, 5_000);
    }

    /** One string field filling a body to just under, at, just over or well over the 1 MB cap. */
    private Body bodyAroundTheCap() {
        int size = HostileJson.pick(random, List.of(BODY_CAP - 1, BODY_CAP, BODY_CAP + 1, BODY_CAP + 100_000));
        String head = "{\"channel_context\":\"";
        String tail = "\"}";
        return new Body((head + "x".repeat(size - head.length() - tail.length()) + tail).getBytes(StandardCharsets.UTF_8), false);
    }

    /** Canonical ids of known and unknown posts mostly; otherwise ids VTS must not take for numbers. */
    private String postIdText() {
        if (random.nextInt(5) > 0) {
            return Long.toString(postId());
        }
        return HostileJson.pick(random, List.of("0", "00", "-1", "+1", "%2B1", "01", "1.0", "1e3", "0x1", "%201", "1%20", "%00",
                "1%00", "%D9%A1", "%EF%BC%91", "9223372036854775807", "9223372036854775808", "99999999999999999999", "abc",
                "null", "%2e%2e", "1;x=1", "1%2F2", "9".repeat(3_000), ""));
    }

    private static boolean isCanonicalLong(String id) {
        return id.matches("[1-9][0-9]{0,18}") && new BigInteger(id).bitLength() < Long.SIZE;
    }

    private long postId() {
        int choice = random.nextInt(10);
        return choice < 7 ? HostileJson.pick(random, ARTISTS_POSTS) : choice < 9 ? OWNERS_POST : UNKNOWN_POST;
    }

    /** No token mostly, a valid one sometimes, else one the contract calls bad, expired or unusable (401 invalid_token). */
    private Credentials viewerCredentials() {
        int choice = random.nextInt(20);
        if (choice < 11) {
            return new Credentials(List.of(), true);
        }
        long inAnHour = System.currentTimeMillis() / 1000 + 3_600;
        if (choice < 15) {
            String subject = HostileJson.validText(random, 1 + random.nextInt(128));
            viewers.add(subject);
            String token = WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET, claims(JSON.valueToTree(subject).toString(), inAnHour));
            return new Credentials(List.of("Authorization", (random.nextBoolean() ? "Bearer " : "bearer ") + token), true);
        }
        String valid = WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET, claims("\"user-1\"", inAnHour));
        String bad = switch (random.nextInt(15)) {
            case 0 -> WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET.replace('f', 'g'), claims("\"user-1\"", inAnHour));
            case 1 -> WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET, claims("\"user-1\"", inAnHour - 4_200));
            case 2 -> WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET, "{\"sub\":\"user-1\"}");
            case 3 -> WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET,
                    "{\"sub\":\"user-1\",\"exp\":" + inAnHour + ",\"nbf\":" + (inAnHour - 3_000) + "}");
            case 4 -> WebClient.signedToken(JWSAlgorithm.HS512, JWT_SECRET, claims("\"user-1\"", inAnHour));
            case 5 -> base64Url("{\"alg\":\"none\"}") + "." + base64Url(claims("\"user-1\"", inAnHour)) + ".";
            // subjects no one can be: blank, too long, control characters, a broken surrogate, none, a list
            // (a number is taken as its digits, as the JWT library reads it)
            case 6 -> WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET, claims(HostileJson.pick(random, List.of("\"\"",
                    "\"   \"", "\"" + "x".repeat(129) + "\"", "\"user\\u0000x\"", "\"user\\tx\"", "\"\\u001b[31m\"",
                    "\"user\\ud800\"", "\"\\u0085\"", "null", "[\"user-1\"]")), inAnHour));
            case 7 -> valid.substring(0, valid.length() - 1 - random.nextInt(10));
            case 8 -> {
                // one character of the signature changed (not its last, whose low bits base64url ignores)
                int at = valid.lastIndexOf('.') + 1 + random.nextInt(30);
                yield valid.substring(0, at) + (valid.charAt(at) == 'A' ? 'B' : 'A') + valid.substring(at + 1);
            }
            case 9 -> HostileJson.pick(random, List.of("a.b.c", "..", "not-a-jwt", "x".repeat(2_000)));
            case 10 -> " " + valid;
            default -> null; // the header itself is what is wrong
        };
        List<String> headers = switch (bad == null ? random.nextInt(4) : -1) {
            case 0 -> List.of("Authorization", "Bearer");
            case 1 -> List.of("Authorization", "Basic dXNlcjpwYXNz");
            case 2 -> List.of("Authorization", "Token " + valid);
            case 3 -> List.of("Authorization", "Bearer " + valid, "Authorization", "Bearer " + valid);
            default -> List.of("Authorization", "Bearer " + bad);
        };
        return new Credentials(headers, false);
    }

    /** Claims of a subject (as JSON text, so it may be anything) and an expiry in epoch seconds. */
    private static String claims(String subjectJson, long expiresAt) {
        return "{\"sub\":" + subjectJson + ",\"exp\":" + expiresAt + "}";
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    /** A request with a browser's User-Agent mostly (a bot's or a script's now and then), odd headers besides. */
    private HttpResponse<String> post(String what, String path, Body body, Credentials credentials) {
        List<String> headers = new ArrayList<>(credentials.headers());
        if (random.nextInt(10) == 0) {
            headers.addAll(List.of("User-Agent", HostileJson.pick(random, List.of(WebClient.GOOGLEBOT, WebClient.CURL,
                    WebClient.HEADLESS_CHROME, "", "x".repeat(2_000)))));
        }
        if (random.nextInt(4) == 0) {
            headers.addAll(List.of("Content-Type", HostileJson.pick(random, List.of("application/json", "text/plain",
                    "application/x-www-form-urlencoded", "application/json; charset=utf-16", "multipart/form-data; boundary=x"))));
        }
        if (random.nextInt(8) == 0) {
            headers.addAll(List.of("X-Forwarded-For", HostileJson.pick(random, List.of("203.0.113.9", "1.2.3.4, evil", "::1",
                    "not-an-ip", "999.1.1.1", "localhost"))));
        }
        if (random.nextInt(8) == 0) {
            headers.addAll(List.of("Referer", HostileJson.pick(random, List.of("https://www.example.com/a?b=c", "javascript:alert(1)",
                    "http://[::1", "http://exa mple.com/", "//", "https://" + "a".repeat(2_000) + ".example/"))));
        }
        boolean chunked = body.bytes() != null && random.nextInt(10) == 0;
        input = what + ": POST " + abbreviated(path) + " headers " + abbreviated(headers.toString()) + (chunked ? " chunked" : "")
                + " body " + (body.bytes() == null ? "none" : abbreviated(new String(body.bytes(), StandardCharsets.UTF_8)));
        HttpRequest.BodyPublisher publisher = body.bytes() == null ? HttpRequest.BodyPublishers.noBody()
                : chunked ? HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(body.bytes()))
                : HttpRequest.BodyPublishers.ofByteArray(body.bytes());
        HttpResponse<String> r;
        try {
            r = web.send(HttpRequest.newBuilder(web.uri(path)).POST(publisher), headers.toArray(String[]::new));
        } catch (IllegalStateException e) {
            throw new AssertionError(failure("no answer: " + e.getCause()), e);
        }
        stillServing();
        return r;
    }

    /** A success the contract names for this call, or a clear refusal: a 4xx with a JSON {"error", "code"}, never a 5xx or a page. */
    private void answersAsTheContractSays(HttpResponse<String> r, Integer... successes) {
        if (Arrays.asList(successes).contains(r.statusCode())) {
            return;
        }
        assertTrue(r.statusCode() >= 400 && r.statusCode() < 500, failure(r.statusCode() + " " + r.body()));
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), failure(r.headers().toString()));
        JsonNode error;
        try {
            error = JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError(failure("not JSON: " + r.body()), e);
        }
        assertTrue(error.path("error").isTextual() && !error.path("error").asText().isBlank(), failure(r.body()));
        assertTrue(REFUSAL_CODES.contains(error.path("code").asText()), failure(r.body()));
        if (r.statusCode() == 429) {
            assertTrue(r.headers().firstValue("Retry-After").isPresent(), failure("429 without Retry-After"));
        }
    }

    /** A bad token is never taken; with everything else right it is refused for what it is. */
    private void refusedForTheToken(HttpResponse<String> r, boolean restIsValid) {
        assertTrue(r.statusCode() >= 400, failure("a bad token was taken: " + r.statusCode()));
        if (restIsValid) {
            assertEquals(401, r.statusCode(), failure(r.body()));
            assertTrue(r.body().contains("\"code\":\"invalid_token\""), failure(r.body()));
        }
    }

    // --- MQTT ---------------------------------------------------------------------------------------

    private void mqtt311() throws Exception {
        try (Mqtt3Player player = Mqtt3Player.connect(vts.mqttUri(), PLAYER, secret(PLAYER), null).subscribeAcks()) {
            for (int i = 0; i < MQTT3_INPUTS; i++) {
                byte[] payload = playerPayload(PLAYER).bytes();
                input = "MQTT 3.1.1 view " + i + ": " + abbreviated(new String(payload, StandardCharsets.UTF_8));
                try {
                    player.publishView(payload); // returns once PUBACKed
                } catch (MqttException e) {
                    throw new AssertionError(failure("no PUBACK: " + e), e);
                }
                assertTrue(player.client.isConnected(), failure("a 3.1.1 client was cut for a payload"));
                countAck(payload, ViewEventCodec.requestsAck(payload) ? player.nextAck(10) : null, true);
                stillServing();
            }
            assertNull(player.nextAck(1), failure("an ack nobody asked for"));
        }
    }

    private void mqtt5() throws Exception {
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();
        try (PlayerClient player = PlayerClient.connect(vts.mqttUri(), topics, MQTT5_PLAYER, secret(MQTT5_PLAYER), null)) {
            player.subscribeAcks(acks::add);
            for (int i = 0; i < MQTT5_INPUTS; i++) {
                byte[] payload = playerPayload(MQTT5_PLAYER).bytes();
                input = "MQTT 5 view " + i + ": " + abbreviated(new String(payload, StandardCharsets.UTF_8));
                int code;
                try {
                    code = player.publish(topics.view(MQTT5_PLAYER), payload).get(20, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError(failure("no PUBACK: " + e), e);
                }
                assertTrue(VIEW_PUBACK_CODES.contains(code), failure("PUBACK reason code 0x" + Integer.toHexString(code)));
                Ack ack = ViewEventCodec.requestsAck(payload) ? acks.poll(10, TimeUnit.SECONDS) : null;
                countAck(payload, ack, code == 0);
                if (ack != null) {
                    assertTrue(!ack.success() || code == 0, failure("stored, but PUBACK 0x" + Integer.toHexString(code)));
                }
                stillServing();
            }
            assertNull(acks.poll(1, TimeUnit.SECONDS), failure("an ack nobody asked for"));
        }
    }

    /** Counts what an ack (when the payload asked for one) or else the PUBACK says about storing the event. */
    private void countAck(byte[] payload, Ack ack, boolean pubackSucceeded) {
        if (!ViewEventCodec.requestsAck(payload)) {
            if (pubackSucceeded) {
                unacknowledgedSuccesses++;
            }
            return;
        }
        assertNotNull(ack, failure("asked for an ack and got none"));
        if (ack.success()) {
            acknowledged++;
        } else {
            assertNotNull(ack.errorCode(), failure("a failure ack without a code"));
            assertTrue(ack.error() != null && !ack.error().isBlank(), failure("a failure ack without a reason"));
        }
    }

    /** A view payload for {@code player} asking for an ack, valid or made hostile (never over the broker's packet limit). */
    private Body playerPayload(String player) {
        Instant clientTime = switch (random.nextInt(4)) {
            case 0 -> null; // the firmware's unsynced clock
            case 1 -> Instant.ofEpochSecond(1 + (long) (random.nextDouble() * ClientInput.LATEST.getEpochSecond()));
            default -> Instant.parse("2026-11-21T00:00:00Z").plusSeconds(random.nextInt(86_400));
        };
        ViewEvent event = new ViewEvent(postId(), clientTime, HostileJson.pick(random, List.of("", "Europe/Berlin", "UTC")),
                random.nextBoolean() ? Intent.ARTWORK : Intent.CHANNEL, random.nextInt(3),
                HostileJson.pick(random, List.of("all", "promoted", "hashtag", "artwork", HostileJson.validText(random, 20))),
                random.nextInt(20) == 0 ? randomUuid().toString() : player, null, random.nextBoolean() ? null : "pixelart",
                true, random.nextBoolean() ? randomUuid() : null, random.nextInt(4) == 0 ? "7" : null,
                random.nextBoolean() ? null : random.nextInt(60_000), random.nextBoolean() ? null : (long) random.nextInt(600_000));
        byte[] valid = ViewEventCodec.encode(event);
        if (random.nextInt(4) == 0) {
            return new Body(valid, true);
        }
        Body hostile = hostile(valid, 6_000);
        return new Body(Arrays.copyOf(hostile.bytes(), Math.min(hostile.bytes().length, MQTT_PAYLOAD_MAX)), false);
    }

    // --- the end ------------------------------------------------------------------------------------

    private void storedRowsAreValidAndExactlyWhatWasReported() {
        input = "the stored rows";
        List<Map<String, Object>> rows = vts.db.rows("select v.*, p.artist_id as post_artist_id from view_events v "
                + "left join posts p on p.post_id = v.post_id");
        for (Map<String, Object> row : rows) {
            String where = failure(row.toString());
            assertEquals(row.get("post_artist_id"), row.get("artist_id"), where);
            assertTrue(Set.of("view", "impression").contains(row.get("kind")), where);
            assertTrue(Set.of("http", "mqtt").contains(row.get("door")), where);
            for (String column : List.of("artist_id", "viewer_id", "player_key", "country", "device", "ip_hash", "referrer_domain")) {
                assertStorableText(row, column, Integer.MAX_VALUE);
            }
            for (String column : List.of("timezone", "channel", "channel_context", "playlist_id")) {
                assertStorableText(row, column, 128);
            }
            String viewer = (String) row.get("viewer_id");
            assertTrue(viewer.startsWith("anon:") || viewer.equals(OWNER) || viewers.contains(viewer), where);
            assertTrue(row.get("client_time") == null || ClientInput.timeInRange(((Timestamp) row.get("client_time")).toInstant()), where);
            assertTrue(row.get("local_time") == null
                    || ClientInput.timeInRange(((Timestamp) row.get("local_time")).toLocalDateTime().toInstant(ZoneOffset.UTC)), where);
            Number playOrder = (Number) row.get("play_order");
            assertTrue(playOrder == null || playOrder.intValue() >= 0 && playOrder.intValue() <= 2, where);
            Number dwell = (Number) row.get("dwell_ms");
            assertTrue(dwell == null || dwell.intValue() >= 0, where);
        }
        long reportedStored = 0;
        for (String door : List.of("http", "mqtt")) {
            for (String outcome : List.of("counted", "accepted")) {
                reportedStored += (long) Metrics.value(vts.httpPort(),
                        "vts_events_total{door=\"" + door + "\",outcome=\"" + outcome + "\"}");
            }
        }
        System.out.printf("DoorsFuzzTest seed %d: %d rows; %d acknowledged, %d other successes%n", SEED, rows.size(), acknowledged,
                unacknowledgedSuccesses);
        assertEquals(reportedStored, rows.size(), failure("rows stored against the server's own count of stored events"));
        assertTrue(rows.size() >= acknowledged, failure(rows.size() + " rows, but " + acknowledged + " acknowledged"));
        assertTrue(rows.size() <= acknowledged + unacknowledgedSuccesses, failure(rows.size() + " rows, more than the successes"));
        assertEquals(0, Metrics.value(vts.httpPort(), "vts_write_rejected_total"), failure("the database refused events the doors took"));
    }

    private void assertStorableText(Map<String, Object> row, String column, int max) {
        Object value = row.get(column);
        assertNull(value == null ? null : ClientInput.textProblem((String) value, max), failure(column + " of " + row));
    }

    // --- helpers ------------------------------------------------------------------------------------

    /** A body and whether it is valid as sent (unchanged from a valid one). */
    record Body(byte[] bytes, boolean valid) {}

    /** Authorization headers, and whether they are what the contract takes. */
    record Credentials(List<String> headers, boolean valid) {}

    /** One to three mutations of a valid body. */
    private Body hostile(byte[] valid, int largestString) {
        byte[] out = valid;
        for (int mutations = 1 + (random.nextInt(4) == 0 ? random.nextInt(3) : 0); mutations > 0; mutations--) {
            out = HostileJson.mutate(random, out, largestString);
        }
        return new Body(out, false);
    }

    private void stillServing() {
        assertEquals(200, Admin.get(vts.httpPort(), "/health/live").statusCode(), failure("/health/live"));
    }

    private String failure(String what) {
        return "seed " + SEED + ", " + input + ": " + what;
    }

    private static UUID randomUuid() {
        return new UUID(random.nextLong(), random.nextLong());
    }

    private static String abbreviated(String s) {
        return s.length() <= 300 ? s : s.substring(0, 300) + "… (" + s.length() + " characters)";
    }
}
