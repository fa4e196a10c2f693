package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.support.GeoFixture;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events from both doors come out of the one pipeline with country (from the project's own fixture
 * database), device and intent. Loopback is trusted as a proxy here, so X-Forwarded-For stands in
 * for web clients from elsewhere; the MQTT player connects from loopback itself.
 */
class EnrichmentTest {
    static RunningServer vts;
    static WebClient web;

    @BeforeAll
    static void start() throws Exception {
        Path geo = GeoFixture.writeTo(Files.createTempDirectory("vts-geo"));
        vts = RunningServer.start(TestDatabase.create(), Map.of(
                "VTS_GEOIP_DB", geo.toString(),
                "VTS_TRUSTED_PROXIES", "127.0.0.1/32, ::1"));
        vts.admin.post(7, "artist-e");
        web = new WebClient(vts.httpPort());
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    Map<String, Object> onlyRow(String where, Object param) {
        var rows = vts.db.rows("select country, device, kind, door from view_events where " + where, param);
        assertEquals(1, rows.size(), rows.toString());
        return rows.get(0);
    }

    @Test
    void webViewFromGermanyOnAPhone() {
        String id = UUID.randomUUID().toString();
        assertEquals(201, web.post("/v1/posts/7/views", "{\"event_id\":\"" + id + "\"}", "User-Agent", WebClient.IPHONE,
                "X-Forwarded-For", "203.0.113.9").statusCode());
        assertEquals(Map.of("country", "DE", "device", "mobile", "kind", "view", "door", "http"),
                onlyRow("event_key = ?::uuid", id));
    }

    @Test
    void webImpressionFromJapanOnADesktopThroughTwoProxies() {
        String id = UUID.randomUUID().toString();
        // the client, then a trusted proxy; the rightmost untrusted-or-last hop is the client
        assertEquals(204, web.post("/v1/posts/7/views", "{\"event_id\":\"" + id + "\",\"intent\":\"impression\"}",
                "X-Forwarded-For", "2001:db8::7, 127.0.0.1").statusCode());
        assertEquals(Map.of("country", "JP", "device", "desktop", "kind", "impression", "door", "http"),
                onlyRow("event_key = ?::uuid", id));
    }

    @Test
    void mqttPlayerGetsTheCountryOfItsOwnAddress() throws Exception {
        String key = UUID.randomUUID().toString();
        vts.admin.player(key, "owner-e", "secret-" + key);
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            p.publishView(("{\"post_id\": 7, \"timestamp\": \"2026-11-21T16:24:15Z\", \"intent\": \"artwork\", "
                    + "\"player_key\": \"" + key + "\", \"request_ack\": true}").getBytes());
            assertEquals(Ack.ok(), p.nextAck(10));
        }
        assertEquals(Map.of("country", GeoFixture.COUNTRY_OF.get("127.0.0.1"), "device", "player", "kind", "view",
                "door", "mqtt"), onlyRow("player_key = ?", key));
    }
}
