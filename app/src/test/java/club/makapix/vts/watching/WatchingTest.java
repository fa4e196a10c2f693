package club.makapix.vts.watching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watching through the real doors (contract §5): watch reports and their clamps, resume points,
 * sticky completion, a course's progress in one call, continue watching, the recently-viewed list
 * and its cap, who may read what, and erasure. Each test uses its own viewers and posts.
 */
class WatchingTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SECRET = "watching-test-secret-long-enough-for-hs256";
    static final Instant NOON = Instant.parse("2026-06-01T12:00:00Z");
    /** One report per viewer and post per second here (the contract's 5 s would make the test slow). */
    static final long REPORT_INTERVAL_MS = 1000;
    static final TestClock CLOCK = new TestClock(NOON);
    static RunningServer vts;
    static WebClient web;

    @BeforeAll
    static void start() throws Exception {
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_JWT_SECRET", SECRET,
                "VTS_WATCH_REPORT_LIMIT_MS", Long.toString(REPORT_INTERVAL_MS), "VTS_JWT_ADMIN_ROLES", "owner"), CLOCK);
        web = new WebClient(vts.httpPort());
        for (long post = 501; post <= 505; post++) {
            vts.admin.send("PUT", "/v1/admin/posts/" + post, "{\"artist_id\":\"dana\",\"duration_s\":100}");
        }
        vts.admin.post(509, "dana"); // no duration
        for (long post = 600; post < 660; post++) {
            vts.admin.post(post, "emil");
        }
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    @Test
    void aReportIsAnsweredWithWhereTheViewerStandsAndTheResumePointReadsBack() throws Exception {
        JsonNode answer = report("ana", 501, "{\"position_s\": 42.5, \"played_s\": 10, \"session_id\": \"s1\"}");
        assertEquals(JSON.readTree("{\"post_id\":501,\"position_s\":42.5,\"duration_s\":100.0,\"progress_percent\":42.5,"
                + "\"completed\":false,\"played_s\":10.0}"), answer);
        JsonNode progress = get("/v1/me/progress/501", "ana");
        assertEquals(42.5, progress.get("position_s").asDouble());
        assertEquals(100.0, progress.get("duration_s").asDouble());
        assertEquals(42.5, progress.get("progress_percent").asDouble());
        assertFalse(progress.get("completed").asBoolean());
        assertEquals(10.0, progress.get("played_s").asDouble());
        assertEquals(NOON.toString(), progress.get("last_watched_at").asText());
        assertEquals(404, send("GET", "/v1/me/progress/502", token("ana")).statusCode(), "never watched");
    }

    @Test
    void aPositionPastTheDurationAndAPlayedTimePastTheWallClockAreClamped() throws Exception {
        Instant start = NOON.plusSeconds(3600);
        try {
            CLOCK.set(start);
            JsonNode first = report("bo", 502, "{\"position_s\": 150, \"played_s\": 500, \"session_id\": \"s\"}");
            assertEquals(100.0, first.get("position_s").asDouble(), "clamped to the post's duration");
            assertEquals(100.0, first.get("played_s").asDouble(), "a played time never passes the duration");
            assertTrue(first.get("completed").asBoolean());
            CLOCK.set(start.plusSeconds(10));
            JsonNode next = report("bo", 502, "{\"position_s\": 60, \"played_s\": 30, \"session_id\": \"s\"}");
            assertEquals(12.0, next.get("played_s").asDouble(), "10 s since the session's previous report, plus 2 s");
            assertEquals(112.0, get("/v1/me/progress/502", "bo").get("played_s").asDouble());
            // the report's own duration counts only where the post has none
            JsonNode own = report("bo", 509, "{\"position_s\": 300, \"duration_s\": 240}");
            assertEquals(240.0, own.get("position_s").asDouble());
            assertEquals(240.0, own.get("duration_s").asDouble());
        } finally {
            CLOCK.set(NOON);
        }
        String metrics = Admin.get(vts.httpPort(), "/metrics").body();
        assertTrue(metrics.contains("vts_watch_report_clamped_total{cap=\"position_past_duration\"}"), metrics);
        assertTrue(metrics.contains("vts_watch_report_clamped_total{cap=\"played_past_wall_clock\"}"), metrics);
    }

    @Test
    void aBadReportIsRefusedAndChangesNothing() throws Exception {
        for (String body : List.of("{}", "{\"position_s\": -1}", "{\"position_s\": \"12\"}", "{\"position_s\": 5, \"played_s\": -2}",
                "{\"position_s\": 5, \"duration_s\": 0}", "{\"position_s\": 1e12}", "{\"position_s\": 5, \"type\": \"view\"}", "[1]")) {
            HttpResponse<String> r = web.post("/v1/posts/503/watch", body, "Authorization", "Bearer " + token("cy"));
            assertEquals(400, r.statusCode(), body + " → " + r.body());
            assertEquals("invalid_payload", JSON.readTree(r.body()).get("code").asText());
        }
        assertEquals(404, web.post("/v1/posts/99999/watch", "{\"position_s\": 1}").statusCode());
        assertEquals(400, web.post("/v1/posts/503/views", "{\"type\": \"watch\", \"position_s\": 1}").statusCode(),
                "a watch report sent as a view is refused, not counted as a view");
        assertEquals(0, vts.db.count("select count(*) from watch_progress where viewer_id = 'cy'"));
    }

    @Test
    void moreThanOneReportPerViewerAndPostWithinTheIntervalIs429WithRetryAfter() throws Exception {
        String token = token("dee");
        HttpResponse<String> first = web.post("/v1/posts/504/watch", "{\"position_s\": 1}", "Authorization", "Bearer " + token);
        HttpResponse<String> second = web.post("/v1/posts/504/watch", "{\"position_s\": 2}", "Authorization", "Bearer " + token);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(429, second.statusCode(), second.body());
        assertEquals("1", second.headers().firstValue("Retry-After").orElse(null));
        assertEquals(200, web.post("/v1/posts/505/watch", "{\"position_s\": 2}", "Authorization", "Bearer " + token).statusCode(),
                "another post is another limit");
        assertEquals(1.0, get("/v1/me/progress/504", "dee").get("position_s").asDouble(), "the refused report changed nothing");
    }

    @Test
    void completionAt80PercentStaysAfterRewatchingFromTheStart() throws Exception {
        JsonNode done = report("eve", 501, "{\"position_s\": 80}");
        assertTrue(done.get("completed").asBoolean());
        String completedAt = get("/v1/me/progress/501", "eve").get("completed_at").asText();
        CLOCK.set(NOON.plusSeconds(60));
        try {
            JsonNode again = report("eve", 501, "{\"position_s\": 5}");
            assertTrue(again.get("completed").asBoolean(), "completed stays completed");
        } finally {
            CLOCK.set(NOON);
        }
        JsonNode progress = get("/v1/me/progress/501", "eve");
        assertEquals(5.0, progress.get("position_s").asDouble(), "the resume point is where they are now");
        assertTrue(progress.get("completed").asBoolean());
        assertEquals(completedAt, progress.get("completed_at").asText());
        assertFalse(report("eve", 502, "{\"position_s\": 79.9}").get("completed").asBoolean());
    }

    @Test
    void aCoursesProgressComesInOneCall() throws Exception {
        report("fay", 501, "{\"position_s\": 100}");
        report("fay", 502, "{\"position_s\": 50}");
        JsonNode course = get("/v1/me/progress?post_ids=501,502,503,504", "fay");
        assertEquals(2, course.get("items").size());
        assertEquals(JSON.readTree("{\"posts\":4,\"started\":2,\"completed\":1,\"progress_percent\":37.5}"), course.get("summary"));
        assertEquals(400, send("GET", "/v1/me/progress?post_ids=1,x", token("fay")).statusCode());
        assertEquals(400, send("GET", "/v1/me/progress", token("fay")).statusCode());
    }

    @Test
    void continueWatchingListsStartedUnfinishedPostsMostRecentFirst() throws Exception {
        for (long post : new long[] {503, 501, 504, 502}) {
            CLOCK.set(NOON.plusSeconds(post));
            report("gus", post, post == 504 ? "{\"position_s\": 95}" : "{\"position_s\": 30}");
        }
        CLOCK.set(NOON);
        JsonNode items = get("/v1/me/continue-watching?limit=10", "gus").get("items");
        assertEquals(List.of(503L, 502L, 501L), postIds(items), "504 is completed");
        assertEquals(List.of(503L), postIds(get("/v1/me/continue-watching?limit=1", "gus").get("items")));
    }

    @Test
    void sixtyViewsKeepTheNewestFiftyAndARewatchMovesToTheTopWithItsNewTime() throws Exception {
        String token = token("hal");
        for (int i = 0; i < 60; i++) {
            CLOCK.set(NOON.plusSeconds(i));
            HttpResponse<String> r = web.post("/v1/posts/" + (600 + i) + "/views", "{\"watched_ms\": " + (1000 + i) + "}",
                    "Authorization", "Bearer " + token);
            assertEquals(201, r.statusCode(), r.body());
        }
        JsonNode page1 = get("/v1/me/recently-viewed?page=1&per_page=20", "hal");
        assertEquals(JSON.readTree("{\"total\":50,\"pages\":3,\"page\":1,\"per_page\":20,\"has_next\":true,\"has_prev\":false}"),
                page1.get("pagination"));
        assertEquals(659, page1.get("items").get(0).get("post_id").asLong());
        assertEquals(1.059, page1.get("items").get(0).get("watched_s").asDouble());
        assertEquals(NOON.plusSeconds(59).toString(), page1.get("items").get(0).get("viewed_at").asText());
        JsonNode page3 = get("/v1/me/recently-viewed?page=3&per_page=20", "hal");
        assertEquals(10, page3.get("items").size());
        assertFalse(page3.get("pagination").get("has_next").asBoolean());
        assertTrue(page3.get("pagination").get("has_prev").asBoolean());
        assertEquals(610, page3.get("items").get(9).get("post_id").asLong(), "the ten oldest are forgotten");

        CLOCK.set(NOON.plusSeconds(100));
        try {
            assertEquals(204, web.post("/v1/posts/620/views", "{\"watched_ms\": 7777}", "Authorization", "Bearer " + token).statusCode(),
                    "a second view the same day is not counted, but it is a re-watch");
        } finally {
            CLOCK.set(NOON);
        }
        JsonNode top = get("/v1/me/recently-viewed?per_page=2", "hal").get("items").get(0);
        assertEquals(620, top.get("post_id").asLong());
        assertEquals(7.777, top.get("watched_s").asDouble());
        assertEquals(50, get("/v1/me/recently-viewed", "hal").get("pagination").get("total").asLong(), "one entry per post");
    }

    @Test
    void botsNeverEnterTheHistory() throws Exception {
        String token = token("ivy");
        assertEquals(204, web.post("/v1/posts/600/views", "{}", "Authorization", "Bearer " + token,
                "User-Agent", WebClient.GOOGLEBOT).statusCode());
        assertEquals(200, web.post("/v1/posts/501/watch", "{\"position_s\": 10}", "Authorization", "Bearer " + token,
                "User-Agent", WebClient.HEADLESS_CHROME).statusCode());
        assertEquals(0, get("/v1/me/recently-viewed", "ivy").get("pagination").get("total").asLong());
        assertEquals(404, send("GET", "/v1/me/progress/501", token).statusCode());
    }

    @Test
    void viewersReadOnlyTheirOwnAndAdminsReadAnyone() throws Exception {
        report("jan", 503, "{\"position_s\": 33}");
        assertEquals(401, send("GET", "/v1/me/progress/503", null).statusCode(), "no token");
        assertEquals(401, send("GET", "/v1/me/recently-viewed", vts.admin.token()).statusCode(), "the admin token is no viewer");
        assertEquals(401, send("GET", "/v1/me/progress/503", "not-a-jwt").statusCode());
        assertEquals(404, send("GET", "/v1/me/progress/503", token("kim")).statusCode(), "kim sees kim's, and has none");
        // administration takes the admin token, as every /v1/admin route: a viewer's token, even an admin's role, is refused
        String ownerRole = WebClient.tokenWithClaims(SECRET, "root", Map.of("roles", List.of("owner")));
        for (String viewer : List.of(token("kim"), ownerRole)) {
            assertEquals(401, send("GET", "/v1/admin/viewers/jan/progress", viewer).statusCode());
            assertEquals(401, send("DELETE", "/v1/admin/viewers/jan", viewer).statusCode());
        }
        HttpResponse<String> r = send("GET", "/v1/admin/viewers/jan/progress", vts.admin.token());
        assertEquals(200, r.statusCode(), r.body());
        JsonNode body = JSON.readTree(r.body());
        assertEquals(1, body.get("total").asLong());
        assertEquals(33.0, body.get("items").get(0).get("position_s").asDouble());
        assertEquals(1, get("/v1/me/progress?post_ids=503", "jan").get("items").size(), "jan's row is still there");
    }

    @Test
    void aViewersWatchTimeOverARange() throws Exception {
        report("lou", 501, "{\"position_s\": 20, \"played_s\": 20}");
        CLOCK.set(NOON.plusSeconds(86_400));
        try {
            report("lou", 502, "{\"position_s\": 90, \"played_s\": 30}");
            assertEquals(201, web.post("/v1/posts/600/views", "{\"watched_ms\": 4000}", "Authorization", "Bearer " + token("lou"))
                    .statusCode());
        } finally {
            CLOCK.set(NOON);
        }
        assertEquals(JSON.readTree("{\"watched_s\":54.0,\"posts\":3,\"completed\":1}"), get("/v1/me/watch-time", "lou"));
        assertEquals(JSON.readTree("{\"watched_s\":20.0,\"posts\":1,\"completed\":0}"),
                get("/v1/me/watch-time?from=2026-06-01&to=2026-06-01", "lou"));
        assertEquals(400, send("GET", "/v1/me/watch-time?from=2026-06-02&to=2026-06-01", token("lou")).statusCode());
    }

    @Test
    void erasureForgetsTheViewerAndLeavesTheArtistsFiguresAsTheyWere() throws Exception {
        CLOCK.set(NOON.plusSeconds(7 * 86_400));
        try {
            for (String viewer : List.of("mia", "ned")) {
                report(viewer, 505, "{\"position_s\": 90, \"played_s\": 40}");
                assertEquals(201, web.post("/v1/posts/505/views", "{\"watched_ms\": 3000}",
                        "Authorization", "Bearer " + token(viewer)).statusCode());
            }
            String stats = "/v1/posts/505/stats?from=2026-06-08&to=2026-06-08";
            String before = vts.admin.send("GET", stats, null).body();
            assertTrue(before.contains("\"unique_viewers\":2"), before);
            assertTrue(before.contains("\"completions\":2"), before);

            assertEquals(204, send("DELETE", "/v1/me/history", token("mia")).statusCode());
            assertEquals(204, send("DELETE", "/v1/admin/viewers/ned", vts.admin.token()).statusCode());

            for (String viewer : List.of("mia", "ned")) {
                assertEquals(404, send("GET", "/v1/me/progress/505", token(viewer)).statusCode());
                assertEquals(0, get("/v1/me/recently-viewed", viewer).get("pagination").get("total").asLong());
                assertEquals(0.0, get("/v1/me/watch-time", viewer).get("watched_s").asDouble());
                assertEquals(0, vts.db.count("select count(*) from view_events where viewer_id = ?", viewer));
                assertEquals(0, vts.db.count("select count(*) from daily_viewers where viewer_id = ?", viewer));
            }
            assertEquals(withoutComputedAt(before), withoutComputedAt(vts.admin.send("GET", stats, null).body()),
                    "the artist's figures do not change");
            CLOCK.set(NOON.plusSeconds(8 * 86_400));
            assertEquals(200, vts.admin.send("POST", "/v1/admin/rollup", "{\"through\":\"2026-06-08\"}").statusCode());
            assertEquals(withoutComputedAt(before), withoutComputedAt(vts.admin.send("GET", stats, null).body()),
                    "nor once rolled up");
        } finally {
            CLOCK.set(NOON);
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    static String token(String viewer) {
        return WebClient.token(SECRET, viewer, null);
    }

    /** A watch report by {@code viewer}, answered 200 (after the interval, should the previous one be that recent). */
    static JsonNode report(String viewer, long post, String body) throws Exception {
        for (int attempt = 0; ; attempt++) {
            HttpResponse<String> r = web.post("/v1/posts/" + post + "/watch", body, "Authorization", "Bearer " + token(viewer));
            if (r.statusCode() == 429 && attempt < 5) {
                Thread.sleep(REPORT_INTERVAL_MS);
                continue;
            }
            assertEquals(200, r.statusCode(), r.body());
            return JSON.readTree(r.body());
        }
    }

    static JsonNode get(String path, String viewer) throws Exception {
        HttpResponse<String> r = send("GET", path, token(viewer));
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    static HttpResponse<String> send(String method, String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(web.uri(path)).method(method, HttpRequest.BodyPublishers.noBody());
        return token == null ? web.send(b) : web.send(b, "Authorization", "Bearer " + token);
    }

    static List<Long> postIds(JsonNode items) {
        List<Long> ids = new ArrayList<>();
        items.forEach(item -> ids.add(item.get("post_id").asLong()));
        assertNotNull(items);
        return ids;
    }

    static String withoutComputedAt(String stats) {
        return stats.replaceAll("\"computed_at\":\"[^\"]*\"", "");
    }
}
