package club.makapix.vts.mqtt;

import static club.makapix.vts.mqtt.MqttIngestionTest.now;
import static club.makapix.vts.mqtt.MqttIngestionTest.p3aPayload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.PlayerClient;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestPki;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Players on the TLS listener, as the p3a connects in the field: MQTT 3.1.1, username = player_key,
 * empty password, a client certificate whose CN is the player_key, signed by the configured CA.
 * Players without a certificate may still use TLS with their secret.
 */
class MutualTlsTest {
    static final String ARTIST = "artist-1";
    static final String OWNER = "owner-1";
    static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);
    static TestPki pki;
    static RunningServer vts;
    static int mqttsPort;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki();
        mqttsPort = Ports.free();
        vts = RunningServer.start(TestDatabase.create(), pki.serverSettings(mqttsPort));
        vts.admin.post(123, ARTIST);
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    static String tlsUri() {
        return "ssl://127.0.0.1:" + mqttsPort;
    }

    /** A player registered without a secret: its certificate is its only way in. */
    static String certificateOnlyPlayer() {
        String key = UUID.randomUUID().toString();
        vts.admin.player(key, OWNER, null);
        return key;
    }

    static String playerWithSecret() {
        String key = UUID.randomUUID().toString();
        vts.admin.player(key, OWNER, "secret-" + key);
        return key;
    }

    /** Connects like a p3a (empty password when {@code secret} is null) and expects the CONNACK to refuse it. */
    static void assertRefused(int connackCode, String key, String secret, SocketFactory sockets) {
        MqttException refused = assertThrows(MqttException.class, () -> Mqtt3Player.connect(tlsUri(), key, secret, sockets).close());
        assertEquals(connackCode, refused.getReasonCode(), "refused by the broker, not by TLS: " + refused);
    }

    @Test
    void p3aWithItsCertificateAndAnEmptyPasswordIsStored() throws Exception {
        String key = certificateOnlyPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(tlsUri(), key, null, pki.playerSockets(key)).subscribeAcks()) {
            p.publishView(p3aPayload(key, 123, now(), true));
            assertEquals(Ack.ok(), p.nextAck(10));
        }
        List<Map<String, Object>> rows = vts.db.rows("select post_id, door from view_events where player_key = ?", key);
        assertEquals(List.of(Map.of("post_id", 123L, "door", "mqtt")), rows);
    }

    @Test
    void certificateOfAnotherPlayerIsRefusedEvenWithTheRightSecret() {
        String key = playerWithSecret();
        String other = certificateOnlyPlayer();
        assertRefused(MqttException.REASON_CODE_FAILED_AUTHENTICATION, key, null, pki.playerSockets(other));
        assertRefused(MqttException.REASON_CODE_FAILED_AUTHENTICATION, key, "secret-" + key, pki.playerSockets(other));
    }

    @Test
    void certificateFromAnUntrustedCaFailsTheHandshake() throws Exception {
        String key = certificateOnlyPlayer();
        SSLSocketFactory untrusted = pki.untrustedPlayerSockets(key);
        assertThrows(MqttException.class, () -> Mqtt3Player.connect(tlsUri(), key, null, untrusted).close());
        // the same on a bare socket, which shows it is TLS that says no: with TLS 1.3 the server's alert
        // arrives after the client's side of the handshake (an SSLException on the first read), or the
        // server has already closed while the client still writes its Finished (a broken pipe)
        try (SSLSocket socket = (SSLSocket) untrusted.createSocket("127.0.0.1", mqttsPort)) {
            socket.setSoTimeout(5_000);
            assertThrows(java.io.IOException.class, () -> {
                socket.startHandshake();
                socket.getInputStream().read();
            });
        }
    }

    @Test
    void unregisteredPlayerWithAValidCertificateIsRefused() {
        String key = UUID.randomUUID().toString();
        assertRefused(MqttException.REASON_CODE_NOT_AUTHORIZED, key, null, pki.playerSockets(key));
    }

    @Test
    void revokedPlayerIsDisconnectedAndThenRefused() throws Exception {
        String key = certificateOnlyPlayer();
        try (Mqtt3Player p = Mqtt3Player.connect(tlsUri(), key, null, pki.playerSockets(key))) {
            assertTrue(p.client.isConnected());
            vts.admin.revoke(key);
            assertTrue(p.awaitDisconnected(5), "revoking disconnects the player at once");
        }
        assertRefused(MqttException.REASON_CODE_NOT_AUTHORIZED, key, null, pki.playerSockets(key));
    }

    @Test
    void withoutACertificateTheSecretIsNeeded() throws Exception {
        SocketFactory noCertificate = pki.socketsWithoutCertificate();
        String key = playerWithSecret();
        try (Mqtt3Player p = Mqtt3Player.connect(tlsUri(), key, "secret-" + key, noCertificate).subscribeAcks()) {
            p.publishView(p3aPayload(key, 123, now(), true));
            assertEquals(Ack.ok(), p.nextAck(10));
        }
        assertRefused(MqttException.REASON_CODE_FAILED_AUTHENTICATION, key, null, noCertificate);
        assertRefused(MqttException.REASON_CODE_FAILED_AUTHENTICATION, key, "wrong-secret", noCertificate);
        // a player registered without a secret cannot get in without its certificate
        assertRefused(MqttException.REASON_CODE_FAILED_AUTHENTICATION, certificateOnlyPlayer(), null, noCertificate);
    }

    @Test
    void mqtt5ClientWithACertificateIsStoredToo() throws Exception {
        String key = certificateOnlyPlayer();
        ViewEvent view = new ViewEvent(123, Instant.now().truncatedTo(ChronoUnit.SECONDS), "", Intent.ARTWORK, 0, "artwork",
                key, null, null, false, null, null, null, null);
        try (PlayerClient p = PlayerClient.connect(tlsUri(), TOPICS, key, null, pki.playerSockets(key))) {
            assertEquals(0x00, p.publishView(view).get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, vts.db.count("select count(*) from view_events where player_key = ? and door = 'mqtt'", key));
    }
}
