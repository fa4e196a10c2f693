package club.makapix.vts.mqtt;

import static club.makapix.vts.mqtt.MqttIngestionTest.now;
import static club.makapix.vts.mqtt.MqttIngestionTest.p3aPayload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.Topics.Kind;
import club.makapix.vts.support.EspMqttPlayer;
import club.makapix.vts.support.Metrics;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.ServiceBackend;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestPki;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * VTS as the players' only broker (contract §1): a player writing MQTT 3.1 exactly as p3a's esp-mqtt
 * does, over mutual TLS, and the site's backend on MQTT 5 with the service password, exchange the
 * whole device plane through it, while views still go into the pipeline and nothing costs the player
 * its connection.
 */
class DevicePlaneTest {
    static final String OWNER = "owner-1";
    static final String SERVICE_USER = "svc_backend";
    static final String SERVICE_PASSWORD = "service-password-1";
    static final Duration WAIT = Duration.ofSeconds(10);
    static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);
    static TestPki pki;
    static Path crl;
    static RunningServer vts;
    static int mqttsPort;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki();
        crl = Files.createTempDirectory("vts-crl").resolve("crl.pem");
        pki.writeRevocationList(crl);
        mqttsPort = Ports.free();
        Map<String, String> settings = new HashMap<>(pki.serverSettings(mqttsPort));
        settings.putAll(Map.of(
                "VTS_MQTT_TLS_CRL", crl.toString(),
                "VTS_MQTT_SERVICE_USER", SERVICE_USER,
                "VTS_MQTT_SERVICE_PASSWORD", SERVICE_PASSWORD,
                "VTS_MQTT_PLAYER_RELAY_PER_S", "4"));
        vts = RunningServer.start(TestDatabase.create(), settings);
        vts.admin.post(123, "artist-1");
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    /** A player registered without a secret, with its own certificate: its only way in. */
    static TestPki.PlayerCertificate newPlayer(String key) {
        vts.admin.player(key, OWNER, null);
        return pki.issuePlayer(key);
    }

    static EspMqttPlayer p3a(String key, SocketFactory sockets) throws IOException {
        return EspMqttPlayer.connect(sockets, "127.0.0.1", mqttsPort, key);
    }

    static ServiceBackend backend(String clientId) throws Exception {
        return ServiceBackend.connect(vts.mqttUri(), clientId, SERVICE_USER, SERVICE_PASSWORD);
    }

    static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    static String topic(String key, Kind kind) {
        return TOPICS.topic(key, kind);
    }

    @Test
    void firmwareSessionCarriesTheWholeDevicePlane() throws Exception {
        String key = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        try (ServiceBackend backend = backend("api-" + UUID.randomUUID())) {
            for (String filter : new String[] {"+/status", "+/request/+", "+/command/ack", "+/capabilities", "+/state"}) {
                assertEquals(1, backend.subscribe(Topics.DEFAULT_PREFIX + "/" + filter), filter);
            }
            // the site's backend also asks for views (its old ACL allowed it); views are VTS's, never relayed
            assertEquals(0x87, backend.subscribe(Topics.DEFAULT_PREFIX + "/+/view"));

            EspMqttPlayer player = p3a(key, certificate.sockets());
            // what the firmware does right after CONNACK
            assertEquals(1, player.subscribe(topic(key, Kind.COMMAND)));
            assertEquals(1, player.subscribe(Topics.DEFAULT_PREFIX + "/" + key + "/response/#"));
            assertEquals(1, player.subscribe(topic(key, Kind.VIEW_ACK)));
            player.publish(topic(key, Kind.CAPABILITIES), bytes("{\"commands\":[\"swap_next\"]}"), true);
            player.publish(topic(key, Kind.STATE), bytes("{\"brightness\":80}"), true);
            player.publish(topic(key, Kind.STATUS), bytes("{\"player_key\":\"" + key
                    + "\",\"status\":\"online\",\"current_post_id\":123,\"firmware_version\":\"0.9.1\"}"), false);

            assertEquals("{\"commands\":[\"swap_next\"]}", backend.next(topic(key, Kind.CAPABILITIES), WAIT).text());
            assertEquals("{\"brightness\":80}", backend.next(topic(key, Kind.STATE), WAIT).text());
            assertTrue(backend.next(topic(key, Kind.STATUS), WAIT).text().contains("\"online\""));
            MqttIngestionTest.waitForRow(vts, key, row -> "0.9.1".equals(row.get("firmware_version"))
                    && Long.valueOf(123).equals(row.get("current_post_id")) && "online".equals(row.get("status")));

            // a backend that subscribes later still gets the retained capabilities and state
            try (ServiceBackend late = backend("api-late-" + UUID.randomUUID())) {
                late.subscribe(Topics.DEFAULT_PREFIX + "/+/capabilities");
                late.subscribe(topic(key, Kind.STATE));
                ServiceBackend.Received capabilities = late.next(topic(key, Kind.CAPABILITIES), WAIT);
                assertNotNull(capabilities, "retained capabilities for a late subscriber");
                assertTrue(capabilities.retained());
                assertTrue(late.next(topic(key, Kind.STATE), WAIT).retained());
            }

            // an API call: request up, response down
            player.publish(TOPICS.topic(key, Kind.REQUEST, "42"), bytes("{\"request_type\":\"get_post\",\"post_id\":123}"), false);
            assertEquals("{\"request_type\":\"get_post\",\"post_id\":123}",
                    backend.next(TOPICS.topic(key, Kind.REQUEST, "42"), WAIT).text());
            assertEquals(0, backend.publish(TOPICS.topic(key, Kind.RESPONSE, "42"), "{\"success\":true}"));
            assertEquals("{\"success\":true}", player.next(TOPICS.topic(key, Kind.RESPONSE, "42"), WAIT).text());

            // a command down, its ack up
            assertEquals(0, backend.publish(topic(key, Kind.COMMAND), "{\"command_type\":\"swap_next\",\"command_id\":\"c1\"}"));
            assertEquals("{\"command_type\":\"swap_next\",\"command_id\":\"c1\"}", player.next(topic(key, Kind.COMMAND), WAIT).text());
            player.publish(topic(key, Kind.COMMAND_ACK), bytes("{\"command_id\":\"c1\",\"status\":\"ok\"}"), false);
            assertEquals("{\"command_id\":\"c1\",\"status\":\"ok\"}", backend.next(topic(key, Kind.COMMAND_ACK), WAIT).text());

            // views go into the pipeline and are acked on the topic as before, never relayed
            player.publish(topic(key, Kind.VIEW), p3aPayload(key, 123, now(), true), false);
            assertEquals("{\"success\":true}", player.next(topic(key, Kind.VIEW_ACK), WAIT).text());
            assertEquals(1, vts.db.count("select count(*) from view_events where player_key = ?", key));

            // a retain flag where the table keeps none is ignored, never a reason to disconnect
            player.publish(topic(key, Kind.STATUS), bytes("{\"player_key\":\"" + key + "\",\"status\":\"online\"}"), true);
            assertFalse(backend.next(topic(key, Kind.STATUS), WAIT).retained());

            assertTrue(player.isOpen(), "the firmware's session is never cut");
            player.ping();

            // power lost: the will reaches the backend and the player's row
            player.cut();
            ServiceBackend.Received will = backend.next(topic(key, Kind.STATUS), WAIT);
            assertNotNull(will, "the last will is relayed");
            assertEquals("{\"player_key\":\"" + key + "\",\"status\":\"offline\"}", will.text());
            MqttIngestionTest.waitForRow(vts, key, row -> "offline".equals(row.get("status")));
            assertEquals(0, backend.count(topic(key, Kind.VIEW)), "views are never relayed");
        }
        try (ServiceBackend later = backend("api-later-" + UUID.randomUUID())) {
            later.subscribe(topic(key, Kind.STATUS));
            assertNull(later.next(topic(key, Kind.STATUS), Duration.ofMillis(500)), "a status is not kept as retained");
        }
    }

    @Test
    void outsideTheTableIsRefusedWithoutCuttingThePlayer() throws Exception {
        String key = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        newPlayer(other);
        double refusedBefore = Metrics.value(vts.httpPort(), "vts_mqtt_refused_total{action=\"publish\",client=\"player\",reason=\"other_player\"}");
        try (ServiceBackend backend = backend("api-" + UUID.randomUUID());
             EspMqttPlayer player = p3a(key, certificate.sockets())) {
            backend.subscribe(Topics.DEFAULT_PREFIX + "/+/command/ack");
            backend.subscribe(Topics.DEFAULT_PREFIX + "/+/request/+");
            // publishes outside the table are PUBACKed (MQTT 3.1 cannot say no) and go nowhere
            player.publish(topic(other, Kind.COMMAND_ACK), bytes("{\"forged\":true}"), false);
            player.publish(topic(key, Kind.COMMAND), bytes("{\"to\":\"itself\"}"), false);
            player.publish("some/other/topic", bytes("x"), false);
            player.publish(topic(other, Kind.VIEW), p3aPayload(other, 123, now(), false), false);
            player.publish(TOPICS.topic(key, Kind.REQUEST, "1"), bytes("{}"), false);
            assertNotNull(backend.next(TOPICS.topic(key, Kind.REQUEST, "1"), WAIT), "still relayed afterwards");
            assertEquals(0, backend.count(topic(other, Kind.COMMAND_ACK)));
            assertTrue(player.isOpen());
        }
        assertEquals(0, vts.db.count("select count(*) from view_events where player_key = ?", other));
        assertEquals(refusedBefore + 2, Metrics.value(vts.httpPort(),
                "vts_mqtt_refused_total{action=\"publish\",client=\"player\",reason=\"other_player\"}"));

        // MQTT 3.1.1: a subscription outside the table gets the failure code and the connection stays
        String secretPlayer = UUID.randomUUID().toString();
        vts.admin.player(secretPlayer, OWNER, "secret-" + secretPlayer);
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), secretPlayer, "secret-" + secretPlayer, null)) {
            int[] granted = p.client.subscribeWithResponse(new String[] {topic(other, Kind.COMMAND), topic(secretPlayer, Kind.COMMAND)},
                    new int[] {1, 1}).getGrantedQos();
            assertEquals(0x80, granted[0], "another player's commands");
            assertEquals(1, granted[1], "its own");
            p.client.publish(topic(secretPlayer, Kind.STATE), bytes("{}"), 1, true);
            assertTrue(p.client.isConnected());
        }

        // MQTT 3.1 has no SUBACK failure code: HiveMQ closes the connection, as Mosquitto would
        try (EspMqttPlayer player = p3a(key, certificate.sockets())) {
            assertThrows(IOException.class, () -> player.subscribe(topic(other, Kind.COMMAND)));
            assertTrue(player.awaitClosed(WAIT));
        }
    }

    @Test
    void serviceAccountHasTheTablesOtherSideOnly() throws Exception {
        String key = UUID.randomUUID().toString();
        newPlayer(key);
        assertThrows(Exception.class, () -> ServiceBackend.connect(vts.mqttUri(), "api-x", SERVICE_USER, "wrong-password-1"));
        assertThrows(Exception.class, () -> ServiceBackend.connect(vts.mqttUri(), "p3a-" + key, SERVICE_USER, SERVICE_PASSWORD),
                "the service account cannot take a player's client id");
        try (ServiceBackend backend = backend("api-" + UUID.randomUUID())) {
            assertEquals(1.0, Metrics.value(vts.httpPort(), "vts_mqtt_service_clients"), 0.0);
            assertEquals(0x87, backend.subscribe("#"));
            assertEquals(0x87, backend.subscribe("$SYS/#"));
            assertEquals(0x87, backend.subscribe(Topics.DEFAULT_PREFIX + "/+/command"), "the players' side");
            assertEquals(0x87, backend.subscribe(Topics.DEFAULT_PREFIX + "/#"));
            assertEquals(0x87, backend.publish(topic(key, Kind.STATUS), "{\"status\":\"offline\"}"), "only players report status");
            assertEquals(0x87, backend.publish(topic(key, Kind.VIEW), "{}"), "views come from players only");
            assertEquals(0x87, backend.publish("some/topic", "x"));
            // 0x10: accepted, no one subscribed (the player is offline)
            assertEquals(0x10, backend.publish(topic(key, Kind.VIEW_ACK), "{\"success\":true}"), "acks, as the site's backend sent them");
            assertTrue(backend.isConnected(), "MQTT 5 refusals never cut the backend");
        }
    }

    @Test
    void aFloodingPlayerIsCappedWithoutStarvingOthers() throws Exception {
        String flooder = UUID.randomUUID().toString();
        String quiet = UUID.randomUUID().toString();
        TestPki.PlayerCertificate flooderCertificate = newPlayer(flooder);
        TestPki.PlayerCertificate quietCertificate = newPlayer(quiet);
        try (ServiceBackend backend = backend("api-" + UUID.randomUUID());
             EspMqttPlayer loud = p3a(flooder, flooderCertificate.sockets());
             EspMqttPlayer calm = p3a(quiet, quietCertificate.sockets())) {
            backend.subscribe(Topics.DEFAULT_PREFIX + "/+/request/+");
            for (int i = 0; i < 100; i++) {
                loud.publish(TOPICS.topic(flooder, Kind.REQUEST, "f" + i), bytes("{}"), false);
            }
            calm.publish(TOPICS.topic(quiet, Kind.REQUEST, "q"), bytes("{}"), false);
            assertNotNull(backend.next(TOPICS.topic(quiet, Kind.REQUEST, "q"), WAIT), "the quiet player's request gets through");
            assertTrue(loud.isOpen(), "over its share the player is not disconnected");
            // the share at 4 a second is a burst of 20 plus what the seconds of the flood refilled
            Thread.sleep(500);
            int relayed = 0;
            for (int i = 0; i < 100; i++) {
                relayed += backend.count(TOPICS.topic(flooder, Kind.REQUEST, "f" + i));
            }
            assertTrue(relayed >= 20 && relayed < 100, "relayed " + relayed + " of 100");
            assertTrue(Metrics.value(vts.httpPort(), "vts_mqtt_relay_dropped_total{kind=\"request\"}") >= 100 - relayed);
        }
    }

    @Test
    void revokedCertificateIsCutAtOnceAndRefusedAfter() throws Exception {
        String key = UUID.randomUUID().toString();
        String bystander = UUID.randomUUID().toString();
        TestPki.PlayerCertificate certificate = newPlayer(key);
        TestPki.PlayerCertificate bystanderCertificate = newPlayer(bystander);
        try (EspMqttPlayer player = p3a(key, certificate.sockets());
             EspMqttPlayer other = p3a(bystander, bystanderCertificate.sockets())) {
            pki.writeRevocationList(crl, certificate.certificate());
            assertTrue(player.awaitClosed(Duration.ofSeconds(5)), "cut within seconds of the CRL listing it");
            assertTrue(other.isOpen());
            other.ping();
        } finally {
            pki.writeRevocationList(crl);
        }
        // listed again, so the reconnect is refused
        pki.writeRevocationList(crl, certificate.certificate());
        try {
            awaitRefused(5, key, certificate.sockets(), Duration.ofSeconds(5));
        } finally {
            pki.writeRevocationList(crl);
        }
    }

    @Test
    void wrongCertificatesAreRefused() throws Exception {
        String key = UUID.randomUUID().toString();
        String other = UUID.randomUUID().toString();
        newPlayer(key);
        TestPki.PlayerCertificate othersCertificate = newPlayer(other);
        EspMqttPlayer.ConnectRefused mismatch = assertThrows(EspMqttPlayer.ConnectRefused.class,
                () -> p3a(key, othersCertificate.sockets()));
        assertEquals(4, mismatch.returnCode(), "a CN that is not the username");
        // a CA the server does not trust: the TLS handshake fails before MQTT
        IOException foreign = assertThrows(IOException.class, () -> p3a(key, pki.untrustedPlayerSockets(key)));
        assertFalse(foreign instanceof EspMqttPlayer.ConnectRefused, "refused by TLS, not by a CONNACK: " + foreign);
    }

    @Test
    void aPlayerCannotTakeOverAnotherPlayersSession() throws Exception {
        String victim = UUID.randomUUID().toString();
        String intruder = UUID.randomUUID().toString();
        vts.admin.player(victim, OWNER, "secret-" + victim);
        vts.admin.player(intruder, OWNER, "secret-" + intruder);
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), victim, "secret-" + victim, null)) {
            org.eclipse.paho.client.mqttv3.MqttException refused = assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class,
                    () -> Mqtt3Player.connect(vts.mqttUri(), "p3a-" + victim, intruder, "secret-" + intruder, null));
            assertEquals(org.eclipse.paho.client.mqttv3.MqttException.REASON_CODE_INVALID_CLIENT_ID, refused.getReasonCode());
            assertTrue(p.client.isConnected(), "the victim keeps its session");
        }
        // its own key as the beginning of the client id is its own
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), intruder + "-debug", intruder, "secret-" + intruder, null)) {
            assertTrue(p.client.isConnected());
        }
    }

    /** Connects until the CONNACK refuses with {@code returnCode} (the CRL watcher looks once a second). */
    static void awaitRefused(int returnCode, String key, SocketFactory sockets, Duration within) throws Exception {
        long until = System.nanoTime() + within.toNanos();
        while (true) {
            try (EspMqttPlayer ignored = p3a(key, sockets)) {
                if (System.nanoTime() > until) {
                    throw new AssertionError("still let in after " + within);
                }
                TimeUnit.MILLISECONDS.sleep(200);
            } catch (EspMqttPlayer.ConnectRefused refused) {
                assertEquals(returnCode, refused.returnCode());
                return;
            }
        }
    }
}
