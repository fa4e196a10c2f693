package club.makapix.vts.durability;

import static club.makapix.vts.durability.CrashRecoveryTest.acked;
import static club.makapix.vts.durability.CrashRecoveryTest.unacked;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.ServerProcess;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestRedis;
import club.makapix.vts.support.TestSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16: two nodes on one PostgreSQL and one Redis, players streaming to both; node A is killed
 * with {@code kill -9}; its players reconnect to node B and resend what A had not acknowledged. Every
 * event is stored exactly once, every acknowledged one included.
 */
class TwoNodeCrashTest {
    static final int PLAYERS_PER_NODE = 3;
    static final long POST = 601;
    static final String ADMIN_TOKEN = "two-node-crash-admin-token";

    record Node(Map<String, String> settings, int httpPort, String mqttUri) {}

    static Node node(TestDatabase db, TestRedis redis, String name) throws Exception {
        int httpPort = Ports.free();
        int mqttPort = Ports.free();
        Map<String, String> settings = TestSettings.streaming(db, Files.createTempDirectory("vts-two-node-" + name), httpPort,
                mqttPort, ADMIN_TOKEN);
        settings.put("VTS_REDIS_URL", redis.url());
        settings.put("VTS_IP_HASH_KEY", "the-same-ip-hash-key-on-every-node");
        return new Node(settings, httpPort, "tcp://127.0.0.1:" + mqttPort);
    }

    @Test
    @Timeout(180)
    void aNodeKilledMidStreamLosesAndDoublesNothingOnceItsPlayersMoveToTheOther() throws Exception {
        TestDatabase db = TestDatabase.create();
        Path logs = Path.of("target", "two-node-crash");
        List<StreamingPlayer> players = new ArrayList<>();
        try (TestRedis redis = TestRedis.create()) {
            Node a = node(db, redis, "a");
            Node b = node(db, redis, "b");
            ServerProcess nodeA = ServerProcess.start(a.settings(), logs.resolve("node-a.log"));
            ServerProcess nodeB = ServerProcess.start(b.settings(), logs.resolve("node-b.log"));
            try {
                nodeA.awaitReady(Duration.ofSeconds(60));
                nodeB.awaitReady(Duration.ofSeconds(60));
                Admin admin = new Admin(a.httpPort(), ADMIN_TOKEN);
                admin.post(POST, "artist-crash");
                List<StreamingPlayer> onA = StreamingPlayer.register(admin, List.of(a.mqttUri(), b.mqttUri()), PLAYERS_PER_NODE,
                        "owner-crash", List.of(POST), 3, true);
                List<StreamingPlayer> onB = StreamingPlayer.register(admin, List.of(b.mqttUri(), a.mqttUri()), PLAYERS_PER_NODE,
                        "owner-crash", List.of(POST), 3, true);
                players.addAll(onA);
                players.addAll(onB);
                players.forEach(StreamingPlayer::start);

                Eventually.until(Duration.ofSeconds(30), () -> acked(onA).size() >= 300 && acked(onB).size() >= 300,
                        () -> "300 acknowledged events on each node before the kill; have " + acked(onA).size() + " and "
                                + acked(onB).size());
                nodeA.kill();
                Set<UUID> ackedBeforeKill = acked(players);
                Set<UUID> unackedAtKill = unacked(onA);

                // A's players reconnect to B by themselves and resend; let everyone stream on for a moment
                Eventually.until(Duration.ofSeconds(30), () -> onA.stream().allMatch(p -> p.connections() >= 2),
                        () -> "every player of A reconnected to B: " + onA);
                Thread.sleep(1_000);
                players.forEach(StreamingPlayer::stopNewEvents);
                Eventually.until(Duration.ofSeconds(30), () -> unacked(players).isEmpty(),
                        () -> unacked(players).size() + " events still not acknowledged after the move");

                CrashRecoveryTest.assertStoredExactlyOnce(db, players, ackedBeforeKill, unackedAtKill);
            } finally {
                for (StreamingPlayer p : players) {
                    p.close();
                }
                nodeA.close();
                nodeB.close();
            }
        }
    }
}
