package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestRedis;
import club.makapix.vts.support.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With Redis, two nodes share one stats cache, and a rollup on either forgets it for both. */
class SharedStatsCacheTest {
    static final String SECRET = "shared-cache-secret-that-is-long-enough-for-hs256";
    static final LocalDate DAY1 = LocalDate.of(2026, 4, 1);

    @Test
    void nodesShareCachedAnswersUntilARollup() throws Exception {
        TestDatabase db = TestDatabase.create();
        TestClock clock = new TestClock(History.noon(DAY1));
        try (TestRedis redis = TestRedis.create()) {
            Map<String, String> settings = Map.of("VTS_JWT_SECRET", SECRET, "VTS_STATS_CACHE_S", "300",
                    "VTS_REDIS_URL", redis.url());
            try (RunningServer a = RunningServer.start(db, settings, clock);
                 RunningServer b = RunningServer.start(db, settings, clock)) {
                a.admin.post(41, "dora");
                String path = "/v1/artists/dora/stats?from=" + DAY1 + "&to=" + DAY1.plusDays(1);
                assertEquals(201, new WebClient(a.httpPort()).post("/v1/posts/41/views", null).statusCode());
                assertTrue(views(a, path).contains("\"views\":1,"));
                clock.set(History.noon(DAY1.plusDays(1)));
                assertEquals(201, new WebClient(b.httpPort()).post("/v1/posts/41/views", null).statusCode());
                assertTrue(views(b, path).contains("\"views\":1,"), "node b answers from the cache node a filled");
                HttpResponse<String> rollup = a.admin.send("POST", "/v1/admin/rollup", "{\"through\":\"" + DAY1 + "\"}");
                assertTrue(rollup.body().contains("\"days_rolled\":1"), rollup.body());
                assertTrue(views(b, path).contains("\"views\":2,"), "a rollup on node a refreshed node b's answers");
            }
        }
    }

    static String views(RunningServer node, String path) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                        + node.httpPort() + path)).header("Authorization", "Bearer " + WebClient.token(SECRET, "dora", null)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return r.body();
    }
}
