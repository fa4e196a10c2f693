package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TcpProxy;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The served OpenAPI document ({@code GET /openapi.json}) against the real server: every operation it
 * names is called, for a success and for its errors, and each real answer (status, headers, content
 * type, body) is validated against the document by Atlassian's OpenAPI validator; the document's paths
 * and the routes Javalin has registered are the same set. A route the document lacks, an undocumented
 * status, a missing or extra field or a field of the wrong type fails here.
 */
class OpenApiTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "openapi-test-secret-long-enough-for-hs256";
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    static TestDatabase db;
    static TcpProxy proxy;
    static RunningServer vts;
    static JsonNode document;
    static OpenApiInteractionValidator validator;
    /** What was called and validated: "METHOD /template" → the statuses seen. */
    static final Map<String, Set<Integer>> exercised = new ConcurrentHashMap<>();

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        // through a proxy, so the database can be taken away at the end (503s, readiness)
        proxy = TcpProxy.start(db.host(), db.port());
        vts = RunningServer.start(db, Map.of("VTS_JWT_SECRET", SECRET,
                "VTS_DB_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.databaseName(),
                // long limits, so the second of two quick requests is surely refused
                "VTS_WEB_IMPRESSION_RATE_LIMIT_MS", "60000", "VTS_PLAYER_RATE_LIMIT_MS", "60000",
                "VTS_WATCH_REPORT_LIMIT_MS", "60000"));
        HttpResponse<String> served = send("GET", "/openapi.json", null, null);
        assertEquals(200, served.statusCode());
        document = JSON.readTree(served.body());
        validator = OpenApiInteractionValidator.createForInlineApiSpecification(served.body()).build();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.restore();
        }
        if (vts != null) {
            vts.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    // ------------------------------------------------------------------ the document and the routes

    @Test
    void theDocumentNamesEveryRouteTheServerHasAndNoOther() {
        Set<String> registered = new TreeSet<>(vts.server.httpRoutes());
        Set<String> documented = new TreeSet<>(operations());
        assertFalse(registered.isEmpty());
        Set<String> undocumented = new TreeSet<>(registered);
        undocumented.removeAll(documented);
        Set<String> unserved = new TreeSet<>(documented);
        unserved.removeAll(registered);
        assertTrue(undocumented.isEmpty(), "routes the server has and /openapi.json lacks: " + undocumented);
        assertTrue(unserved.isEmpty(), "operations /openapi.json names and the server lacks: " + unserved);
    }

    @Test
    void theDocumentIsOpenApi3AndNamesItsSecuritySchemes() {
        assertTrue(document.path("openapi").asText().startsWith("3."), document.path("openapi").asText());
        JsonNode schemes = document.path("components").path("securitySchemes");
        for (String scheme : List.of("adminToken", "viewerJwt", "playerKey")) {
            assertEquals("bearer", schemes.path(scheme).path("scheme").asText(), scheme);
        }
    }

    /** The validator has teeth: each kind of drift this test is meant to catch is an error. */
    @Test
    void theValidatorRefusesAnswersThatDriftFromTheDocument() {
        String ok = "{\"post_id\": 5, \"views\": 3}";
        assertValid(validator.validateResponse("/v1/posts/5/counter", Request.Method.GET, json(200, ok)
                .withHeader("Cache-Control", "public").build()));
        List<SimpleResponse> drifted = List.of(
                json(200, "{\"post_id\": 5, \"views\": \"3\"}").withHeader("Cache-Control", "public").build(), // wrong type
                json(200, "{\"post_id\": 5}").withHeader("Cache-Control", "public").build(), // a field missing
                json(200, "{\"post_id\": 5, \"views\": 3, \"likes\": 1}").withHeader("Cache-Control", "public").build(), // one more
                json(200, ok).build(), // a documented header missing
                json(418, ok).build(), // an undocumented status
                json(404, "{\"error\": \"no\"}").build()); // an error without its code
        for (SimpleResponse r : drifted) {
            assertTrue(validator.validateResponse("/v1/posts/5/counter", Request.Method.GET, r).hasErrors(),
                    "accepted: " + r.getStatus() + " " + r.getBody().orElse(""));
        }
        assertTrue(validator.validateResponse("/v1/posts/5/likes", Request.Method.GET, json(200, ok).build()).hasErrors(),
                "a route the document lacks");
        assertTrue(validator.validateResponse("/v1/posts/5/watch", Request.Method.POST, json(429, "{\"error\": \"slow\", "
                + "\"code\": \"rate_limited\"}").build()).hasErrors(), "a 429 without Retry-After");
    }

    // ------------------------------------------------------------------ every operation, for real

    @Test
    @Timeout(180)
    void everyOperationAnswersAsDocumentedForItsSuccessesAndItsErrors() throws Exception {
        String admin = vts.server.adminToken();
        String ana = jwt("ana");
        String ben = jwt("ben");
        String viewer = jwt("val");
        String today = LocalDate.now(ZoneOffset.UTC).toString();

        // administration: posts
        call(201, "PUT", "/v1/admin/posts/101", admin, "{\"artist_id\": \"ana\", \"title\": \"Dawn\", \"duration_s\": 100}");
        call(200, "PUT", "/v1/admin/posts/101", admin, "{\"artist_id\": \"ana\", \"title\": \"Dawn\", \"duration_s\": 100}");
        call(400, "PUT", "/v1/admin/posts/102", admin, "{\"title\": \"no artist\"}");
        call(400, "PUT", "/v1/admin/posts/0101", admin, "{\"artist_id\": \"ana\"}");
        call(401, "PUT", "/v1/admin/posts/102", ana, "{\"artist_id\": \"ana\"}");
        call(413, "PUT", "/v1/admin/posts/102", admin, "{\"artist_id\": \"" + "a".repeat(1_000_001) + "\"}");
        call(200, "PUT", "/v1/admin/posts", admin, "{\"posts\": [{\"post_id\": 102, \"artist_id\": \"ana\"}, "
                + "{\"post_id\": 201, \"artist_id\": \"ben\", \"title\": null}, {\"post_id\": 301, \"artist_id\": \"cleo\"}]}");
        call(400, "PUT", "/v1/admin/posts", admin, "{\"posts\": [{\"post_id\": 103, \"artist_id\": \"ana\"}, "
                + "{\"post_id\": 103, \"artist_id\": \"ana\"}]}");
        call(200, "GET", "/v1/admin/posts/101", admin, null);
        call(404, "GET", "/v1/admin/posts/999", admin, null);
        call(401, "GET", "/v1/admin/posts/101", null, null);
        call(200, "GET", "/v1/admin/posts?artist_id=ana&page=1&per_page=10", admin, null);
        call(400, "GET", "/v1/admin/posts?per_page=1000", admin, null);
        call(204, "DELETE", "/v1/admin/posts/301", admin, null);
        call(404, "DELETE", "/v1/admin/posts/301", admin, null);

        // administration: players
        call(201, "PUT", "/v1/admin/players/p3a-1", admin, "{\"owner_id\": \"owen\", \"secret\": \"player-secret-1\"}");
        call(200, "PUT", "/v1/admin/players/p3a-1", admin, "{\"owner_id\": \"owen\", \"secret\": \"player-secret-1\"}");
        call(201, "PUT", "/v1/admin/players/p3a-2", admin, "{\"owner_id\": null}");
        call(201, "PUT", "/v1/admin/players/p3a-4", admin, "{\"owner_id\": \"owen\", \"secret\": \"player-secret-4\"}");
        call(400, "PUT", "/v1/admin/players/p3a-3", admin, "{\"secret\": \"short\"}");
        call(200, "GET", "/v1/admin/players/p3a-1", admin, null);
        call(404, "GET", "/v1/admin/players/nobody", admin, null);
        call(400, "GET", "/v1/admin/players/bad!key", admin, null);
        call(200, "GET", "/v1/admin/players?owner_id=owen&status=", admin, null);
        call(400, "GET", "/v1/admin/players?page=0", admin, null);
        call(204, "DELETE", "/v1/admin/players/p3a-2", admin, null);
        call(404, "DELETE", "/v1/admin/players/nobody", admin, null);

        // ingestion: single views and impressions
        call(201, "POST", "/v1/posts/101/views", null, null);
        call(204, "POST", "/v1/posts/101/views", null, "{\"intent\": \"view\", \"event_id\": \"" + UUID.randomUUID() + "\"}");
        call(204, "POST", "/v1/posts/102/views", null, "{\"channel\": \"promoted\", \"play_order\": 2, \"watched_ms\": 4000}");
        call(429, "POST", "/v1/posts/102/views", null, "{\"intent\": \"impression\"}");
        call(201, "POST", "/v1/posts/102/views", viewer, "{\"intent\": \"view\", \"watched_ms\": 1500}");
        call(400, "POST", "/v1/posts/101/views", null, "{\"intent\": \"stare\"}");
        call(401, "POST", "/v1/posts/101/views", "not-a-jwt", null);
        call(404, "POST", "/v1/posts/999/views", null, null);
        call(413, "POST", "/v1/posts/101/views", null, "{\"channel\": \"" + "c".repeat(1_000_001) + "\"}");
        call(201, "POST", "/post/201/view", null, null);
        call(400, "POST", "/post/201/view", null, "[1, 2]");
        call(404, "POST", "/post/999/view", null, null);

        // ingestion: watch reports
        call(200, "POST", "/v1/posts/101/watch", viewer, "{\"position_s\": 42.5, \"played_s\": 10, \"session_id\": \"s1\"}");
        call(429, "POST", "/v1/posts/101/watch", viewer, "{\"position_s\": 50, \"played_s\": 7.5, \"session_id\": \"s1\"}");
        call(200, "POST", "/v1/posts/201/watch", null, "{\"position_s\": 3}"); // no length anywhere: nulls
        call(400, "POST", "/v1/posts/101/watch", viewer, "{\"position_s\": -1}");
        call(404, "POST", "/v1/posts/999/watch", viewer, "{\"position_s\": 1}");

        // ingestion: batches
        String batch = "{\"events\": [{\"event_id\": \"" + UUID.randomUUID() + "\", \"post_id\": 201, \"intent\": \"view\"},"
                + " {\"event_id\": \"" + UUID.randomUUID() + "\", \"post_id\": 999},"
                + " {\"event_id\": \"" + UUID.randomUUID() + "\", \"type\": \"watch\", \"post_id\": 102, \"position_s\": 12},"
                + " {\"event_id\": \"" + UUID.randomUUID() + "\", \"post_id\": 101, \"intent\": \"stare\"}]}";
        // the batch holds an entry the document refuses (its intent): only the answers are validated
        JsonNode first = JSON.readTree(callUnvalidatedRequest(200, "POST", "/v1/events", viewer, batch).body());
        assertEquals(List.of("counted", "post_not_found", "accepted", "invalid"), statuses(first));
        JsonNode again = JSON.readTree(callUnvalidatedRequest(200, "POST", "/v1/events", viewer, batch).body());
        assertEquals(List.of("duplicate", "post_not_found", "duplicate", "invalid"), statuses(again));
        call(200, "POST", "/v1/events", viewer, "{\"events\": [{\"event_id\": \"" + UUID.randomUUID() + "\", \"post_id\": 102,"
                + " \"channel\": \"artwork\", \"channel_context\": \"feed\", \"timezone\": \"Europe/Berlin\","
                + " \"local_time\": \"2026-11-21T17:24:15\", \"playlist_id\": \"pl-7\", \"dwell_ms\": 2000, \"watched_ms\": 2500}]}");
        JsonNode odd = JSON.readTree(callUnvalidatedRequest(200, "POST", "/v1/events", null, "{\"events\": [7]}").body());
        assertTrue(odd.path("results").get(0).path("event_id").isNull(), odd.toString());
        call(400, "POST", "/v1/events", null, "{\"events\": []}");
        call(401, "POST", "/v1/events", WebClient.token("another-secret-that-is-long-enough-for-hs256", "val", null), batch);
        call(413, "POST", "/v1/events", null, "{\"events\": [\"" + "e".repeat(1_000_001) + "\"]}");

        // ingestion: a player without MQTT
        String key = "Bearer p3a-1:player-secret-1";
        String eventId = UUID.randomUUID().toString();
        call(201, "POST", "/v1/player/views", key, playerView("p3a-1", 101, eventId));
        call(200, "POST", "/v1/player/views", key, playerView("p3a-1", 101, eventId));
        call(429, "POST", "/v1/player/views", key, playerView("p3a-1", 101, UUID.randomUUID().toString()));
        call(400, "POST", "/v1/player/views", key, "{\"post_id\": \"101\"}");
        call(401, "POST", "/v1/player/views", "Bearer p3a-1:wrong-secret", playerView("p3a-1", 101, null));
        call(403, "POST", "/v1/player/views", key, playerView("p3a-9", 101, null));
        call(404, "POST", "/v1/player/views", key, playerView("p3a-1", 999, null));
        call(413, "POST", "/v1/player/views", key, "{\"channel\": \"" + "c".repeat(1_000_001) + "\"}");

        // stats
        String range = "?from=" + LocalDate.parse(today).minusDays(6) + "&to=" + today;
        call(200, "GET", "/v1/posts/101/stats" + range, ana, null);
        call(200, "GET", "/v1/posts/201/stats", admin, null);
        call(400, "GET", "/v1/posts/101/stats?from=yesterday", ana, null);
        call(401, "GET", "/v1/posts/101/stats", null, null);
        call(403, "GET", "/v1/posts/201/stats", ana, null);
        call(404, "GET", "/v1/posts/999/stats", ana, null);
        call(200, "GET", "/v1/artists/ana/stats" + range + "&page=1&per_page=10&sort=-views", ana, null);
        call(400, "GET", "/v1/artists/ana/stats?sort=title", ana, null);
        call(401, "GET", "/v1/artists/ana/stats", "not-a-jwt", null);
        call(403, "GET", "/v1/artists/ben/stats", ana, null);
        call(200, "GET", "/v1/artists/ana/stats.csv" + range + "&sort=post_id", ana, null);
        call(400, "GET", "/v1/artists/ana/stats.csv?to=2026-13-01", ana, null);
        call(401, "GET", "/v1/artists/ana/stats.csv", null, null);
        call(403, "GET", "/v1/artists/ana/stats.csv", ben, null);
        call(200, "GET", "/v1/posts/101/counter", null, null);
        call(400, "GET", "/v1/posts/abc/counter", null, null);
        call(404, "GET", "/v1/posts/999/counter", null, null);

        // a viewer's own watching
        call(200, "GET", "/v1/me/progress/101", viewer, null);
        call(400, "GET", "/v1/me/progress/0", viewer, null);
        call(401, "GET", "/v1/me/progress/101", admin, null);
        call(404, "GET", "/v1/me/progress/201", viewer, null);
        call(200, "GET", "/v1/me/progress?post_ids=101,102,201", viewer, null);
        call(400, "GET", "/v1/me/progress", viewer, null);
        call(401, "GET", "/v1/me/progress?post_ids=101", null, null);
        call(200, "GET", "/v1/me/continue-watching?limit=5", viewer, null);
        call(400, "GET", "/v1/me/continue-watching?limit=0", viewer, null);
        call(401, "GET", "/v1/me/continue-watching", null, null);
        call(200, "GET", "/v1/me/recently-viewed?page=1&per_page=2", viewer, null);
        call(400, "GET", "/v1/me/recently-viewed?per_page=101", viewer, null);
        call(401, "GET", "/v1/me/recently-viewed", admin, null);
        call(200, "GET", "/v1/me/watch-time?from=" + today + "&to=" + today, viewer, null);
        call(200, "GET", "/v1/me/watch-time", viewer, null);
        call(400, "GET", "/v1/me/watch-time?from=2026-02-30", viewer, null);
        call(401, "GET", "/v1/me/watch-time", null, null);

        // admins' viewer reads and erasure
        call(200, "GET", "/v1/admin/viewers/val/progress?page=1&per_page=5", admin, null);
        call(400, "GET", "/v1/admin/viewers/bad!id/progress", admin, null);
        call(401, "GET", "/v1/admin/viewers/val/progress", viewer, null);
        call(204, "DELETE", "/v1/admin/viewers/someone-else", admin, null);
        call(400, "DELETE", "/v1/admin/viewers/bad!id", admin, null);
        call(401, "DELETE", "/v1/admin/viewers/val", null, null);
        call(204, "DELETE", "/v1/me/history", jwt("wren"), null);
        call(401, "DELETE", "/v1/me/history", admin, null);

        // the rollup
        call(200, "POST", "/v1/admin/rollup", admin, "{\"through\": \"" + LocalDate.parse(today).minusDays(1) + "\"}");
        call(200, "POST", "/v1/admin/rollup", admin, null);
        call(400, "POST", "/v1/admin/rollup", admin, "{\"through\": \"last tuesday\"}");
        call(401, "POST", "/v1/admin/rollup", ana, null);

        // operations and pages
        for (String path : List.of("/health/live", "/health/ready", "/metrics", "/openapi.json", "/vts.js", "/demo?posts=101",
                "/", "/dashboard", "/assets/chart.umd.js", "/assets/dashboard/dashboard.css", "/assets/dashboard/main.js",
                "/assets/dashboard/session.js", "/assets/dashboard/api.js", "/assets/dashboard/charts.js",
                "/assets/dashboard/posts-table.js", "/assets/dashboard/format.js")) {
            call(200, "GET", path, null, null);
        }

        // the database away: readiness says so, and events are answered 503 + Retry-After, never faked
        proxy.cut();
        try {
            Eventually.until(Duration.ofSeconds(10), () -> send("GET", "/health/ready", null, null).statusCode() == 503,
                    () -> "/health/ready answers 503 without the database");
            call(503, "GET", "/health/ready", null, null);
            List<CompletableFuture<Void>> held = new ArrayList<>();
            held.add(CompletableFuture.runAsync(() -> call(503, "POST", "/v1/posts/102/views", jwt("uma"), null)));
            held.add(CompletableFuture.runAsync(() -> call(503, "POST", "/post/102/view", jwt("una"), null)));
            held.add(CompletableFuture.runAsync(() -> call(503, "POST", "/v1/posts/102/watch", jwt("uma"), "{\"position_s\": 1}")));
            held.add(CompletableFuture.runAsync(() -> call(503, "POST", "/v1/events", jwt("uma"),
                    "{\"events\": [{\"event_id\": \"" + UUID.randomUUID() + "\", \"post_id\": 201}]}")));
            held.add(CompletableFuture.runAsync(() -> call(503, "POST", "/v1/player/views", "Bearer p3a-4:player-secret-4",
                    playerView("p3a-4", 102, UUID.randomUUID().toString()))));
            CompletableFuture.allOf(held.toArray(CompletableFuture[]::new)).join();
        } finally {
            proxy.restore();
        }

        // every operation was called for a success, and for an error wherever it documents one
        List<String> missing = new ArrayList<>();
        for (String operation : operations()) {
            Set<Integer> seen = exercised.getOrDefault(operation, Set.of());
            if (seen.stream().noneMatch(s -> s < 300)) {
                missing.add(operation + " (no success)");
            }
            boolean documentsErrors = documentedStatuses(operation).stream().anyMatch(s -> s >= 400);
            if (documentsErrors && seen.stream().noneMatch(s -> s >= 400)) {
                missing.add(operation + " (no error)");
            }
        }
        assertTrue(missing.isEmpty(), "operations not exercised: " + missing + "; exercised: " + new TreeMap<>(exercised));
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Sends a request, expects {@code status}, and validates the answer against the document; for a
     * success, the request too (what the test sends as a good request must be one by the document).
     */
    static HttpResponse<String> call(int status, String method, String pathAndQuery, String token, String body) {
        return call(status, method, pathAndQuery, token, body, status < 300);
    }

    /** For a good request the document cannot describe exactly (a batch entry that is not an object). */
    static HttpResponse<String> callUnvalidatedRequest(int status, String method, String pathAndQuery, String token, String body) {
        return call(status, method, pathAndQuery, token, body, false);
    }

    private static HttpResponse<String> call(int status, String method, String pathAndQuery, String token, String body,
                                             boolean validateRequest) {
        HttpResponse<String> r = send(method, pathAndQuery, token, body);
        String what = method + " " + pathAndQuery;
        assertEquals(status, r.statusCode(), what + " → " + abbreviated(r.body()));
        URI uri = URI.create("http://x" + pathAndQuery);
        String path = uri.getRawPath();
        SimpleResponse.Builder response = new SimpleResponse.Builder(r.statusCode()).withBody(r.body());
        r.headers().map().forEach((name, values) -> response.withHeader(name, values));
        ValidationReport report = validator.validateResponse(path, Request.Method.valueOf(method), response.build());
        if (validateRequest) {
            SimpleRequest.Builder request = new SimpleRequest.Builder(method, path);
            if (uri.getRawQuery() != null) {
                for (String pair : uri.getRawQuery().split("&")) {
                    int eq = pair.indexOf('=');
                    request.withQueryParam(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            if (token != null) {
                request.withAuthorization(authorization(token));
            }
            if (body != null) {
                request.withContentType("application/json").withBody(body);
            }
            report = report.merge(validator.validateRequest(request.build()));
        }
        if (report.hasErrors()) {
            fail(what + " → " + r.statusCode() + " " + abbreviated(r.body()) + " is not as /openapi.json says:\n"
                    + report.getMessages().stream().map(m -> "  " + m.getKey() + ": " + m.getMessage()).reduce("", (a, b) -> a + b + "\n"));
        }
        exercised.computeIfAbsent(template(method, path), t -> ConcurrentHashMap.newKeySet()).add(r.statusCode());
        return r;
    }

    static HttpResponse<String> send(String method, String pathAndQuery, String token, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vts.httpPort() + pathAndQuery))
                .timeout(Duration.ofSeconds(30)).header("User-Agent", WebClient.FIREFOX)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", authorization(token));
        }
        try {
            return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + pathAndQuery + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A token as sent: {@code Bearer <token>}, unless the test wrote the whole header value itself. */
    private static String authorization(String token) {
        return token.startsWith("Bearer ") ? token : "Bearer " + token;
    }

    static String jwt(String subject) {
        return WebClient.token(SECRET, subject, null);
    }

    static String playerView(String playerKey, long postId, String eventId) {
        return "{\"post_id\": " + postId + ", \"timestamp\": \"2026-11-21T16:24:15Z\", \"timezone\": \"\", \"intent\": \"artwork\","
                + " \"play_order\": 2, \"channel\": \"hashtag\", \"player_key\": \"" + playerKey + "\", \"channel_user_sqid\": null,"
                + " \"channel_hashtag\": \"pixelart\", \"request_ack\": true" + (eventId == null ? "" : ", \"event_id\": \"" + eventId + "\"")
                + "}";
    }

    static List<String> statuses(JsonNode results) {
        List<String> out = new ArrayList<>();
        results.path("results").forEach(r -> out.add(r.path("status").asText()));
        return out;
    }

    static SimpleResponse.Builder json(int status, String body) {
        return new SimpleResponse.Builder(status).withContentType("application/json").withBody(body);
    }

    static void assertValid(ValidationReport report) {
        assertFalse(report.hasErrors(), report.getMessages().toString());
    }

    /** Every operation of the document, as "METHOD /path". */
    static List<String> operations() {
        List<String> out = new ArrayList<>();
        document.path("paths").fields().forEachRemaining(path -> path.getValue().fieldNames().forEachRemaining(method -> {
            if (Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(method)) {
                out.add(method.toUpperCase() + " " + path.getKey());
            }
        }));
        return out;
    }

    static Set<Integer> documentedStatuses(String operation) {
        String[] parts = operation.split(" ", 2);
        Set<Integer> out = new TreeSet<>();
        Iterator<String> codes = document.path("paths").path(parts[1]).path(parts[0].toLowerCase()).path("responses").fieldNames();
        codes.forEachRemaining(code -> out.add(Integer.parseInt(code)));
        return out;
    }

    /** The document's operation a concrete request path belongs to. */
    static String template(String method, String path) {
        for (String operation : operations()) {
            String[] parts = operation.split(" ", 2);
            String regex = Pattern.quote(parts[1]).replaceAll("\\{[^}/]+\\}", "\\\\E[^/]+\\\\Q");
            if (parts[0].equals(method) && path.matches(regex)) {
                return operation;
            }
        }
        return method + " " + path + " (not in the document)";
    }

    private static String abbreviated(String s) {
        return s.length() > 300 ? s.substring(0, 300) + "…" : s;
    }
}
