package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Who may read what, how bad parameters are answered, the CSV, the public counter, and the cache. */
class StatsApiTest {
    static final String SECRET = "stats-api-secret-that-is-long-enough-for-hs256";
    static final LocalDate DAY1 = LocalDate.of(2026, 3, 1);
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final TestClock CLOCK = new TestClock(History.noon(DAY1));
    static RunningServer vts;
    static WebClient web;

    @BeforeAll
    static void start() throws Exception {
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_JWT_SECRET", SECRET, "VTS_STATS_CACHE_S", "300"), CLOCK);
        web = new WebClient(vts.httpPort());
        vts.admin.send("PUT", "/v1/admin/posts/11", "{\"artist_id\":\"ana\",\"title\":\"=HYPERLINK(\\\"x\\\")\"}");
        vts.admin.send("PUT", "/v1/admin/posts/12", "{\"artist_id\":\"ana\",\"title\":\"Sunset, in pixels\"}");
        vts.admin.post(21, "ben");
        assertEquals(201, web.post("/v1/posts/11/views", null, "Authorization", "Bearer " + jwt("viewer-1")).statusCode());
        assertEquals(201, web.post("/v1/posts/12/views", null, "Authorization", "Bearer " + jwt("viewer-1")).statusCode());
        assertEquals(201, web.post("/v1/posts/12/views", null, "Authorization", "Bearer " + jwt("viewer-2")).statusCode());
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    static String jwt(String subject) {
        return WebClient.token(SECRET, subject, null);
    }

    static HttpResponse<String> get(String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vts.httpPort() + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static void assertStatus(int status, String code, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        if (code != null) {
            assertTrue(r.body().contains("\"code\":\"" + code + "\""), r.body());
        }
    }

    @Test
    void artistsReadTheirOwnNumbersOnlyAdminsReadAll() throws Exception {
        String range = "?from=" + DAY1 + "&to=" + DAY1;
        assertStatus(200, null, get("/v1/posts/11/stats" + range, jwt("ana")));
        assertStatus(200, null, get("/v1/artists/ana/stats" + range, jwt("ana")));
        assertStatus(403, "forbidden", get("/v1/posts/21/stats" + range, jwt("ana")));
        assertStatus(403, "forbidden", get("/v1/artists/ben/stats" + range, jwt("ana")));
        assertStatus(403, "forbidden", get("/v1/artists/ben/stats.csv" + range, jwt("ana")));
        assertStatus(200, null, get("/v1/artists/ben/stats" + range, WebClient.token(SECRET, "ops", "admin")));
        assertStatus(200, null, get("/v1/artists/ben/stats" + range, vts.server.adminToken()));
        assertStatus(401, "unauthorized", get("/v1/artists/ana/stats" + range, null));
        assertStatus(401, "invalid_token", get("/v1/artists/ana/stats" + range, WebClient.token("some-other-secret-long-enough-for-hs256", "ana", null)));
        assertStatus(404, "post_not_found", get("/v1/posts/999/stats" + range, jwt("ana")));
        assertStatus(404, "post_not_found", get("/v1/posts/999/counter", null));
    }

    @Test
    void anAdminRoleInTheRolesArrayReadsAllButNoOtherRoleOrClaimTypeDoes() throws Exception {
        String range = "?from=" + DAY1 + "&to=" + DAY1;
        String siteAdmin = WebClient.tokenWithClaims(SECRET, "ops", Map.of("roles", List.of("user", "admin")));
        assertStatus(200, null, get("/v1/artists/ben/stats" + range, siteAdmin));
        assertStatus(200, null, get("/v1/posts/21/stats" + range, siteAdmin));
        for (Map<String, Object> claims : List.<Map<String, Object>>of(
                Map.of("roles", List.of("user", "moderator", "owner")),
                Map.of("roles", "admin"),
                Map.of("roles", List.of(1, 2)),
                Map.of("role", List.of("admin")),
                Map.of("role", 7))) {
            String token = WebClient.tokenWithClaims(SECRET, "ana", claims);
            assertStatus(403, "forbidden", get("/v1/artists/ben/stats" + range, token));
            assertStatus(403, "forbidden", get("/v1/posts/21/stats" + range, token));
        }
    }

    @Test
    void badParametersGetAClearError() throws Exception {
        String ana = jwt("ana");
        for (String query : List.of("?from=2026-03-05&to=2026-03-01", "?from=yesterday", "?from=2024-01-01&to=2026-03-01",
                "?per_page=0", "?per_page=5000", "?page=-1", "?sort=title")) {
            assertStatus(400, "invalid_payload", get("/v1/artists/ana/stats" + query, ana));
        }
    }

    @Test
    void statsAndCsvShowEveryPostOfTheArtist() throws Exception {
        String range = "?from=" + DAY1 + "&to=" + DAY1;
        HttpResponse<String> json = get("/v1/artists/ana/stats" + range + "&sort=-views", jwt("ana"));
        assertTrue(json.body().contains("\"views\":3"), json.body());
        assertTrue(json.body().contains("\"unique_viewers\":2"), json.body());
        assertTrue(json.body().indexOf("\"post_id\":12") < json.body().indexOf("\"post_id\":11"), "sorted by views, most first");
        HttpResponse<String> csv = get("/v1/artists/ana/stats.csv" + range + "&sort=post_id", jwt("ana"));
        assertEquals(200, csv.statusCode());
        assertTrue(csv.headers().firstValue("Content-Type").orElse("").startsWith("text/csv"));
        assertEquals(List.of(
                "post_id,title,views,impressions,unique_viewers,watch_time_s,avg_watch_time_s,completions,completion_rate",
                "11,\"'=HYPERLINK(\"\"x\"\")\",1,0,1,0.0,,0,",
                "12,\"Sunset, in pixels\",2,0,2,0.0,,0,"), csv.body().lines().toList(),
                "quoted, and a title a spreadsheet would run as a formula is defused");
    }

    @Test
    void publicCounterNeedsNoToken() throws Exception {
        HttpResponse<String> r = get("/v1/posts/12/counter", null);
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("\"views\":2") && r.body().contains("\"post_id\":12"), r.body());
    }

    @Test
    void cachedAnswersAreForgottenWhenARollupChangesTheNumbers() throws Exception {
        vts.admin.post(31, "cleo");
        String cleo = jwt("cleo");
        String range = "?from=" + DAY1 + "&to=" + DAY1.plusDays(1);
        assertEquals(201, web.post("/v1/posts/31/views", null).statusCode());
        assertTrue(get("/v1/artists/cleo/stats" + range, cleo).body().contains("\"views\":1,"));
        CLOCK.set(History.noon(DAY1.plusDays(1)));
        assertEquals(201, web.post("/v1/posts/31/views", null).statusCode(), "a new day: the same visitor counts again");
        assertTrue(get("/v1/artists/cleo/stats" + range, cleo).body().contains("\"views\":1,"), "cached for a while");
        HttpResponse<String> rollup = vts.admin.send("POST", "/v1/admin/rollup", "{\"through\":\"" + DAY1 + "\"}");
        assertTrue(rollup.body().contains("\"days_rolled\":1"), rollup.body());
        assertTrue(get("/v1/artists/cleo/stats" + range, cleo).body().contains("\"views\":2,"), "fresh after the rollup");
    }
}
