package club.makapix.vts.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TcpProxy;
import club.makapix.vts.support.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract §1: "When the database cannot take the write, the PUBACK is withheld; it is never faked."
 * The server reaches its database through a TCP proxy that the test cuts like a network outage while
 * players stream views.
 */
class DatabaseOutageTest {
    static final int PLAYERS = 4;
    static final long POST = 601;
    /** Time for PUBACKs of events committed just before the cut to arrive. */
    static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1_000);

    @Test
    @Timeout(90)
    void outageShorterThanThePubackTimeoutHoldsPubacksAndTheStreamResumesOnTheSameConnections() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (TcpProxy proxy = TcpProxy.start(db.host(), db.port());
             RunningServer vts = RunningServer.start(db, settings(proxy, db, 20_000));
             Stream stream = Stream.start(vts)) {
            stream.awaitAcked(200);

            long cutAt = System.nanoTime();
            proxy.cut();
            awaitReadiness(vts, 503, Duration.ofSeconds(4));
            sleepUntil(cutAt + TimeUnit.SECONDS.toNanos(5));
            int heldAtRestore = stream.unacked().size();
            long restoreAt = System.nanoTime();
            proxy.restore();

            int ackedAtRestore = stream.acked().size();
            Eventually.until(Duration.ofSeconds(20), () -> stream.acked().size() >= ackedAtRestore + 200,
                    () -> "PUBACKs resume after the database is back; " + (stream.acked().size() - ackedAtRestore) + " so far");
            awaitReadiness(vts, 200, Duration.ofSeconds(20));
            stream.finish();

            assertTrue(heldAtRestore > 0, "the outage must have held some PUBACKs, or nothing was tested");
            assertEquals(0, stream.ackedBetween(cutAt + SETTLE_NANOS, restoreAt), "successful PUBACKs while the database was away");
            for (StreamingPlayer p : stream.players) {
                assertEquals(1, p.connections(), "the stream must resume on the same connection");
                assertEquals(0, p.lostBeforePuback(), "no publish may be dropped");
            }
            stream.assertStoredExactlyOnce(db);
        }
    }

    @Test
    @Timeout(90)
    void outageLongerThanThePubackTimeoutDisconnectsWithoutPubackAndResentEventsAreStoredOnce() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (TcpProxy proxy = TcpProxy.start(db.host(), db.port());
             RunningServer vts = RunningServer.start(db, settings(proxy, db, 3_000));
             Stream stream = Stream.start(vts)) {
            stream.awaitAcked(200);

            long cutAt = System.nanoTime();
            proxy.cut();
            awaitReadiness(vts, 503, Duration.ofSeconds(4));
            // every player's held events pass their deadline: the server hangs up on it without a PUBACK
            Eventually.until(Duration.ofSeconds(15), () -> stream.players.stream().allMatch(p -> p.lostBeforePuback() > 0),
                    () -> "every player was disconnected with its PUBACKs withheld");
            Set<UUID> heldDuringOutage = stream.unacked();
            long restoreAt = System.nanoTime();
            proxy.restore();

            Eventually.until(Duration.ofSeconds(20), () -> stream.players.stream().allMatch(p -> p.connections() >= 2),
                    () -> "every player reconnected once the database was back: " + stream.players);
            awaitReadiness(vts, 200, Duration.ofSeconds(20));
            stream.finish();

            assertFalse(heldDuringOutage.isEmpty());
            assertEquals(0, stream.ackedBetween(cutAt + SETTLE_NANOS, restoreAt), "successful PUBACKs while the database was away");
            Set<UUID> stored = stream.assertStoredExactlyOnce(db);
            assertTrue(stored.containsAll(heldDuringOutage), "events resent after the outage must be stored");
        }
    }

    static Map<String, String> settings(TcpProxy proxy, TestDatabase db, int pubackTimeoutMs) {
        Map<String, String> settings = new HashMap<>();
        settings.put("VTS_DB_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.databaseName());
        settings.put("VTS_PUBACK_TIMEOUT_MS", Integer.toString(pubackTimeoutMs));
        settings.put("VTS_PLAYER_RATE_LIMIT_MS", "0");
        return settings;
    }

    static void awaitReadiness(RunningServer vts, int status, Duration timeout) throws InterruptedException {
        Eventually.until(timeout, () -> Admin.get(vts.httpPort(), "/health/ready").statusCode() == status,
                () -> "/health/ready answers " + status + "; it says " + Admin.get(vts.httpPort(), "/health/ready").body());
    }

    static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    /** Several players streaming views to one post of a running server. */
    static final class Stream implements AutoCloseable {
        final List<StreamingPlayer> players = new ArrayList<>();

        static Stream start(RunningServer vts) {
            Stream stream = new Stream();
            vts.admin.post(POST, "artist-outage");
            stream.players.addAll(StreamingPlayer.register(vts.admin, vts.mqttUri(), PLAYERS, "owner-outage", POST, 5));
            stream.players.forEach(StreamingPlayer::start);
            return stream;
        }

        void awaitAcked(int events) throws InterruptedException {
            Eventually.until(Duration.ofSeconds(30), () -> acked().size() >= events,
                    () -> events + " acknowledged events; have " + acked().size());
        }

        Map<UUID, Long> acked() {
            Map<UUID, Long> all = new HashMap<>();
            players.forEach(p -> all.putAll(p.ackedAt()));
            return all;
        }

        Set<UUID> unacked() {
            Set<UUID> all = new HashSet<>();
            players.forEach(p -> all.addAll(p.unacked()));
            return all;
        }

        long ackedBetween(long fromNanos, long toNanos) {
            return acked().values().stream().filter(t -> t - fromNanos >= 0 && t - toNanos < 0).count();
        }

        /** Stops new events and waits until every sent one is acknowledged. */
        void finish() throws InterruptedException {
            players.forEach(StreamingPlayer::stopNewEvents);
            Eventually.until(Duration.ofSeconds(30), () -> unacked().isEmpty(),
                    () -> unacked().size() + " events still not acknowledged");
            players.forEach(p -> assertEquals(Map.of(), p.refused(), "no event may be refused"));
        }

        /** Every sent event is stored, none twice, nothing else; returns the stored keys. */
        Set<UUID> assertStoredExactlyOnce(TestDatabase db) {
            List<UUID> stored = db.rows("select event_key from view_events").stream()
                    .map(row -> (UUID) row.get("event_key")).toList();
            Set<UUID> distinct = new HashSet<>(stored);
            assertEquals(distinct.size(), stored.size(), "an event was stored twice");
            Set<UUID> sent = new HashSet<>();
            players.forEach(p -> sent.addAll(p.sent()));
            assertTrue(distinct.containsAll(acked().keySet()), "an acknowledged event is not stored");
            assertEquals(sent, distinct, "what is stored must be exactly what was sent");
            return distinct;
        }

        @Override
        public void close() throws InterruptedException {
            for (StreamingPlayer p : players) {
                p.close();
            }
        }
    }
}
