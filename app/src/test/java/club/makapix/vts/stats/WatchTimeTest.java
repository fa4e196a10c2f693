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
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Watch time through the real doors (contract §5): a browser's watched_ms capped at the post's
 * duration, a p3a's screen time from its cadence over MQTT (three events 30 s apart: 65 s).
 */
class WatchTimeTest {
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

    static long watchTimeMs(String where, Object param) {
        return vts.db.count("select coalesce(sum(watch_time_ms), 0) from view_events where " + where, param);
    }
}
