package club.makapix.vts.mqtt;

import static club.makapix.vts.mqtt.MqttIngestionTest.p3aPayload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.ErrorCode;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.Topics.Kind;
import club.makapix.vts.support.EspMqttPlayer;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.ServiceBackend;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestPki;
import club.makapix.vts.support.TestRedis;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on one PostgreSQL and one Redis act as one broker for the device plane (issue 16,
 * contract §1's last paragraph): the backend on node A and a player on node B exchange commands,
 * requests, statuses and the will; retained messages reach a backend subscribing later on another
 * node (one started later too); a revocation on A cuts the player on B within a second; a connect on
 * B takes over the same client id on A; the 5 s player rate limit and dedupe hold across nodes.
 */
class SeveralNodesTest {
    static final String OWNER = "owner-1";
    static final String SERVICE_USER = "svc_backend";
    static final String SERVICE_PASSWORD = "service-password-1";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);
    static TestPki pki;
    static TestRedis redis;
    static TestDatabase db;
    static Node a;
    static Node b;

    /** A node: its server and its TLS port for players. */
    record Node(RunningServer vts, int mqttsPort) {
        EspMqttPlayer p3a(TestPki.PlayerCertificate certificate, String key) throws Exception {
            return EspMqttPlayer.connect(certificate.sockets(), "127.0.0.1", mqttsPort, key);
        }

        ServiceBackend backend() throws Exception {
            return ServiceBackend.connect(vts.mqttUri(), "api-" + UUID.randomUUID(), SERVICE_USER, SERVICE_PASSWORD);
        }
    }

    static Node node() throws Exception {
        int mqttsPort = Ports.free();
        Map<String, String> settings = new HashMap<>(pki.serverSettings(mqttsPort));
        settings.put("VTS_REDIS_URL", redis.url());
        settings.put("VTS_MQTT_SERVICE_USER", SERVICE_USER);
        settings.put("VTS_MQTT_SERVICE_PASSWORD", SERVICE_PASSWORD);
        settings.put("VTS_IP_HASH_KEY", "the-same-ip-hash-key-on-every-node");
        return new Node(RunningServer.start(db, settings), mqttsPort);
    }

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki();
        redis = TestRedis.create();
        db = TestDatabase.create();
        a = node();
        b = node();
        a.vts().admin.post(123, "artist-1");
        a.vts().admin.post(124, "artist-1");
    }

    @AfterAll
    static void stop() {
        for (Node n : new Node[] {a, b}) {
            if (n != null) {
                n.vts().close();
            }
        }
        redis.close();
    }

    static TestPki.PlayerCertificate newPlayer(String key) {
        a.vts().admin.player(key, OWNER, null);
        return pki.issuePlayer(key);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String topic(String key, Kind kind) {
        return TOPICS.topic(key, kind);
    }

    static String status(String key, String status) {
        return "{\"player_key\":\"" + key + "\",\"status\":\"" + status + "\"}";
    }

    @Test
    void backendOnOneNodeAndPlayerOnTheOtherExchangeTheDevicePlane() throws Exception {
        String key = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        try (ServiceBackend backend = a.backend()) {
            for (String filter : new String[] {"+/status", "+/request/+", "+/command/ack"}) {
                assertEquals(1, backend.subscribe(Topics.DEFAULT_PREFIX + "/" + filter), filter);
            }
            EspMqttPlayer player = b.p3a(certificate, key);
            assertEquals(1, player.subscribe(topic(key, Kind.COMMAND)));
            assertEquals(1, player.subscribe(Topics.DEFAULT_PREFIX + "/" + key + "/response/#"));

            player.publish(topic(key, Kind.STATUS), bytes("{\"player_key\":\"" + key
                    + "\",\"status\":\"online\",\"current_post_id\":123,\"firmware_version\":\"0.9.1\"}"), false);
            ServiceBackend.Received online = backend.next(topic(key, Kind.STATUS), WAIT);
            assertNotNull(online, "a status published on B reaches the backend on A");
            assertTrue(online.text().contains("\"online\""));

            // a command from the backend on A reaches the player on B, its ack comes back
            assertEquals(0, backend.publish(topic(key, Kind.COMMAND), "{\"command_type\":\"swap_next\",\"command_id\":\"c1\"}"));
            EspMqttPlayer.Message command = player.next(topic(key, Kind.COMMAND), WAIT);
            assertNotNull(command, "a command published on A reaches the player on B");
            assertEquals("{\"command_type\":\"swap_next\",\"command_id\":\"c1\"}", command.text());
            player.publish(topic(key, Kind.COMMAND_ACK), bytes("{\"command_id\":\"c1\",\"status\":\"ok\"}"), false);
            assertEquals("{\"command_id\":\"c1\",\"status\":\"ok\"}", backend.next(topic(key, Kind.COMMAND_ACK), WAIT).text());

            // an API call: the request on B reaches the backend on A, the response comes back
            player.publish(TOPICS.topic(key, Kind.REQUEST, "42"), bytes("{\"request_type\":\"get_post\",\"post_id\":123}"), false);
            ServiceBackend.Received request = backend.next(TOPICS.topic(key, Kind.REQUEST, "42"), WAIT);
            assertNotNull(request, "a request published on B reaches the backend on A");
            assertEquals("{\"request_type\":\"get_post\",\"post_id\":123}", request.text());
            assertEquals(0, backend.publish(TOPICS.topic(key, Kind.RESPONSE, "42"), "{\"success\":true}"));
            EspMqttPlayer.Message response = player.next(TOPICS.topic(key, Kind.RESPONSE, "42"), WAIT);
            assertNotNull(response, "the response published on A reaches the player on B");
            assertEquals("{\"success\":true}", response.text());

            // each message exactly once: nothing looped back
            assertNull(player.next(topic(key, Kind.COMMAND), Duration.ofMillis(300)));
            assertEquals(0, backend.count(topic(key, Kind.COMMAND_ACK)) + backend.count(TOPICS.topic(key, Kind.REQUEST, "42")));

            // power lost on B: the will reaches the backend on A, and the player's row
            player.cut();
            ServiceBackend.Received will = backend.next(topic(key, Kind.STATUS), WAIT);
            assertNotNull(will, "the last will published on B reaches the backend on A");
            assertEquals(status(key, "offline"), will.text());
            MqttIngestionTest.waitForRow(a.vts(), key, row -> "offline".equals(row.get("status")));
            assertNull(backend.next(topic(key, Kind.STATUS), Duration.ofMillis(300)), "the will once");
        }
    }

    @Test
    void retainedMessagesReachALaterBackendOnAnyNode() throws Exception {
        String key = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        try (ServiceBackend watcher = a.backend(); EspMqttPlayer player = b.p3a(certificate, key)) {
            watcher.subscribe(topic(key, Kind.STATE));
            player.publish(topic(key, Kind.CAPABILITIES), bytes("{\"commands\":[\"swap_next\"]}"), true);
            player.publish(topic(key, Kind.STATE), bytes("{\"brightness\":80}"), true);
            // once the state has reached A, the capabilities published before it have too
            assertNotNull(watcher.next(topic(key, Kind.STATE), WAIT));

            try (ServiceBackend late = a.backend()) {
                late.subscribe(Topics.DEFAULT_PREFIX + "/+/capabilities");
                late.subscribe(topic(key, Kind.STATE));
                ServiceBackend.Received capabilities = late.next(topic(key, Kind.CAPABILITIES), WAIT);
                assertNotNull(capabilities, "retained capabilities published on B, for a backend subscribing later on A");
                assertEquals("{\"commands\":[\"swap_next\"]}", capabilities.text());
                assertTrue(capabilities.retained());
                ServiceBackend.Received state = late.next(topic(key, Kind.STATE), WAIT);
                assertEquals("{\"brightness\":80}", state.text());
                assertTrue(state.retained());
            }

            // a node started afterwards has them too (kept in Redis)
            Node c = node();
            try (ServiceBackend onC = c.backend()) {
                onC.subscribe(topic(key, Kind.CAPABILITIES));
                ServiceBackend.Received capabilities = onC.next(topic(key, Kind.CAPABILITIES), WAIT);
                assertNotNull(capabilities, "retained capabilities on a node started later");
                assertTrue(capabilities.retained());
            } finally {
                c.vts().close();
            }
        }
    }

    @Test
    void aRevocationOnOneNodeCutsThePlayerOnTheOtherWithinASecond() throws Exception {
        String key = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        try (EspMqttPlayer player = b.p3a(certificate, key)) {
            player.ping();
            long before = System.nanoTime();
            a.vts().admin.revoke(key);
            assertTrue(player.awaitClosed(Duration.ofSeconds(1)), "cut on B within a second of the revocation on A");
            long millis = (System.nanoTime() - before) / 1_000_000;
            assertTrue(millis < 1000, millis + " ms");
        }
        // and B refuses it from now on
        assertFalse(canConnect(b, certificate, key));
    }

    static boolean canConnect(Node node, TestPki.PlayerCertificate certificate, String key) {
        try (EspMqttPlayer ignored = node.p3a(certificate, key)) {
            return true;
        } catch (Exception refused) {
            return false;
        }
    }

    @Test
    void aConnectOnAnotherNodeTakesOverTheClientId() throws Exception {
        String key = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        try (ServiceBackend backend = a.backend()) {
            backend.subscribe(topic(key, Kind.STATUS));
            EspMqttPlayer onA = a.p3a(certificate, key);
            onA.ping();
            // the NAT changed: the player comes back through B while A still holds its old connection
            EspMqttPlayer onB = b.p3a(certificate, key);
            assertTrue(onA.awaitClosed(Duration.ofSeconds(2)), "the old connection on A ends, as one broker does");
            assertTrue(onB.isOpen());
            onB.ping();
            // as on one broker, a takeover publishes no will, and the player stays online
            assertNull(backend.next(topic(key, Kind.STATUS), Duration.ofSeconds(1)), "no will on a takeover");
            Thread.sleep(1500); // both nodes' status writers have run
            assertEquals("online", a.vts().db.rows("select status from players where player_key = ?", key).get(0).get("status"));

            // and the player is reached on B
            assertEquals(1, onB.subscribe(topic(key, Kind.COMMAND)));
            backend.publish(topic(key, Kind.COMMAND), "{\"command_id\":\"c2\"}");
            assertNotNull(onB.next(topic(key, Kind.COMMAND), WAIT));
            // and back again to A: B's connection ends this time
            EspMqttPlayer again = a.p3a(certificate, key);
            assertTrue(onB.awaitClosed(Duration.ofSeconds(2)));
            assertTrue(again.isOpen());
            again.close();
        }
    }

    @Test
    void thePlayerRateLimitAndDedupeHoldAcrossNodes() throws Exception {
        String key = UUID.randomUUID().toString();
        String secret = "secret-" + key;
        a.vts().admin.player(key, OWNER, secret);
        try (Mqtt3Player onA = Mqtt3Player.connect(a.vts().mqttUri(), key + "-a", key, secret, null).subscribeAcks();
             Mqtt3Player onB = Mqtt3Player.connect(b.vts().mqttUri(), key + "-b", key, secret, null).subscribeAcks()) {
            Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            byte[] first = p3aPayload(key, 123, t.toString(), true);
            onA.publishView(first);
            assertEquals(Ack.ok(), onA.nextAck(10));
            // the same event resent through the other node is a duplicate (stored once)
            onB.publishView(first);
            assertEquals(ErrorCode.DUPLICATE, onB.nextAck(10).errorCode());
            // another event within 5 s through the other node is rate limited
            onB.publishView(p3aPayload(key, 124, t.plusSeconds(1).toString(), true));
            Ack limited = onB.nextAck(10);
            assertNotNull(limited);
            assertEquals(ErrorCode.RATE_LIMITED, limited.errorCode());
            assertEquals(1, db.count("select count(*) from view_events where player_key = ?", key));
        }
    }

    @Test
    void aChangeOfOwnerOnOneNodeIsSeenAtOnceByTheOther() throws Exception {
        String key = UUID.randomUUID().toString();
        String secret = "secret-" + key;
        a.vts().admin.player(key, "owner-before", secret);
        try (Mqtt3Player onB = Mqtt3Player.connect(b.vts().mqttUri(), key, secret, null).subscribeAcks()) {
            Instant t = Instant.now().truncatedTo(ChronoUnit.SECONDS);
            onB.publishView(p3aPayload(key, 123, t.toString(), true));
            assertEquals(Ack.ok(), onB.nextAck(10)); // B has the player cached now, with its owner
            a.vts().admin.player(key, "owner-after", secret);
            Thread.sleep(5_100); // past the player's rate limit
            onB.publishView(p3aPayload(key, 123, t.plusSeconds(6).toString(), true));
            assertEquals(Ack.ok(), onB.nextAck(10));
        }
        assertEquals(java.util.List.of("owner-before", "owner-after"),
                db.rows("select viewer_id from view_events where player_key = ? order by received_at", key).stream()
                        .map(row -> row.get("viewer_id")).toList());
    }
}
