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
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract §1: "An acknowledged event is never lost, not even by kill -9." The server runs as its own
 * process; players stream views; the process is SIGKILLed mid-stream and started again on the same
 * ports and database; the players reconnect and resend what was not acknowledged.
 */
class CrashRecoveryTest {
    static final int PLAYERS = 6;
    static final long POST = 501;
    static final String ADMIN_TOKEN = "crash-recovery-admin-token";

    @Test
    @Timeout(120)
    void acknowledgedEventsSurviveKillNineAndResentOnesAreStoredOnce() throws Exception {
        TestDatabase db = TestDatabase.create();
        int httpPort = Ports.free();
        int mqttPort = Ports.free();
        Map<String, String> settings = TestSettings.streaming(db, Files.createTempDirectory("vts-crash-data"), httpPort, mqttPort,
                ADMIN_TOKEN);
        Path logs = Path.of("target", "crash-recovery");

        List<StreamingPlayer> players = new ArrayList<>();
        ServerProcess server = ServerProcess.start(settings, logs.resolve("server-before-kill.log"));
        try {
            server.awaitReady(Duration.ofSeconds(60));
            Admin admin = new Admin(httpPort, ADMIN_TOKEN);
            admin.post(POST, "artist-crash");
            players.addAll(StreamingPlayer.register(admin, "tcp://127.0.0.1:" + mqttPort, PLAYERS, "owner-crash", POST, 3));
            players.forEach(StreamingPlayer::start);

            Eventually.until(Duration.ofSeconds(30), () -> acked(players).size() >= 500,
                    () -> "500 acknowledged events before the crash; have " + acked(players).size());
            server.kill();
            Set<UUID> ackedBeforeKill = acked(players);
            Set<UUID> unackedAtKill = unacked(players);

            server = ServerProcess.start(settings, logs.resolve("server-after-kill.log"));
            server.awaitReady(Duration.ofSeconds(60));
            // the players reconnect and resend by themselves; let them stream on for a moment
            Eventually.until(Duration.ofSeconds(30), () -> players.stream().allMatch(p -> p.connections() >= 2),
                    () -> "every player reconnected after the restart");
            Thread.sleep(1_000);
            players.forEach(StreamingPlayer::stopNewEvents);
            Eventually.until(Duration.ofSeconds(30), () -> unacked(players).isEmpty(),
                    () -> unacked(players).size() + " events still not acknowledged after the restart");

            assertStoredExactlyOnce(db, players, ackedBeforeKill, unackedAtKill);
        } finally {
            for (StreamingPlayer p : players) {
                p.close();
            }
            server.close();
        }
    }

    /**
     * Acknowledged against stored, after a kill and the players' resends: nothing refused, the kill
     * hit events in flight, every event acknowledged before it and every one in flight at it stored,
     * each once, and what is stored is exactly what was sent.
     */
    static void assertStoredExactlyOnce(TestDatabase db, List<StreamingPlayer> players, Set<UUID> ackedBeforeKill,
                                        Set<UUID> unackedAtKill) {
        Set<UUID> sent = new HashSet<>();
        players.forEach(p -> sent.addAll(p.sent()));
        players.forEach(p -> assertEquals(Map.of(), p.refused(), "no event may be refused"));
        assertFalse(unackedAtKill.isEmpty(), "the kill must hit events in flight, or nothing was tested");

        List<UUID> stored = db.rows("select event_key from view_events").stream()
                .map(row -> (UUID) row.get("event_key")).toList();
        Set<UUID> storedOnce = new HashSet<>(stored);
        assertEquals(storedOnce.size(), stored.size(), "an event was stored twice");
        assertEquals(db.count("select count(*) from event_keys"), stored.size(), "event_keys and view_events disagree");
        assertTrue(storedOnce.containsAll(ackedBeforeKill), missing(ackedBeforeKill, storedOnce) + " acknowledged before the kill but lost");
        assertTrue(storedOnce.containsAll(unackedAtKill), missing(unackedAtKill, storedOnce) + " resent after the kill but not stored");
        assertEquals(sent, storedOnce, "what is stored must be exactly what was sent");
    }

    static Set<UUID> acked(List<StreamingPlayer> players) {
        Set<UUID> all = new HashSet<>();
        players.forEach(p -> all.addAll(p.ackedAt().keySet()));
        return all;
    }

    static Set<UUID> unacked(List<StreamingPlayer> players) {
        Set<UUID> all = new HashSet<>();
        players.forEach(p -> all.addAll(p.unacked()));
        return all;
    }

    static String missing(Set<UUID> expected, Set<UUID> stored) {
        Set<UUID> lost = new HashSet<>(expected);
        lost.removeAll(stored);
        return lost.size() + " events";
    }
}
