package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The HTTP door over a real socket: every contract outcome, counting rules, and hostile input. */
class HttpIngestionTest {
    static final String JWT_SECRET = "a-test-secret-that-is-long-enough-for-hs256!";
    static RunningServer vts;
    static WebClient web;
    static long nextPost = 1000;

    @BeforeAll
    static void start() throws Exception {
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_JWT_SECRET", JWT_SECRET,
                "VTS_CORS_ORIGINS", "https://pixels.example"));
        web = new WebClient(vts.httpPort());
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    /** A post of its own for each test, so counts do not mix. */
    static long newPost(String artist) {
        long id = nextPost++;
        vts.admin.post(id, artist);
        return id;
    }

    long stored(long postId) {
        return vts.db.count("select count(*) from view_events where post_id = ?", postId);
    }

    long counted(long postId) {
        return vts.db.count("select count(*) from view_events where post_id = ? and counted", postId);
    }

    @Test
    void tenViewsByOneVisitorInOneDayCountOnce() {
        long post = newPost("artist-a");
        List<Integer> statuses = new java.util.ArrayList<>();
        for (int i = 0; i < 10; i++) {
            statuses.add(web.post("/v1/posts/" + post + "/views", null).statusCode());
        }
        assertEquals(201, statuses.get(0));
        assertEquals(List.of(204, 204, 204, 204, 204, 204, 204, 204, 204), statuses.subList(1, 10));
        assertEquals(10, stored(post));
        assertEquals(1, counted(post));
        assertEquals(201, web.post("/v1/posts/" + post + "/views", null,
                "Authorization", "Bearer " + WebClient.token(JWT_SECRET, "user-7", null)).statusCode(),
                "another viewer (a signed-in user) counts");
    }

    @Test
    void compatibilityRouteBehavesTheSame() {
        long post = newPost("artist-a");
        assertEquals(201, web.post("/post/" + post + "/view", null).statusCode());
        assertEquals(204, web.post("/post/" + post + "/view", null).statusCode());
        assertEquals(1, counted(post));
    }

    @Test
    void impressionBurstIsRateLimitedWithRetryAfter() {
        long post = newPost("artist-a");
        String visitor = "Bearer " + WebClient.token(JWT_SECRET, "burst-" + UUID.randomUUID(), null);
        HttpResponse<String> first = web.post("/v1/posts/" + post + "/views", "{\"intent\":\"impression\"}", "Authorization", visitor);
        assertEquals(204, first.statusCode(), "an impression is accepted, not a counted view");
        HttpResponse<String> second = web.post("/v1/posts/" + post + "/views", "{\"channel\":\"promoted\"}", "Authorization", visitor);
        assertEquals(429, second.statusCode(), second.body());
        assertTrue(Integer.parseInt(second.headers().firstValue("Retry-After").orElseThrow()) >= 1);
        assertTrue(second.body().contains("\"code\":\"rate_limited\""), second.body());
        assertEquals(1, stored(post));
        assertEquals(List.of("impression"), vts.db.rows("select kind from view_events where post_id = ?", post)
                .stream().map(r -> r.get("kind")).toList());
    }

    @Test
    void botsAndHeadlessBrowsersAreAcceptedNeverCountedAndCountedByReason() {
        long post = newPost("artist-a");
        for (String agent : List.of(WebClient.GOOGLEBOT, WebClient.HEADLESS_CHROME, WebClient.CURL, "")) {
            assertEquals(204, web.post("/v1/posts/" + post + "/views", null, "User-Agent", agent).statusCode(), agent);
        }
        assertEquals(204, web.post("/v1/posts/" + post + "/views", "{\"automation\":true}").statusCode(), "navigator.webdriver");
        assertEquals(0, stored(post));
        String metrics = Admin.get(vts.httpPort(), "/metrics").body();
        for (String reason : List.of("bot_crawler", "bot_headless", "bot_scripted")) {
            assertTrue(metrics.contains("vts_dropped_total{reason=\"" + reason + "\",stage=\"filter_bots\"}"), reason);
        }
    }

    @Test
    void artistsOwnViewIsAcceptedButNotCounted() {
        long post = newPost("artist-self");
        HttpResponse<String> r = web.post("/v1/posts/" + post + "/views", null,
                "Authorization", "Bearer " + WebClient.token(JWT_SECRET, "artist-self", null));
        assertEquals(204, r.statusCode());
        assertEquals(1, stored(post));
        assertEquals(0, counted(post));
    }

    @Test
    void forgedForwardedForFromAnUntrustedPeerChangesNothing() {
        long post = newPost("artist-a");
        assertEquals(201, web.post("/v1/posts/" + post + "/views", null).statusCode());
        // pretending to be someone else: still this socket's visitor, so not a new counted view
        assertEquals(204, web.post("/v1/posts/" + post + "/views", null, "X-Forwarded-For", "198.51.100.23").statusCode());
        assertEquals(1, vts.db.count("select count(distinct viewer_id) from view_events where post_id = ?", post));
    }

    @Test
    void invalidTokensAreRefused() {
        long post = newPost("artist-a");
        assertEquals(401, web.post("/v1/posts/" + post + "/views", null, "Authorization", "Bearer not.a.jwt").statusCode());
        String forged = WebClient.token("another-secret-that-is-long-enough-for-hs256", "user-1", null);
        HttpResponse<String> r = web.post("/v1/posts/" + post + "/views", null, "Authorization", "Bearer " + forged);
        assertEquals(401, r.statusCode());
        assertTrue(r.body().contains("\"code\":\"invalid_token\""), r.body());
        assertEquals(0, stored(post));
    }

    @Test
    void badInputGetsAClearErrorAndChangesNothing() {
        long post = newPost("artist-a");
        assertError(web.post("/v1/posts/" + post + "/views", "{not json"), 400, "invalid_payload");
        assertError(web.post("/v1/posts/" + post + "/views", "{\"play_order\":\"two\"}"), 400, "invalid_payload");
        assertError(web.post("/v1/posts/" + post + "/views", "{\"intent\":\"stare\"}"), 400, "invalid_payload");
        assertError(web.post("/v1/posts/" + post + "/views", "[1,2]"), 400, "invalid_payload");
        assertError(web.post("/v1/posts/99999999/views", null), 404, "post_not_found");
        assertError(web.post("/v1/posts/abc/views", null), 400, "invalid_payload");
        assertError(web.post("/v1/nothing/here", null), 404, "not_found");
        assertEquals(0, stored(post));
    }

    @Test
    void bodiesAreOneUtf8JsonValueAndNothingElse() {
        long post = newPost("artist-a");
        String path = "/v1/posts/" + post + "/views";
        assertError(post(path, bytes(0xEF, 0xBB, 0xBF, '{', '}')), 400, "invalid_payload"); // a byte order mark
        assertError(post(path, "{\"intent\":\"view\"}".getBytes(StandardCharsets.UTF_16LE)), 400, "invalid_payload");
        assertError(post(path, bytes('{', '"', 'c', 'h', 'a', 'n', 'n', 'e', 'l', '"', ':', '"', 0xC0, 0x80, '"', '}')), 400,
                "invalid_payload"); // an overlong NUL
        assertError(web.post(path, "{\"intent\":\"view\"} trailing"), 400, "invalid_payload");
        assertError(web.post(path, "{}{}"), 400, "invalid_payload");
        assertError(web.post(path, "{\"intent\":\"view\",\"intent\":\"impression\"}"), 400, "invalid_payload");
        assertEquals(0, stored(post));
        assertEquals(201, web.post(path, "{\"intent\":\"view\"}").statusCode(), "and a plain one still counts");
    }

    @Test
    void postIdsAreCanonicalAsciiDigits() {
        long post = newPost("artist-a");
        for (String id : new String[] {"+" + post, "0" + post, "%2B" + post, arabicIndic(post), fullWidth(post), post + ".0",
                "99999999999999999999"}) {
            assertError(web.post("/v1/posts/" + id + "/views", null), 400, "invalid_payload");
        }
        assertEquals(0, stored(post));
    }

    @Test
    void credentialsAreComparedExactly() throws Exception {
        long post = newPost("artist-a");
        String token = WebClient.token(JWT_SECRET, "viewer-exact", null);
        String twice = raw("POST /v1/posts/" + post + "/views HTTP/1.1\r\nHost: x\r\nUser-Agent: " + WebClient.FIREFOX
                + "\r\nAuthorization: Bearer " + token + "\r\nAuthorization: Bearer " + token + "\r\nContent-Length: 0\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(twice.startsWith("HTTP/1.1 401") && twice.contains("\"code\":\"invalid_token\""), twice);
        // a tab after the value is whitespace HTTP itself drops; one inside the value is not the token
        assertError(web.post("/v1/posts/" + post + "/views", null, "Authorization", "Bearer \t" + token), 401, "invalid_token");
        SignedJWT forever = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject("viewer-x").build());
        forever.sign(new MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
        assertError(web.post("/v1/posts/" + post + "/views", null, "Authorization", "Bearer " + forever.serialize()), 401,
                "invalid_token");
        // a subject no user can have (it would be stored as the viewer): an unusable token
        long inAnHour = System.currentTimeMillis() / 1000 + 3_600;
        for (String subject : new String[] {"user\\tx", "user\\u0000x", "user\\ud800"}) {
            String unusable = WebClient.signedToken(JWSAlgorithm.HS256, JWT_SECRET,
                    "{\"sub\":\"" + subject + "\",\"exp\":" + inAnHour + "}");
            assertError(web.post("/v1/posts/" + post + "/views", null, "Authorization", "Bearer " + unusable), 401, "invalid_token");
        }
        assertEquals(0, stored(post));
        // without a token, a post that exists and one that does not answer alike
        assertEquals(401, Admin.get(vts.httpPort(), "/v1/posts/" + post + "/stats").statusCode());
        assertEquals(401, Admin.get(vts.httpPort(), "/v1/posts/99999999/stats").statusCode());
    }

    @Test
    void jettysOwnRefusalsAreJsonToo() throws IOException {
        assertJsonError(raw("GET /health/live HTTP/3.0\r\nHost: x\r\n\r\n"), "505");
        assertJsonError(raw("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n"), null);
        assertJsonError(raw("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"), null);
        assertJsonError(raw("HELLO\r\n\r\n"), null);
        assertEquals(200, Admin.get(vts.httpPort(), "/health/live").statusCode(), "and the server keeps serving");
    }

    /** Sends a request as raw bytes and returns the whole answer (status line, headers, body). */
    static String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", vts.httpPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    /** {@code status} null: any 4xx or 5xx (Jetty answers an over-long request line or header with 414, 431 or 505, by where its buffer ends). */
    static void assertJsonError(String response, String status) {
        String first = response.lines().findFirst().orElse("");
        assertTrue(status == null ? first.matches("HTTP/1.1 [45]\\d\\d .*") : first.startsWith("HTTP/1.1 " + status), first);
        assertTrue(response.toLowerCase(java.util.Locale.ROOT).contains("content-type: application/json"), response);
        assertTrue(response.contains("\"code\":\""), response);
    }

    HttpResponse<String> post(String path, byte[] body) {
        return web.send(HttpRequest.newBuilder(web.uri(path)).POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    static byte[] bytes(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    static String arabicIndic(long n) {
        return Long.toString(n).chars().mapToObj(c -> String.valueOf((char) ('\u0660' + c - '0'))).reduce("", String::concat);
    }

    static String fullWidth(long n) {
        return Long.toString(n).chars().mapToObj(c -> String.valueOf((char) ('\uFF10' + c - '0'))).reduce("", String::concat);
    }

    @Test
    void textAndTimesTheDatabaseCannotHoldAreRefusedAtOnce() {
        long post = newPost("artist-a");
        // each of these once passed validation and was then refused by the database, which the writer
        // took for an outage: 503 after seconds instead of an immediate 400
        for (String body : new String[] {"{\"channel\":\"a\\u0000b\"}", "{\"timezone\":\"\\u0000\"}",
                "{\"channel_context\":\"tab\\there\"}", "{\"channel\":\"\\ud800\"}",
                "{\"local_time\":\"+10000-01-01T00:00:00\"}", "{\"local_time\":\"0000-01-01T00:00:00\"}",
                "{\"playlist_id\":" + "1".repeat(129) + "}"}) {
            assertError(web.post("/v1/posts/" + post + "/views", body), 400, "invalid_payload");
        }
        assertEquals(0, stored(post));
        String good = UUID.randomUUID().toString();
        String poison = UUID.randomUUID().toString();
        HttpResponse<String> r = web.post("/v1/events", "{\"events\": ["
                + "{\"post_id\": " + post + ", \"event_id\": \"" + poison + "\", \"channel\": \"a\\u0000b\"},"
                + "{\"post_id\": " + post + ", \"event_id\": \"" + good + "\"}]}");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("invalid", statuses(r.body()).get(poison));
        assertEquals("counted", statuses(r.body()).get(good), "the batch's valid event is stored");
        assertEquals(1, stored(post));
    }

    static void assertError(HttpResponse<String> r, int status, String code) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"code\":\"" + code + "\"") && r.body().contains("\"error\":"), r.body());
    }

    @Test
    void tenMegabyteChunkedBodyIsRefusedAndTheServerKeepsServing() {
        long post = newPost("artist-a");
        byte[] huge = new byte[10 * 1024 * 1024];
        java.util.Arrays.fill(huge, (byte) ' ');
        HttpRequest.Builder chunked = HttpRequest.newBuilder(web.uri("/v1/events"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> (InputStream) new ByteArrayInputStream(huge)));
        HttpResponse<String> r;
        try {
            r = web.send(chunked);
            assertEquals(413, r.statusCode(), r.body());
        } catch (IllegalStateException closedEarly) {
            // the server may close the connection while the client is still sending: also a refusal
        }
        assertEquals(201, web.post("/v1/posts/" + post + "/views", null).statusCode(), "still serving");
    }

    @Test
    void batchGetsAResultPerEventAndStoresOnlyTheGood() {
        long post = newPost("artist-a");
        String good1 = UUID.randomUUID().toString();
        String good2 = UUID.randomUUID().toString();
        String badType = UUID.randomUUID().toString();
        String missing = UUID.randomUUID().toString();
        String body = "{\"events\": ["
                + "{\"post_id\": " + post + ", \"event_id\": \"" + good1 + "\", \"intent\": \"view\", \"dwell_ms\": 2400},"
                + "{\"post_id\": " + post + ", \"event_id\": \"" + good2 + "\", \"channel\": \"promoted\"},"
                + "{\"post_id\": " + post + ", \"event_id\": \"" + badType + "\", \"play_order\": \"x\"},"
                + "{\"post_id\": 99999998, \"event_id\": \"" + missing + "\"},"
                + "{\"post_id\": " + post + "},"
                + "42]}";
        HttpResponse<String> r = web.post("/v1/events", body);
        assertEquals(200, r.statusCode(), r.body());
        Map<String, String> status = statuses(r.body());
        assertEquals("counted", status.get(good1));
        assertEquals("accepted", status.get(good2));
        assertEquals("invalid", status.get(badType));
        assertEquals("post_not_found", status.get(missing));
        assertTrue(r.body().contains("\"status\":\"invalid\",\"error\"") || r.body().contains("\"error\""), r.body());
        assertEquals(2, stored(post));

        HttpResponse<String> again = web.post("/v1/events", body);
        Map<String, String> retry = statuses(again.body());
        assertEquals("duplicate", retry.get(good1), again.body());
        assertEquals("duplicate", retry.get(good2), again.body());
        assertEquals(2, stored(post), "retrying the same batch is harmless");
    }

    static Map<String, String> statuses(String json) {
        try {
            var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            Map<String, String> out = new java.util.HashMap<>();
            for (var result : root.get("results")) {
                if (result.hasNonNull("event_id")) {
                    out.put(result.get("event_id").asText(), result.get("status").asText());
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new AssertionError(json, e);
        }
    }

    @Test
    void batchLimitsAreEnforced() {
        String tooMany = java.util.stream.IntStream.range(0, 501)
                .mapToObj(i -> "{\"post_id\":1,\"event_id\":\"" + UUID.randomUUID() + "\"}")
                .collect(Collectors.joining(",", "{\"events\":[", "]}"));
        assertError(web.post("/v1/events", tooMany), 400, "invalid_payload");
        assertError(web.post("/v1/events", "{\"events\": []}"), 400, "invalid_payload");
    }

    @Test
    void eventsCarryDeviceContextAndReferrer() {
        long post = newPost("artist-a");
        String body = "{\"intent\":\"view\",\"channel\":\"hashtag\",\"channel_context\":\"pixelart\",\"play_order\":1,"
                + "\"playlist_id\":\"pl-9\",\"timezone\":\"Europe/Berlin\",\"local_time\":\"2026-11-21T17:24:15\",\"dwell_ms\":3000}";
        assertEquals(201, web.post("/v1/posts/" + post + "/views", body, "User-Agent", WebClient.IPHONE,
                "Referer", "https://www.pixels.example/gallery?x=1").statusCode());
        Map<String, Object> row = vts.db.rows("select * from view_events where post_id = ?", post).get(0);
        assertEquals("mobile", row.get("device"));
        assertEquals("view", row.get("kind"));
        assertEquals("http", row.get("door"));
        assertEquals("hashtag", row.get("channel"));
        assertEquals("pixelart", row.get("channel_context"));
        assertEquals("pl-9", row.get("playlist_id"));
        assertEquals("Europe/Berlin", row.get("timezone"));
        assertEquals("2026-11-21 17:24:15.0", row.get("local_time").toString());
        assertEquals("pixels.example", row.get("referrer_domain"));
        assertEquals(22, row.get("ip_hash").toString().length());
    }

    @Test
    void corsAllowsConfiguredOriginsOnly() {
        HttpRequest.Builder preflight = HttpRequest.newBuilder(web.uri("/v1/events"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody());
        HttpResponse<String> allowed = web.send(preflight, "Origin", "https://pixels.example",
                "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "content-type");
        assertEquals("https://pixels.example", allowed.headers().firstValue("Access-Control-Allow-Origin").orElse(null));
        HttpResponse<String> other = web.send(HttpRequest.newBuilder(web.uri("/v1/events"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()), "Origin", "https://evil.example",
                "Access-Control-Request-Method", "POST");
        assertTrue(other.headers().firstValue("Access-Control-Allow-Origin").isEmpty());
    }

    @Test
    void playerWithoutMqttGetsTheSameOutcomesAsHttpStatuses() {
        String key = UUID.randomUUID().toString();
        vts.admin.player(key, "owner-h", "secret-" + key);
        long post = newPost("artist-a");
        String payload = "{\"post_id\": " + post + ", \"timestamp\": \"2026-11-21T16:24:15Z\", \"timezone\": \"\", "
                + "\"intent\": \"artwork\", \"play_order\": 0, \"channel\": \"artwork\", \"player_key\": \"" + key + "\"}";
        String auth = "Bearer " + key + ":secret-" + key;
        HttpResponse<String> first = web.post("/v1/player/views", payload, "Authorization", auth);
        assertEquals(201, first.statusCode(), first.body());
        HttpResponse<String> again = web.post("/v1/player/views", payload, "Authorization", auth);
        assertEquals(200, again.statusCode());
        assertTrue(again.body().contains("\"error_code\":\"duplicate\""), again.body());
        String next = payload.replace("16:24:15Z", "16:24:16Z");
        HttpResponse<String> limited = web.post("/v1/player/views", next, "Authorization", auth);
        assertEquals(429, limited.statusCode());
        assertTrue(limited.headers().firstValue("Retry-After").isPresent());
        assertEquals(401, web.post("/v1/player/views", payload, "Authorization", "Bearer " + key + ":wrong-secret").statusCode());
        assertEquals(403, web.post("/v1/player/views", payload.replace(key, UUID.randomUUID().toString()),
                "Authorization", auth).statusCode(), "player_key_mismatch");
        Map<String, Object> row = vts.db.rows("select * from view_events where post_id = ?", post).get(0);
        assertEquals("player", row.get("device"));
        assertEquals("owner-h", row.get("viewer_id"));
        assertEquals(1, stored(post));
    }
}
