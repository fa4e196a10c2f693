package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.ErrorCode;
import club.makapix.vts.support.Metrics;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestRedis;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing one database and one Redis, as a multi-node deployment runs: dedupe windows and
 * rate limits hold across nodes, and a Redis outage costs neither events nor double storage.
 */
class SharedStateTest {
    static final long POST = 123;
    static final String OWNER = "owner-1";
    static final String DEDUPE_STAGE_DUPLICATES = "vts_dropped_total{reason=\"duplicate\",stage=\"dedupe\"}";
    static final String FALLBACKS = "vts_shared_state_fallback_total";

    static TestRedis redis;
    static TestDatabase db;
    static RunningServer nodeA;
    static RunningServer nodeB;

    @BeforeAll
    static void start() throws Exception {
        redis = TestRedis.create();
        db = TestDatabase.create();
        nodeA = RunningServer.start(db, Map.of("VTS_REDIS_URL", redis.url()));
        nodeB = RunningServer.start(db, Map.of("VTS_REDIS_URL", redis.url()));
        nodeA.admin.post(POST, "artist-1");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable part : new AutoCloseable[] {nodeB, nodeA, redis}) {
            try {
                if (part != null) {
                    part.close();
                }
            } catch (Exception e) {
                // stopping the rest anyway
            }
        }
    }

    @Test
    void eventResentThroughTheOtherNodeIsADuplicateCaughtBeforeTheDatabase() throws Exception {
        String key = newPlayer(nodeA);
        byte[] event = payload(key, "2026-11-21T16:24:15Z");
        double caughtBefore = Metrics.value(nodeB.httpPort(), DEDUPE_STAGE_DUPLICATES);

        assertEquals(Ack.ok(), publish(nodeA, key, event));
        assertEquals(ErrorCode.DUPLICATE, publish(nodeB, key, event).errorCode());

        assertEquals(1, stored(key));
        assertEquals(caughtBefore + 1, Metrics.value(nodeB.httpPort(), DEDUPE_STAGE_DUPLICATES),
                "node B knew the event from Redis; without it only the database's unique key would have caught it");
    }

    @Test
    void secondEventWithinFiveSecondsThroughTheOtherNodeIsRateLimited() throws Exception {
        String key = newPlayer(nodeA);
        assertEquals(Ack.ok(), publish(nodeA, key, payload(key, "2026-11-21T10:00:00Z")));
        Ack second = publish(nodeB, key, payload(key, "2026-11-21T10:00:01Z"));
        assertEquals(ErrorCode.RATE_LIMITED, second.errorCode());
        assertEquals(1, stored(key));
    }

    /** Screen time: node B knows when the player's previous event of the post was stored through node A. */
    @Test
    void aPlayersAppearanceGoesOnThroughTheOtherNode() throws Exception {
        String key = newPlayer(nodeA);
        assertEquals(Ack.ok(), publish(nodeA, key, payload(key, "2026-11-21T12:00:00Z")));
        Thread.sleep(5_200); // past the per-player rate limit, well within the 45 s of one appearance
        assertEquals(Ack.ok(), publish(nodeB, key, payload(key, "2026-11-21T12:00:30Z")));

        assertEquals(35_000, db.count("select sum(watch_time_ms) from view_events where player_key = ?", key),
                "5 s for the first event, 30 s for the next");
    }

    /** Node B has the player cached from a connect; a revocation through node A still counts at B's next connect. */
    @Test
    void playerRevokedThroughOneNodeIsRefusedAtOnceByTheOther() throws Exception {
        String key = newPlayer(nodeA);
        assertEquals(Ack.ok(), publish(nodeB, key, payload(key, "2026-11-21T11:00:00Z")));
        nodeA.admin.revoke(key);
        assertThrows(MqttException.class, () -> Mqtt3Player.connect(nodeB.mqttUri(), key, "secret-" + key, null));
    }

    /** Without Redis each node only knows its own events: the same two cases show the difference. */
    @Test
    void withoutRedisNodesShareOnlyTheDatabase() throws Exception {
        TestDatabase ownDb = TestDatabase.create();
        try (RunningServer a = RunningServer.start(ownDb, Map.of());
             RunningServer b = RunningServer.start(ownDb, Map.of())) {
            a.admin.post(POST, "artist-1");

            String resender = newPlayer(a);
            byte[] event = payload(resender, "2026-11-21T16:24:15Z");
            assertEquals(Ack.ok(), publish(a, resender, event));
            assertEquals(ErrorCode.DUPLICATE, publish(b, resender, event).errorCode(), "the database still says duplicate");
            assertEquals(1, ownDb.count("select count(*) from view_events where player_key = ?", resender));
            assertEquals(0, Metrics.value(b.httpPort(), DEDUPE_STAGE_DUPLICATES), "node B could not know it beforehand");

            String player = newPlayer(a);
            assertEquals(Ack.ok(), publish(a, player, payload(player, "2026-11-21T10:00:00Z")));
            assertEquals(Ack.ok(), publish(b, player, payload(player, "2026-11-21T10:00:01Z")),
                    "each node rate limits on its own");
        }
    }

    @Test
    void redisOutageFallsBackToEachNodeWithoutLosingOrDoublingEvents() throws Exception {
        double fallbacksA = Metrics.value(nodeA.httpPort(), FALLBACKS);
        double fallbacksB = Metrics.value(nodeB.httpPort(), FALLBACKS);
        ViewStream stream = new ViewStream();
        Thread publisher = new Thread(stream, "view-stream");
        publisher.start();
        try {
            stream.awaitRounds(5);
            redis.stop();
            int atOutage = stream.rounds.get();
            stream.awaitRounds(atOutage + 10); // acks keep coming while Redis is away
            assertTrue(Metrics.value(nodeA.httpPort(), FALLBACKS) > fallbacksA, "node A fell back");
            assertTrue(Metrics.value(nodeB.httpPort(), FALLBACKS) > fallbacksB, "node B fell back");
            redis.start();
            stream.awaitRounds(stream.rounds.get() + 5);
        } finally {
            stream.running = false;
            publisher.join(30_000);
            if (!redis.isRunning()) {
                redis.start(); // whatever happened, later tests get their Redis back
            }
        }

        assertEquals(List.of(), stream.problems);
        for (String key : stream.acceptedPlayers) {
            assertEquals(1, stored(key), "an acknowledged event is stored exactly once: " + key);
        }
        assertTrue(stream.acceptedPlayers.size() >= 20, "events were accepted throughout: " + stream.acceptedPlayers.size());

        awaitCrossNodeDedupe();
    }

    /**
     * One round = a new player sends an event through one node, then resends it through the other
     * (as after a reconnect elsewhere): the first must be accepted, the resend a duplicate.
     */
    static final class ViewStream implements Runnable {
        final AtomicInteger rounds = new AtomicInteger();
        final List<String> acceptedPlayers = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        volatile boolean running = true;

        @Override
        public void run() {
            while (running) {
                RunningServer first = rounds.get() % 2 == 0 ? nodeA : nodeB;
                RunningServer other = first == nodeA ? nodeB : nodeA;
                try {
                    String key = newPlayer(first);
                    byte[] event = payload(key, Instant.now().toString());
                    Ack ack = publish(first, key, event);
                    if (!ack.success()) {
                        problems.add("first send refused: " + ack);
                    } else {
                        acceptedPlayers.add(key);
                    }
                    Ack resend = publish(other, key, event);
                    if (resend.errorCode() != ErrorCode.DUPLICATE) {
                        problems.add("resend through the other node was not a duplicate: " + resend);
                    }
                } catch (Exception | AssertionError e) {
                    problems.add(e.toString());
                }
                rounds.incrementAndGet();
            }
        }

        void awaitRounds(int target) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (rounds.get() < target) {
                assertTrue(System.nanoTime() < until, "the stream stalled at round " + rounds.get() + ": " + problems);
                assertEquals(List.of(), problems, "the stream is failing");
                Thread.sleep(20);
            }
        }
    }

    /**
     * After Redis is back (each node reconnects on its own schedule), node B again knows an event
     * node A stored. Redis restarted empty, so each try uses a new event.
     */
    static void awaitCrossNodeDedupe() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> tries = new ArrayList<>();
        while (System.nanoTime() < until) {
            String key = newPlayer(nodeA);
            byte[] event = payload(key, Instant.now().toString());
            double caughtBefore = Metrics.value(nodeB.httpPort(), DEDUPE_STAGE_DUPLICATES);
            assertEquals(Ack.ok(), publish(nodeA, key, event));
            assertEquals(ErrorCode.DUPLICATE, publish(nodeB, key, event).errorCode());
            assertEquals(1, stored(key));
            if (Metrics.value(nodeB.httpPort(), DEDUPE_STAGE_DUPLICATES) > caughtBefore) {
                return;
            }
            tries.add(key);
            Thread.sleep(250);
        }
        throw new AssertionError("nodes never shared dedupe windows again after Redis came back (" + tries.size() + " tries)");
    }

    static String newPlayer(RunningServer node) {
        String key = UUID.randomUUID().toString();
        node.admin.player(key, OWNER, "secret-" + key);
        return key;
    }

    /** Connects as the player to {@code node}, publishes, and returns the ack (a p3a asks for one). */
    static Ack publish(RunningServer node, String key, byte[] payload) throws Exception {
        try (Mqtt3Player p = Mqtt3Player.connect(node.mqttUri(), key, "secret-" + key, null).subscribeAcks()) {
            p.publishView(payload);
            Ack ack = p.nextAck(10);
            assertNotNull(ack, "no ack from the node on " + node.mqttPort);
            return ack;
        }
    }

    static byte[] payload(String key, String timestamp) {
        return ("{\"post_id\": " + POST + ", \"timestamp\": \"" + timestamp + "\", \"timezone\": \"\", \"intent\": \"channel\","
                + " \"play_order\": 2, \"channel\": \"hashtag\", \"player_key\": \"" + key + "\","
                + " \"channel_user_sqid\": null, \"channel_hashtag\": \"pixelart\", \"request_ack\": true}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static long stored(String key) {
        return db.count("select count(*) from view_events where player_key = ?", key);
    }
}
