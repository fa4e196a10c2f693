package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Watch time through the real doors (contract §5): a browser's watched_ms capped at the post's
 * duration, a p3a's screen time from its cadence over MQTT (three events 30 s apart: 65 s), and the
 * artists' figures of both, read live, after the rollup and after running it again. The tests run in
 * order: the last reads what the others sent.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WatchTimeTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final LocalDate DAY = LocalDate.of(2026, 5, 4);
    static final TestClock CLOCK = new TestClock(History.noon(DAY));
    static final String PLAYER = "p3a-watching";
    static final long SHORT_POST = 31;
    static final long STILL_POST = 32;
    static RunningServer vts;
    static WebClient web;

    @BeforeAll
    static void start() throws Exception {
        // no per-player rate limit: it runs on the machine's clock, and these events are 30 s apart on the test's
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_PLAYER_RATE_LIMIT_MS", "0"), CLOCK);
        web = new WebClient(vts.httpPort());
        vts.admin.send("PUT", "/v1/admin/posts/" + SHORT_POST, "{\"artist_id\":\"cara\",\"duration_s\":20}");
        vts.admin.post(STILL_POST, "cara");
        vts.admin.player(PLAYER, "owner-w", "secret-w");
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    @Test
    @Order(1)
    void aBrowsersWatchedMsIsCappedAtThePostsDurationAndTheCapCounted() {
        assertEquals(201, web.post("/v1/posts/" + SHORT_POST + "/views", "{\"watched_ms\": 50000}").statusCode());
        assertEquals(204, web.post("/v1/posts/" + STILL_POST + "/views",
                "{\"intent\": \"impression\", \"watched_ms\": 12345}").statusCode());
        assertEquals(400, web.post("/v1/posts/" + STILL_POST + "/views", "{\"watched_ms\": -1}").statusCode());

        assertEquals(20_000, watchTimeMs("post_id = ? and door = 'http'", SHORT_POST));
        assertEquals(12_345, watchTimeMs("post_id = ? and door = 'http'", STILL_POST));
        assertTrue(Admin.get(vts.httpPort(), "/metrics").body().contains("vts_watch_capped_total{door=\"http\"} 1.0"));
    }

    @Test
    @Order(2)
    void threeEventsOfAP3a30SecondsApartGive65SecondsOfScreenTime() throws Exception {
        Instant shown = History.noon(DAY).plusSeconds(600);
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), PLAYER, "secret-w", null).subscribeAcks()) {
            for (int i = 0; i < 3; i++) {
                Instant at = shown.plusSeconds(30L * i);
                CLOCK.set(at);
                p.publishView(("{\"post_id\": " + STILL_POST + ", \"timestamp\": \"" + at + "\", \"timezone\": \"\","
                        + " \"intent\": \"artwork\", \"player_key\": \"" + PLAYER + "\", \"request_ack\": true}")
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals(Ack.ok(), p.nextAck(10));
            }
        } finally {
            CLOCK.set(History.noon(DAY));
        }

        assertEquals(65_000, watchTimeMs("player_key = ?", PLAYER));
    }

    @Test
    @Order(3)
    void theArtistsFiguresAreTheSameLiveAfterTheRollupAndAfterARerun() throws Exception {
        // the still post: 12.345 s from the web, 65 s of screen time; two watched appearances
        String still = "{\"watch_time_s\":77.345,\"avg_watch_time_s\":38.673,\"watch_time_by_source\":{\"player\":65.0,\"web\":12.345}}";
        String artist = "{\"watch_time_s\":97.345,\"avg_watch_time_s\":32.448,\"watch_time_by_source\":{\"player\":65.0,\"web\":32.345}}";
        String day = "{\"watch_time_s\":97.345,\"avg_watch_time_s\":32.448}";
        String shortPostRow = "{\"watch_time_s\":20.0,\"avg_watch_time_s\":20.0}";
        for (String when : new String[] {"live", "rolled up", "rolled up again"}) {
            if (!when.equals("live")) {
                CLOCK.set(History.noon(DAY.plusDays(1)));
                HttpResponse<String> rollup = vts.admin.send("POST", "/v1/admin/rollup", "{\"through\":\"" + DAY + "\"}");
                assertEquals(200, rollup.statusCode(), rollup.body());
            }
            JsonNode post = stats("/v1/posts/" + STILL_POST + "/stats");
            JsonNode artistStats = stats("/v1/artists/cara/stats?sort=post_id");
            assertEquals(JSON.readTree(still), watching(post, "watch_time_by_source"), when);
            assertEquals(JSON.readTree(artist), watching(artistStats, "watch_time_by_source"), when);
            assertEquals(JSON.readTree(day), watching(artistStats.get("daily").get(0), null), when);
            assertEquals(JSON.readTree(shortPostRow), watching(artistStats.get("posts").get(0), null), when);
        }
        assertEquals(1, vts.db.count("select count(*) from daily_post_stats where post_id = ? and watch_time_ms = 77345", STILL_POST));
    }

    /** The stats of {@link #DAY}, read by an admin. */
    static JsonNode stats(String path) throws Exception {
        String range = (path.contains("?") ? "&" : "?") + "from=" + DAY + "&to=" + DAY;
        HttpResponse<String> r = vts.admin.send("GET", path + range, null);
        assertEquals(200, r.statusCode(), r.body());
        return JSON.readTree(r.body());
    }

    /** Only the watch-time figures of a stats object. */
    static JsonNode watching(JsonNode stats, String bySource) {
        ObjectNode out = JSON.createObjectNode();
        out.set("watch_time_s", stats.get("watch_time_s"));
        out.set("avg_watch_time_s", stats.get("avg_watch_time_s"));
        if (bySource != null) {
            out.set(bySource, stats.get(bySource));
        }
        return out;
    }

    static long watchTimeMs(String where, Object param) {
        return vts.db.count("select coalesce(sum(watch_time_ms), 0) from view_events where " + where, param);
    }
}
