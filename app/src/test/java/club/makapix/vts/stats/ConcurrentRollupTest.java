package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one database asked to roll up the same days at the same moment (issue 16): one does
 * it, the other says it is busy (409) or finds it done, and the days hold one result, the same as
 * after a rollup alone.
 */
class ConcurrentRollupTest {
    static final LocalDate DAY = LocalDate.of(2026, 3, 9);

    @Test
    void twoRollupsStartedAtOnceGiveOneResult() throws Exception {
        TestDatabase db = TestDatabase.create();
        TestClock clock = new TestClock(History.noon(DAY));
        try (RunningServer a = RunningServer.start(db, Map.of("VTS_TRUSTED_PROXIES", "127.0.0.1/32"), clock);
             RunningServer b = RunningServer.start(db, Map.of("VTS_ADMIN_TOKEN", a.server.adminToken()), clock)) {
            for (long post = 1; post <= 20; post++) {
                a.admin.post(post, "artist-" + (post % 3));
            }
            WebClient web = new WebClient(a.httpPort());
            for (int i = 0; i < 60; i++) {
                long post = 1 + i % 20;
                // 60 visitors, one view each
                assertEquals(201, web.post("/v1/posts/" + post + "/views", null, "X-Forwarded-For", "203.0.113." + i).statusCode());
            }
            clock.set(History.noon(DAY.plusDays(1)));
            CyclicBarrier together = new CyclicBarrier(2);
            List<CompletableFuture<HttpResponse<String>>> rollups = new ArrayList<>();
            for (RunningServer node : List.of(a, b)) {
                rollups.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        together.await(10, TimeUnit.SECONDS);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                    return node.admin.send("POST", "/v1/admin/rollup", "{\"through\":\"" + DAY + "\"}");
                }));
            }
            List<Integer> statuses = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> r : rollups) {
                HttpResponse<String> response = r.get(120, TimeUnit.SECONDS);
                statuses.add(response.statusCode());
                assertTrue(response.statusCode() == 200 || response.statusCode() == 409, response.body());
            }
            assertTrue(statuses.contains(200), "one of them rolled up: " + statuses);

            assertEquals(20, db.count("select count(*) from daily_post_stats where day = ?", DAY), "one row per post");
            assertEquals(60, db.count("select coalesce(sum(views), 0) from daily_post_stats where day = ?", DAY));
            assertEquals(3, db.count("select count(*) from daily_artist_stats where day = ?", DAY), "one row per artist");
            assertEquals(60, db.count("select coalesce(sum(views), 0) from daily_artist_stats where day = ?", DAY));
        }
    }
}
