package club.makapix.vts.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.StartFailure;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestPki;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Settings as contract §3 describes them: working defaults, and one clear line for each bad one. */
class SettingsTest {
    @TempDir
    static Path temp;

    @Test
    void everySettingHasTheContractsDefault() {
        Settings s = Settings.from(Map.of());
        assertEquals(8080, s.listen().httpPort());
        assertEquals(1883, s.listen().mqttPort());
        assertEquals(8883, s.listen().mqttsPort());
        assertNull(s.mqtt().tls(), "TLS only when a key store is configured");
        assertEquals("makapix/player", s.mqtt().topicPrefix());
        assertTrue(s.storage().embeddedDatabase());
        assertNull(s.storage().redisUrl(), "no Redis: state held in process");
        assertEquals(Path.of("./data").toAbsolutePath().normalize(), s.storage().dataDir());
        assertNull(s.adminToken(), "made once and kept under the data dir");
        assertNull(s.ingest().ipHashKey(), "made once and kept under the data dir");
        assertEquals(Duration.ofSeconds(5), s.ingest().playerRateLimit());
        assertEquals(Set.of("admin"), s.web().jwtAdminRoles());
        assertNull(s.mqtt().service(), "no service account");
        assertEquals(10, s.mqtt().limits().relayPerSecond());
    }

    @Test
    void serviceAccountAndRevocationListAreRead() {
        Settings s = Settings.from(Map.of("VTS_MQTT_SERVICE_USER", "svc_backend", "VTS_MQTT_SERVICE_PASSWORD", "a-long-password",
                "VTS_MQTT_TLS_KEYSTORE", keyStoreFile(), "VTS_MQTT_TLS_TRUSTSTORE", keyStoreFile(), "VTS_MQTT_TLS_CRL", keyStoreFile()));
        assertEquals(new Settings.MqttServiceAccount("svc_backend", "a-long-password"), s.mqtt().service());
        assertEquals(Path.of(keyStoreFile()), s.mqtt().tls().revocationList());
    }

    @Test
    void jwtAdminRolesAreACommaSeparatedList() {
        assertEquals(Set.of("moderator", "owner"), Settings.from(Map.of("VTS_JWT_ADMIN_ROLES", "moderator, owner")).web().jwtAdminRoles());
    }

    static Stream<Arguments> badSettings() {
        return Stream.of(
                bad("VTS_DB_URL", "postgres://db.example/vts"),
                bad("VTS_DB_URL", "jdbc:mysql://db.example/vts"),
                bad("VTS_HTTP_PORT", "http"),
                bad("VTS_HTTP_PORT", "65536"),
                bad("VTS_HTTP_PORT", "-1"),
                bad("VTS_MQTT_PORT", "1883.5"),
                bad("VTS_MQTTS_PORT", "99999"),
                bad("VTS_REDIS_URL", "localhost:6379"),
                bad("VTS_REDIS_URL", "http://127.0.0.1:6379"),
                bad("VTS_REDIS_URL", "redis://"),
                bad("VTS_REDIS_URL", "redis://bad host:6379"),
                bad("VTS_MQTT_TLS_KEYSTORE", "/nonexistent/vts/keystore.p12"),
                bad("VTS_MQTT_TLS_KEYSTORE", temp.toString()), // a folder, not a key store file
                Arguments.of(Map.of("VTS_MQTT_TLS_KEYSTORE", keyStoreFile(), "VTS_MQTT_TLS_TRUSTSTORE", "/nonexistent/trust.p12"),
                        "VTS_MQTT_TLS_TRUSTSTORE"),
                bad("VTS_MQTT_TLS_TRUSTSTORE", keyStoreFile()), // without a key store
                bad("VTS_MQTT_TOPIC_PREFIX", "makapix/player/"),
                bad("VTS_MQTT_TOPIC_PREFIX", "makapix/#"),
                bad("VTS_BIND_ADDRESS", "no-such-host.invalid"),
                bad("VTS_ADMIN_TOKEN", "short"),
                bad("VTS_IP_HASH_KEY", "0123456789abcde"),
                bad("VTS_PLAYER_RATE_LIMIT_MS", "-5"),
                bad("VTS_DEDUPE_WINDOW_S", "0"),
                bad("VTS_PUBACK_TIMEOUT_MS", "soon"),
                bad("VTS_WRITE_BATCH_MAX", "0"),
                bad("VTS_WRITERS", "1000"),
                bad("VTS_JWT_ADMIN_ROLES", "admin,,owner"),
                bad("VTS_JWT_ADMIN_ROLES", "owner,"),
                Arguments.of(Map.of("VTS_MQTT_SERVICE_PASSWORD", "a-long-password"), "VTS_MQTT_SERVICE_USER"),
                Arguments.of(Map.of("VTS_MQTT_SERVICE_USER", "svc_backend"), "VTS_MQTT_SERVICE_PASSWORD"),
                Arguments.of(Map.of("VTS_MQTT_SERVICE_USER", "svc_backend", "VTS_MQTT_SERVICE_PASSWORD", "short"),
                        "VTS_MQTT_SERVICE_PASSWORD"),
                Arguments.of(Map.of("VTS_MQTT_SERVICE_USER", "p3a-backend", "VTS_MQTT_SERVICE_PASSWORD", "a-long-password"),
                        "VTS_MQTT_SERVICE_USER"),
                bad("VTS_MQTT_TLS_CRL", keyStoreFile()), // without a key store
                Arguments.of(Map.of("VTS_MQTT_TLS_KEYSTORE", keyStoreFile(), "VTS_MQTT_TLS_CRL", keyStoreFile()),
                        "VTS_MQTT_TLS_CRL"), // without a trust store: no CA whose list it could be
                Arguments.of(Map.of("VTS_MQTT_TLS_KEYSTORE", keyStoreFile(), "VTS_MQTT_TLS_TRUSTSTORE", keyStoreFile(),
                        "VTS_MQTT_TLS_CRL", "/nonexistent/crl.pem"), "VTS_MQTT_TLS_CRL"),
                bad("VTS_MQTT_PLAYER_RELAY_PER_S", "0"));
    }

    static Arguments bad(String name, String value) {
        return Arguments.of(Map.of(name, value), name);
    }

    static String keyStoreFile() {
        try {
            Path file = temp.resolve("keystore.p12");
            if (!Files.exists(file)) {
                Files.write(file, new byte[] {1, 2, 3});
            }
            return file.toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSettings")
    void badSettingStopsWithOneLineNamingIt(Map<String, String> values, String setting) {
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> Settings.from(values));
        assertOneLineNaming(setting, e);
    }

    @Test
    void unreadableConfigFileIsNamed() {
        InvalidSettingException e = assertThrows(InvalidSettingException.class,
                () -> SettingsSource.merge(Map.of("VTS_CONFIG_FILE", "/nonexistent/vts.properties")));
        assertOneLineNaming("VTS_CONFIG_FILE", e);
    }

    @Test
    void configFileIsReadAndTheEnvironmentWins() throws IOException {
        Path file = temp.resolve("vts.properties");
        Files.writeString(file, "VTS_HTTP_PORT=9090\nVTS_MQTT_PORT=1999\n");
        Settings s = Settings.from(SettingsSource.merge(Map.of("VTS_CONFIG_FILE", file.toString(), "VTS_MQTT_PORT", "2000")));
        assertEquals(9090, s.listen().httpPort());
        assertEquals(2000, s.listen().mqttPort());
    }

    @Test
    void dataDirThatCannotBeMadeIsNamed() throws IOException {
        Path file = Files.writeString(temp.resolve("a-file"), "not a folder");
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> new DataDir(file.resolve("data")));
        assertOneLineNaming("VTS_DATA_DIR", e);
    }

    @Test
    void aSecondServerOnTheSameDataDirIsRefusedAndTheFirstKeepsServing() throws Exception {
        Path dataDir = Files.createTempDirectory("vts-shared-data");
        try (RunningServer first = RunningServer.startEmbedded(dataDir)) {
            InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> RunningServer.startEmbedded(dataDir).close());
            assertOneLineNaming("VTS_DATA_DIR", e);
            // the second used to take the first's embedded PostgreSQL for an orphan and stop it
            assertEquals(200, Admin.get(first.httpPort(), "/health/ready").statusCode());
            first.admin.post(7, "artist-7");
        }
        // once the first has stopped, the folder is free again
        try (RunningServer again = RunningServer.startEmbedded(dataDir)) {
            assertEquals(200, Admin.get(again.httpPort(), "/health/ready").statusCode());
        }
    }

    @Test
    void revocationListThatIsNotOneStopsTheStart() throws Exception {
        TestPki pki = new TestPki();
        Path garbled = Files.writeString(temp.resolve("garbled-crl.pem"), "-----BEGIN X509 CRL-----\nnot base64\n-----END X509 CRL-----\n");
        int mqttPort = Ports.free();
        Map<String, String> settings = new HashMap<>(pki.serverSettings(Ports.free()));
        settings.put("VTS_MQTT_PORT", Integer.toString(mqttPort));
        settings.put("VTS_MQTT_TLS_CRL", garbled.toString());
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> RunningServer.start(TestDatabase.create(), settings));
        assertOneLineNaming("VTS_MQTT_TLS_CRL", e);
        try (ServerSocket again = new ServerSocket(mqttPort, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(mqttPort, again.getLocalPort(), "the MQTT port was never taken");
        }
    }

    @Test
    void redisThatDoesNotAnswerStopsTheStartAndNothingStaysUp() throws Exception {
        int mqttPort = Ports.free();
        long redisThreadsBefore = redisClientThreads();
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> RunningServer.start(TestDatabase.create(),
                Map.of("VTS_REDIS_URL", "redis://127.0.0.1:" + Ports.free(), "VTS_MQTT_PORT", Integer.toString(mqttPort))));
        assertOneLineNaming("VTS_REDIS_URL", e);
        try (ServerSocket again = new ServerSocket(mqttPort, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(mqttPort, again.getLocalPort(), "the MQTT port was released");
        }
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (redisClientThreads() > redisThreadsBefore && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertEquals(redisThreadsBefore, redisClientThreads(), "the Redis client's threads were stopped");
    }

    @Test
    void aDatabaseThatDoesNotAnswerIsAwaitedForVtsDbWaitSThenNamed() {
        long started = System.nanoTime();
        // not a bad setting (exit 2, never retried) but a failure that may pass (exit 1: a supervisor retries)
        StartFailure e = assertThrows(StartFailure.class, () -> RunningServer.start(null,
                Map.of("VTS_DB_URL", "jdbc:postgresql://127.0.0.1:" + Ports.free() + "/vts", "VTS_DB_WAIT_S", "3")));
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(e.getMessage().startsWith("VTS_DB_URL: the database did not answer within VTS_DB_WAIT_S (3 s)"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(took.compareTo(Duration.ofSeconds(3)) >= 0, "waited the 3 s it was told to: " + took);
        assertTrue(took.compareTo(Duration.ofSeconds(20)) < 0, "and not much longer: " + took);
    }

    @Test
    void aDatabaseThatRefusesForGoodIsNamedWithoutWaiting() {
        TestDatabase db = TestDatabase.create();
        long started = System.nanoTime();
        InvalidSettingException e = assertThrows(InvalidSettingException.class, () -> RunningServer.start(null,
                Map.of("VTS_DB_URL", "jdbc:postgresql://" + db.host() + ":" + db.port() + "/no_such_database",
                        "VTS_DB_USER", db.user, "VTS_DB_WAIT_S", "120")));
        assertOneLineNaming("VTS_DB_URL", e);
        assertTrue(e.getMessage().contains("no_such_database"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - started).compareTo(Duration.ofSeconds(30)) < 0, "no wait for what waiting cannot fix");
    }

    static long redisClientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("lettuce-")).count();
    }

    static void assertOneLineNaming(String setting, InvalidSettingException e) {
        assertTrue(e.getMessage().startsWith(setting + ": "), "names " + setting + ": " + e.getMessage());
        assertFalse(e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }

    /** The real start: a separate JVM, as scripts/run starts it, with its HTTP port taken. */
    @Test
    void portInUseStopsTheProcessQuicklyWithExitCode2AndALineNamingThePort() throws Exception {
        Path classes = Path.of("target", "classes");
        Path runtimeClasspath = Path.of("target", "runtime-classpath.txt");
        assertTrue(Files.isDirectory(classes) && Files.isReadable(runtimeClasspath),
                "needs the built app (target/classes and target/runtime-classpath.txt)");
        Path dataDir = temp.resolve("process-data");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", classes + java.io.File.pathSeparator + Files.readString(runtimeClasspath).trim(),
                    "club.makapix.vts.Main");
            Map<String, String> env = pb.environment();
            env.keySet().removeIf(k -> k.startsWith("VTS_"));
            env.putAll(Map.of(
                    "VTS_BIND_ADDRESS", "127.0.0.1",
                    "VTS_HTTP_PORT", Integer.toString(taken.getLocalPort()),
                    "VTS_MQTT_PORT", Integer.toString(Ports.free()),
                    "VTS_DATA_DIR", dataDir.toString()));
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            long started = System.nanoTime();
            Process vts = pb.start();
            byte[] stderr = vts.getErrorStream().readAllBytes(); // until the process closes it
            assertTrue(vts.waitFor(30, TimeUnit.SECONDS), "the process ended");
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            List<String> lines = new String(stderr, StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
            assertEquals(2, vts.exitValue(), "exit code for a bad setting; stderr: " + lines);
            String last = lines.get(lines.size() - 1);
            assertTrue(last.startsWith("vts: cannot start: VTS_HTTP_PORT: "), last);
            assertTrue(took.compareTo(Duration.ofSeconds(15)) < 0, "stopped quickly, took " + took);
            assertFalse(Files.exists(dataDir.resolve("postgres")), "nothing half-started (no database was started)");
        }
    }

    @Test
    void embeddedDefaultsKeepTheAdminTokenAndDataAcrossRestarts() throws Exception {
        Path dataDir = temp.resolve("embedded-data");
        String token;
        try (RunningServer first = RunningServer.startEmbedded(dataDir)) {
            token = first.server.adminToken();
            assertEquals(201, putPost(first).statusCode());
        }
        try (RunningServer second = RunningServer.startEmbedded(dataDir)) {
            assertEquals(token, second.server.adminToken(), "the admin token is kept under the data dir");
            HttpResponse<String> again = putPost(second);
            assertEquals(200, again.statusCode(), "the post survived the restart: " + again.body());
        }
    }

    static HttpResponse<String> putPost(RunningServer vts) {
        return vts.admin.send("PUT", "/v1/admin/posts/77", "{\"artist_id\":\"artist-7\"}");
    }
}
