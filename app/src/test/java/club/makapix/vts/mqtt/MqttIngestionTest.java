package club.makapix.vts.mqtt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.ErrorCode;
import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.PlayerClient;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Players over MQTT 3.1.1 and 5, against a real broker over a real socket, into a real PostgreSQL. */
class MqttIngestionTest {
    static RunningServer vts;
    static final String ARTIST = "artist-1";
    static final String OWNER = "owner-1";
    static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);

    @BeforeAll
    static void start() throws Exception {
        vts = RunningServer.start();
        vts.admin.post(123, ARTIST);
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    static String newPlayer() {
        String key = UUID.randomUUID().toString();
        vts.admin.player(key, OWNER, "secret-" + key);
        return key;
    }

    static byte[] p3aPayload(String key, long postId, String timestamp, boolean requestAck) {
        return ("{\"post_id\": " + postId + ", \"timestamp\": \"" + timestamp + "\", \"timezone\": \"\", \"intent\": \"channel\","
                + " \"play_order\": 2, \"channel\": \"hashtag\", \"player_key\": \"" + key + "\","
                + " \"channel_user_sqid\": null, \"channel_hashtag\": \"pixelart\", \"request_ack\": " + requestAck + "}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    long stored(String key) {
        return vts.db.count("select count(*) from view_events where player_key = ?", key);
    }

    @Test
    void p3aEventIsStoredOnceWithAllItsFields() throws Exception {
        String key = newPlayer();
        String ts = "2026-11-21T16:24:15Z";
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            p.publishView(p3aPayload(key, 123, ts, true));
            assertEquals(Ack.ok(), p.nextAck(10));
        }
        List<Map<String, Object>> rows = vts.db.rows("select * from view_events where player_key = ?", key);
        assertEquals(1, rows.size());
        Map<String, Object> row = rows.get(0);
        assertEquals(123L, row.get("post_id"));
        assertEquals(ARTIST, row.get("artist_id"));
        assertEquals("mqtt", row.get("door"));
        assertEquals("impression", row.get("kind"));
        assertEquals(true, row.get("counted"));
        assertEquals(OWNER, row.get("viewer_id"));
        assertEquals(Instant.parse(ts), ((java.sql.Timestamp) row.get("client_time")).toInstant());
        assertEquals("", row.get("timezone"));
        assertEquals("hashtag", row.get("channel"));
        assertEquals("pixelart", row.get("channel_context"));
        assertEquals(2, ((Number) row.get("play_order")).intValue());
        assertTrue(row.get("event_key") != null, "a synced timestamp gives a dedupe key");
    }

    @Test
    void resentEventIsStoredOnce() throws Exception {
        String key = newPlayer();
        byte[] payload = p3aPayload(key, 123, now(), true);
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            p.publishView(payload);
            assertEquals(Ack.ok(), p.nextAck(10));
            p.publishView(payload); // as after a lost PUBACK
            Ack second = p.nextAck(10);
            assertEquals(ErrorCode.DUPLICATE, second.errorCode());
        }
        // and again on a new connection, as after a reconnect
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            p.publishView(payload);
            assertEquals(ErrorCode.DUPLICATE, p.nextAck(10).errorCode());
        }
        assertEquals(1, stored(key));
    }

    @Test
    void mqtt5ClientGetsReasonCodes() throws Exception {
        String key = newPlayer();
        try (PlayerClient p = PlayerClient.connect(vts.mqttUri(), TOPICS, key, "secret-" + key, null)) {
            int first = p.publishView(view(key, 123, Instant.parse("2026-11-21T11:00:00Z"))).get(10, TimeUnit.SECONDS);
            assertEquals(0x00, first);
            int limited = p.publishView(view(key, 123, Instant.parse("2026-11-21T11:00:01Z"))).get(10, TimeUnit.SECONDS);
            assertEquals(0x97, limited);
            int bad = p.publish(TOPICS.view(key), "not json".getBytes()).get(10, TimeUnit.SECONDS);
            assertEquals(0x99, bad);
            int foreign = p.publish("makapix/player/" + UUID.randomUUID() + "/view", p3aPayload(key, 123, now(), false))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(0x87, foreign);
            int mismatch = p.publishView(view(UUID.randomUUID().toString(), 123, Instant.now()))
                    .get(10, TimeUnit.SECONDS);
            // the payload names another player: not authorized
            assertEquals(0x87, mismatch);
        }
        assertEquals(1, stored(key));
    }

    @Test
    void mqtt5ClientGetsItsAcks() throws Exception {
        String key = newPlayer();
        BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();
        try (PlayerClient p = PlayerClient.connect(vts.mqttUri(), TOPICS, key, "secret-" + key, null)) {
            p.subscribeAcks(acks::add);
            assertEquals(0x00, p.publish(TOPICS.view(key), p3aPayload(key, 123, now(), true)).get(10, TimeUnit.SECONDS));
            assertEquals(Ack.ok(), acks.poll(10, TimeUnit.SECONDS));
        }
    }

    static ViewEvent view(String key, long postId, Instant at) {
        return new ViewEvent(postId, at, "", Intent.ARTWORK, 0, "artwork", key, null, null, false, null, null, null, null);
    }

    @Test
    void badInputGetsTheContractsOutcomeAndStoresNothing() throws Exception {
        String key = newPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            String ts = now();
            p.publishView(("{\"post_id\": \"123\", \"timestamp\": \"" + ts + "\", \"intent\": \"channel\", \"player_key\": \""
                    + key + "\", \"request_ack\": true}").getBytes());
            assertEquals(ErrorCode.INVALID_PAYLOAD, p.nextAck(10).errorCode(), "wrong-typed post_id");

            String other = UUID.randomUUID().toString();
            p.publishView(p3aPayload(other, 123, ts, true));
            assertEquals(ErrorCode.PLAYER_KEY_MISMATCH, p.nextAck(10).errorCode());

            p.publishView(p3aPayload(key, 999_999, ts, true));
            assertEquals(ErrorCode.POST_NOT_FOUND, p.nextAck(10).errorCode());

            byte[] oversized = ("{\"post_id\": 123, \"timestamp\": \"" + ts + "\", \"intent\": \"channel\", \"player_key\": \"" + key
                    + "\", \"request_ack\": true, \"padding\": \"" + "x".repeat(10_000) + "\"}").getBytes();
            p.publishView(oversized);
            assertEquals(ErrorCode.INVALID_PAYLOAD, p.nextAck(10).errorCode(), "oversized payload");

            p.publishView("this is not json".getBytes());
            assertNull(p.nextAck(2), "a non-JSON payload cannot ask for an ack");

            // text and times the database cannot hold: refused at once, never taken for an outage
            for (String timestamp : new String[] {"0000-01-01T00:00:00Z", "+10000-01-01T00:00:00Z"}) {
                p.publishView(p3aPayload(key, 123, timestamp, true));
                assertEquals(ErrorCode.INVALID_PAYLOAD, p.nextAck(10).errorCode(), timestamp);
            }
            p.publishView(("{\"post_id\": 123, \"timestamp\": \"" + ts + "\", \"timezone\": \"\\u0000\", \"intent\": \"channel\","
                    + " \"player_key\": \"" + key + "\", \"request_ack\": true}").getBytes());
            assertEquals(ErrorCode.INVALID_PAYLOAD, p.nextAck(10).errorCode(), "a NUL in the timezone");

            assertTrue(p.client.isConnected(), "rejections never disconnect a 3.1.1 client");
        }
        assertEquals(0, stored(key));
    }

    @Test
    void qos2IsRefusedAsTheConnackAnnounced() throws Exception {
        String key = newPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            try {
                p.client.publish(TOPICS.view(key), p3aPayload(key, 123, now(), false), 2, false);
            } catch (MqttException closed) {
                // the broker closes the connection rather than acknowledge it
            }
            assertTrue(p.awaitDisconnected(10), "MQTT 3 has no other way to refuse a publish");
        }
        Thread.sleep(300);
        assertEquals(0, stored(key));
    }

    @Test
    void acksArriveOnlyWhenAskedFor() throws Exception {
        String key = newPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            p.publishView(p3aPayload(key, 123, now(), false));
            assertNull(p.nextAck(2));
        }
        assertEquals(1, stored(key));
    }

    @Test
    void foreignTopicIsRefusedAndStoresNothing() throws Exception {
        String key = newPlayer();
        String victim = newPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            try {
                p.client.publish(TOPICS.view(victim), p3aPayload(victim, 123, now(), false), 1, false);
            } catch (MqttException refused) {
                // MQTT 3.1.1 has no negative PUBACK: HiveMQ may close the connection instead
            }
        }
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            assertThrows(MqttException.class, () -> p.client.subscribe("makapix/player/" + victim + "/view/ack", 1),
                    "subscribing to another player's acks is refused");
        }
        Thread.sleep(500);
        assertEquals(0, stored(victim));
        assertEquals(0, vts.db.count("select count(*) from view_events where player_key = ?", key));
    }

    @Test
    void unknownWrongSecretAndRevokedPlayersAreRefused() throws Exception {
        assertThrows(MqttException.class, () -> Mqtt3Player.connect(vts.mqttUri(), "nobody-" + UUID.randomUUID(), "whatever1", null));
        MqttException nul = assertThrows(MqttException.class, () -> Mqtt3Player.connect(vts.mqttUri(), "p3a-a", "a\u0000b", "whatever1", null));
        assertTrue(nul.getReasonCode() != MqttException.REASON_CODE_BROKER_UNAVAILABLE, "a refusal, not a database error: " + nul);
        String key = newPlayer();
        assertThrows(MqttException.class, () -> Mqtt3Player.connect(vts.mqttUri(), key, "wrong-secret", null));
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            assertTrue(p.client.isConnected());
            vts.admin.revoke(key);
            assertTrue(p.awaitDisconnected(5), "revoking disconnects the player at once");
        }
        assertThrows(MqttException.class, () -> Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null));
    }

    @Test
    void statusMessagesUpdateThePlayersRow() throws Exception {
        String key = newPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            p.client.publish(TOPICS.status(key), ("{\"player_key\":\"" + key
                    + "\",\"status\":\"online\",\"current_post_id\":123,\"firmware_version\":\"1.4.2\"}").getBytes(), 1, false);
            Map<String, Object> row = waitForRow(vts, key, r -> "1.4.2".equals(r.get("firmware_version")));
            assertEquals("online", row.get("status"));
            assertEquals(123L, row.get("current_post_id"));
            assertTrue(row.get("last_seen_at") != null);
        }
        waitForRow(vts, key, r -> "offline".equals(r.get("status")));
    }

    static Map<String, Object> waitForRow(RunningServer vts, String key, java.util.function.Predicate<Map<String, Object>> done)
            throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Object> row;
        do {
            row = vts.db.rows("select * from players where player_key = ?", key).get(0);
            if (done.test(row)) {
                return row;
            }
            Thread.sleep(100);
        } while (System.nanoTime() < until);
        throw new AssertionError("player row never became as expected: " + row);
    }

    @Test
    void metricsCountOutcomesAndDropReasons() throws Exception {
        String key = newPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            p.publishView(p3aPayload(key, 999_998, now(), false));
        }
        String metrics = Admin.get(vts.httpPort(), "/metrics").body();
        assertTrue(metrics.contains("vts_dropped_total{reason=\"post_not_found\",stage=\"resolve_post\"}"), metrics);
        assertTrue(metrics.contains("vts_events_total{door=\"mqtt\",outcome=\"post_not_found\"}"), metrics);
    }
}
