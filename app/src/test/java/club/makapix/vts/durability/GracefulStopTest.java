package club.makapix.vts.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.ServerProcess;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (Ctrl-C, a service manager's stop) while players stream, on the embedded database: the
 * server stops its doors, writes what it queued, and only then stops its PostgreSQL. Until the
 * embedded database's own shutdown hook was disarmed, it stopped PostgreSQL at the same moment, and
 * the writer's last batches failed against a database going away.
 */
class GracefulStopTest {
    static final long POST = 601;
    static final String ADMIN_TOKEN = "graceful-stop-admin-token";

    @Test
    @Timeout(180)
    void sigtermWritesWhatWasQueuedBeforeTheEmbeddedDatabaseStops(@TempDir Path dataDir) throws Exception {
        int httpPort = Ports.free();
        int mqttPort = Ports.free();
        Map<String, String> settings = TestSettings.streaming(null, dataDir, httpPort, mqttPort, ADMIN_TOKEN);
        Path logs = Path.of("target", "graceful-stop");

        List<StreamingPlayer> players = new ArrayList<>();
        ServerProcess server = ServerProcess.start(settings, logs.resolve("server.log"));
        try {
            server.awaitReady(Duration.ofSeconds(120));
            ProcessHandle postgres = postmaster(dataDir).orElseThrow(() -> new AssertionError("no embedded PostgreSQL running"));
            Admin admin = new Admin(httpPort, ADMIN_TOKEN);
            admin.post(POST, "artist-stop");
            players.addAll(StreamingPlayer.register(admin, "tcp://127.0.0.1:" + mqttPort, 6, "owner-stop", POST, 1));
            players.forEach(StreamingPlayer::start);
            Eventually.until(Duration.ofSeconds(30), () -> CrashRecoveryTest.acked(players).size() >= 1_000,
                    () -> "1,000 acknowledged events before the stop; have " + CrashRecoveryTest.acked(players).size());

            int exit = server.terminate(Duration.ofSeconds(60));
            players.forEach(StreamingPlayer::stopNewEvents);
            Set<UUID> acked = CrashRecoveryTest.acked(players);
            String log = server.logText();
            assertTrue(log.contains("VTS is stopping"), "SIGTERM runs the server's stop; log:\n" + log);
            String stopping = log.substring(log.indexOf("VTS is stopping"));

            assertEquals(143, exit, "a JVM ends with 128 + SIGTERM after its shutdown hooks; log:\n" + log);
            assertTrue(stopping.contains("VTS stopped"), "the server's stop ran to its end; log:\n" + stopping);
            assertFalse(stopping.contains("WARN") || stopping.contains("ERROR"),
                    "nothing may fail on the way out (a write against a database going away, say); log:\n" + stopping);
            assertTrue(stopping.indexOf("Stopping the embedded PostgreSQL") > 0, "the server stops its own database; log:\n" + stopping);
            Eventually.until(Duration.ofSeconds(10), () -> !postgres.isAlive(), () -> "the embedded PostgreSQL was left running");

            server = ServerProcess.start(settings, logs.resolve("server-after-restart.log"));
            server.awaitReady(Duration.ofSeconds(120));
            Set<UUID> stored = storedKeys(dataDir);
            Set<UUID> sent = new HashSet<>();
            players.forEach(p -> sent.addAll(p.sent()));
            assertTrue(stored.containsAll(acked), CrashRecoveryTest.missing(acked, stored) + " acknowledged but not stored");
            assertTrue(sent.containsAll(stored), "only what was sent is stored");
        } finally {
            for (StreamingPlayer p : players) {
                p.close();
            }
            server.close();
        }
    }

    /** The embedded PostgreSQL of this data folder, from its {@code postmaster.pid}. */
    static Optional<ProcessHandle> postmaster(Path dataDir) throws Exception {
        Path pidFile = dataDir.resolve("postgres").resolve("postmaster.pid");
        return Files.exists(pidFile) ? ProcessHandle.of(Long.parseLong(Files.readAllLines(pidFile).get(0).trim())) : Optional.empty();
    }

    /** Every stored event key, read from the embedded PostgreSQL of a running server. */
    static Set<UUID> storedKeys(Path dataDir) {
        Set<UUID> keys = new HashSet<>();
        for (Map<String, Object> row : TestDatabase.embeddedIn(dataDir).rows("select event_key from view_events")) {
            assertTrue(keys.add((UUID) row.get("event_key")), "an event was stored twice");
        }
        return keys;
    }
}
