package club.makapix.vts.support;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import club.makapix.vts.support.EspMqttPlayer.ConnectRefused;
import club.makapix.vts.support.EspMqttPlayer.Message;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The esp-mqtt player against the exact bytes esp-mqtt writes, and against a real MQTT 3.1 broker (Mosquitto). */
class EspMqttPlayerTest {
    static final Path MOSQUITTO = Path.of("/usr/sbin/mosquitto");
    static final SocketFactory PLAIN = SocketFactory.getDefault();
    static final Duration WAIT = Duration.ofSeconds(5);
    static final String KEY = "7d3f9a52-0c1e-4b8a-9f6d-2e5c8b1a4f03";

    @TempDir
    static Path mosquittoDir;
    static Process mosquitto;
    static int mosquittoPort;

    @BeforeAll
    static void startMosquitto() throws Exception {
        if (!Files.isExecutable(MOSQUITTO)) {
            return; // the broker tests skip themselves; the byte-level ones need no broker
        }
        mosquittoPort = Ports.free();
        Path config = mosquittoDir.resolve("mosquitto.conf");
        Files.writeString(config, "listener " + mosquittoPort + " 127.0.0.1\nallow_anonymous true\n");
        mosquitto = new ProcessBuilder(MOSQUITTO.toString(), "-c", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(mosquittoDir.resolve("mosquitto.log").toFile())
                .start();
        Eventually.until(WAIT, () -> accepts(mosquittoPort),
                () -> "Mosquitto listening on " + mosquittoPort + " (see its log in " + mosquittoDir + ")");
    }

    @AfterAll
    static void stopMosquitto() throws InterruptedException {
        if (mosquitto != null) {
            mosquitto.destroy();
            mosquitto.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void connectIsEspMqttsMqtt31ConnectByteForByte() throws Exception {
        try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> firstPacket = CompletableFuture.supplyAsync(() -> answerConnack(broker, 5));

            ConnectRefused refused = assertThrows(ConnectRefused.class,
                    () -> EspMqttPlayer.connect(PLAIN, "127.0.0.1", broker.getLocalPort(), KEY));
            assertEquals(5, refused.returnCode());

            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(bytes(0x10, 0xE2, 0x01)); // CONNECT; remaining length 226 = 0x62 + 1 * 128
            expected.writeBytes(bytes(0, 6));
            expected.writeBytes(ascii("MQIsdp"));
            expected.writeBytes(bytes(3));          // MQTT 3.1
            expected.writeBytes(bytes(0b1000_1110)); // user name, will QoS 1, will, clean session; no password, no will retain
            expected.writeBytes(bytes(0, 60));      // keepalive
            expected.writeBytes(bytes(0, 40));
            expected.writeBytes(ascii("p3a-" + KEY));
            expected.writeBytes(bytes(0, 58));
            expected.writeBytes(ascii("makapix/player/" + KEY + "/status"));
            expected.writeBytes(bytes(0, 72));
            expected.writeBytes(ascii("{\"player_key\":\"" + KEY + "\",\"status\":\"offline\"}"));
            expected.writeBytes(bytes(0, 36));
            expected.writeBytes(ascii(KEY));
            HexFormat hex = HexFormat.of();
            assertEquals(hex.formatHex(expected.toByteArray()), hex.formatHex(firstPacket.get(5, TimeUnit.SECONDS)));
        }
    }

    @Test
    void aConnectionClosedBeforeTheConnackIsAnIoErrorNotARefusal() throws Exception {
        try (ServerSocket broker = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture.runAsync(() -> answerConnack(broker, -1));

            IOException error = assertThrows(IOException.class,
                    () -> EspMqttPlayer.connect(PLAIN, "127.0.0.1", broker.getLocalPort(), KEY));
            assertFalse(error instanceof ConnectRefused, error.toString());
        }
    }

    @Test
    void overMutualTlsItPresentsItsCertificateAndCutsWhileItsReaderWaits() throws Exception {
        TestPki pki = new TestPki();
        try (SSLServerSocket broker = mutualTlsListener(pki)) {
            CompletableFuture<String> playerCommonName = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket client = (SSLSocket) broker.accept()) {
                    readPacket(client.getInputStream());
                    client.getOutputStream().write(bytes(0x20, 2, 0, 0));
                    int afterCut = client.getInputStream().read();
                    if (afterCut != -1) {
                        throw new IllegalStateException("expected the player to drop the connection, got byte " + afterCut);
                    }
                    return client.getSession().getPeerPrincipal().getName();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            EspMqttPlayer player = EspMqttPlayer.connect(pki.playerSockets(KEY), "127.0.0.1", broker.getLocalPort(), KEY);
            assertTrue(player.isOpen());

            player.cut();

            assertTrue(player.awaitClosed(WAIT));
            assertEquals("CN=" + KEY, playerCommonName.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void subscriptionIsGrantedQos1AndPublishesComeBack() throws Exception {
        String key = UUID.randomUUID().toString();
        String command = "makapix/player/" + key + "/command";
        try (EspMqttPlayer player = connectToMosquitto(key)) {
            assertEquals(1, player.subscribe(command));

            player.publish(command, ascii("at least once"), false);
            Message atLeastOnce = player.next(command, WAIT);
            assertNotNull(atLeastOnce, "the QoS 1 publish came back");
            assertEquals("at least once", atLeastOnce.text());
            assertEquals(1, atLeastOnce.qos());
            assertFalse(atLeastOnce.retain());

            player.publishQos0(command, ascii("at most once"), false);
            Message atMostOnce = player.next(command, WAIT);
            assertNotNull(atMostOnce, "the QoS 0 publish came back");
            assertEquals("at most once", atMostOnce.text());
            assertEquals(0, atMostOnce.qos());

            player.ping();
            assertTrue(player.isOpen());
        }
    }

    @Test
    void aRetainedPublishReachesALaterSubscriberAsRetained() throws Exception {
        String key = UUID.randomUUID().toString();
        String capabilities = "makapix/player/" + key + "/capabilities";
        try (EspMqttPlayer player = connectToMosquitto(key)) {
            player.publish(capabilities, ascii("{\"display\":\"720x720\"}"), true);
        }
        try (EspMqttPlayer later = connectToMosquitto(UUID.randomUUID().toString())) {
            assertEquals(1, later.subscribe(capabilities));
            Message retained = later.next(capabilities, WAIT);
            assertNotNull(retained, "the retained message was delivered on subscribing");
            assertEquals("{\"display\":\"720x720\"}", retained.text());
            assertTrue(retained.retain());
        }
    }

    @Test
    void aCutConnectionMakesTheBrokerPublishTheWill() throws Exception {
        String key = UUID.randomUUID().toString();
        String status = "makapix/player/" + key + "/status";
        try (EspMqttPlayer watcher = connectToMosquitto(UUID.randomUUID().toString());
                EspMqttPlayer player = connectToMosquitto(key)) {
            assertEquals(1, watcher.subscribe(status));

            player.cut();

            assertTrue(player.awaitClosed(WAIT));
            Message will = watcher.next(status, WAIT);
            assertNotNull(will, "the broker published the last will");
            assertEquals("{\"player_key\":\"" + key + "\",\"status\":\"offline\"}", will.text());
            assertEquals(1, will.qos());
            assertFalse(will.retain());
        }
    }

    @Test
    void aDisconnectLeavesWithoutTheWill() throws Exception {
        String key = UUID.randomUUID().toString();
        String status = "makapix/player/" + key + "/status";
        try (EspMqttPlayer watcher = connectToMosquitto(UUID.randomUUID().toString());
                EspMqttPlayer player = connectToMosquitto(key)) {
            assertEquals(1, watcher.subscribe(status));

            player.disconnect();

            assertFalse(player.isOpen());
            assertNull(watcher.next(status, Duration.ofSeconds(1)), "no will after a DISCONNECT");
        }
    }

    @Test
    void aConnectionTheBrokerClosesIsSeenClosed() throws Exception {
        String key = UUID.randomUUID().toString();
        try (EspMqttPlayer first = connectToMosquitto(key)) {
            // the same client id again: the broker takes the session over and closes the first connection
            try (EspMqttPlayer second = connectToMosquitto(key)) {
                assertTrue(first.awaitClosed(WAIT));
                assertFalse(first.isOpen());
                assertTrue(second.isOpen());
            }
        }
    }

    static EspMqttPlayer connectToMosquitto(String key) throws IOException {
        assumeTrue(mosquitto != null, "no " + MOSQUITTO + " here (apt-get install mosquitto)");
        return EspMqttPlayer.connect(PLAIN, "127.0.0.1", mosquittoPort, key);
    }

    /** Accepts one connection, reads its first packet, answers CONNACK {@code returnCode} (none if negative), closes. */
    static byte[] answerConnack(ServerSocket broker, int returnCode) {
        try (Socket client = broker.accept()) {
            byte[] packet = readPacket(client.getInputStream());
            if (returnCode >= 0) {
                client.getOutputStream().write(bytes(0x20, 2, 0, returnCode));
            }
            return packet;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One whole packet: fixed header, remaining length (variable-length encoded) and that many bytes. */
    static byte[] readPacket(InputStream stream) throws IOException {
        DataInputStream in = new DataInputStream(stream);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(in.readUnsignedByte());
        int remaining = 0;
        int digit;
        int shift = 0;
        do {
            digit = in.readUnsignedByte();
            packet.write(digit);
            remaining |= (digit & 0x7F) << shift;
            shift += 7;
        } while ((digit & 0x80) != 0);
        packet.writeBytes(in.readNBytes(remaining));
        return packet.toByteArray();
    }

    static SSLServerSocket mutualTlsListener(TestPki pki) throws Exception {
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(KeyStore.getInstance(pki.serverKeyStore.toFile(), TestPki.PASSWORD.toCharArray()), TestPki.PASSWORD.toCharArray());
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(KeyStore.getInstance(pki.trustStore.toFile(), TestPki.PASSWORD.toCharArray()));
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), trust.getTrustManagers(), null);
        SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress());
        listener.setNeedClientAuth(true);
        return listener;
    }

    static boolean accepts(int port) {
        try {
            new Socket("127.0.0.1", port).close();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static byte[] bytes(int... values) {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        return bytes;
    }

    static byte[] ascii(String text) {
        return text.getBytes(US_ASCII);
    }
}
