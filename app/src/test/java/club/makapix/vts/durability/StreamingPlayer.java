package club.makapix.vts.durability;

import club.makapix.vts.protocol.Intent;
import club.makapix.vts.protocol.PlayerClient;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.support.Admin;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * An MQTT 5 player that publishes views continuously, each with its own {@code event_id} or, as p3a
 * firmware sends them, keyless (no event id, whole-second timestamps), and keeps the books a
 * durability test needs: which events got a successful PUBACK and when, which did not (yet). Like a
 * well-behaved device it reconnects whenever the connection drops and then resends every event that
 * was not acknowledged. The books know each event by an id: its {@code event_id}, or for a keyless
 * one an id of the books' own, never sent.
 */
public final class StreamingPlayer implements AutoCloseable {
    private static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);

    /** The nodes it may connect to: the first, then the next one whenever a connect fails. */
    private final List<String> mqttUris;
    private int uriIndex;
    private final String key;
    private final String secret;
    private final List<Long> postIds;
    private final long pauseMillis;
    private final boolean withEventIds;
    private final Thread thread;

    private final Map<UUID, ViewEvent> sent = new ConcurrentHashMap<>();
    private final Map<UUID, ViewEvent> unacked = new ConcurrentHashMap<>();
    /** id → System.nanoTime() of its first successful PUBACK */
    private final Map<UUID, Long> ackedAt = new ConcurrentHashMap<>();
    /** id → a PUBACK reason code other than success (none is expected) */
    private final Map<UUID, Integer> refused = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger lostBeforePuback = new AtomicInteger();

    private volatile String lastConnectFailure = "none";
    private volatile boolean issuing = true;
    private volatile boolean closed;
    private volatile PlayerClient client;
    /** Keyless events: the second the last one was stamped with, and how many were stamped with it. */
    private long stampSecond;
    private int stampedInSecond;

    StreamingPlayer(List<String> mqttUris, String key, String secret, List<Long> postIds, long pauseMillis, boolean withEventIds) {
        this.mqttUris = List.copyOf(mqttUris);
        this.key = key;
        this.secret = secret;
        this.postIds = List.copyOf(postIds);
        this.pauseMillis = pauseMillis;
        this.withEventIds = withEventIds;
        this.thread = new Thread(this::run, "streaming-player-" + key);
        this.thread.setDaemon(true);
    }

    /**
     * {@code count} players sending event ids on one post, registered now (owned by {@code owner}, so
     * their views count), not started yet.
     */
    static List<StreamingPlayer> register(Admin admin, String mqttUri, int count, String owner, long postId, long pauseMillis) {
        return register(admin, mqttUri, count, owner, List.of(postId), pauseMillis, true);
    }

    /** As above, on the given posts, with or without event ids. */
    public static List<StreamingPlayer> register(Admin admin, String mqttUri, int count, String owner, List<Long> postIds,
                                                 long pauseMillis, boolean withEventIds) {
        return register(admin, List.of(mqttUri), count, owner, postIds, pauseMillis, withEventIds);
    }

    /** As above, connecting to the first of {@code mqttUris} and failing over to the next when a connect fails. */
    public static List<StreamingPlayer> register(Admin admin, List<String> mqttUris, int count, String owner, List<Long> postIds,
                                                 long pauseMillis, boolean withEventIds) {
        List<StreamingPlayer> players = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = UUID.randomUUID().toString();
            admin.player(key, owner, "secret-" + key);
            players.add(new StreamingPlayer(mqttUris, key, "secret-" + key, postIds, pauseMillis, withEventIds));
        }
        return players;
    }

    public String key() {
        return key;
    }

    public void start() {
        thread.start();
    }

    /** No new events from now on; unacknowledged ones are still resent after a reconnect. */
    public void stopNewEvents() {
        issuing = false;
    }

    public Set<UUID> sent() {
        return Set.copyOf(sent.keySet());
    }

    /** Every event sent, by its id in the books. */
    public Map<UUID, ViewEvent> sentEvents() {
        return Map.copyOf(sent);
    }

    public Set<UUID> unacked() {
        return Set.copyOf(unacked.keySet());
    }

    /** As {@code unacked().size()}, without the copy. */
    public int unackedCount() {
        return unacked.size();
    }

    public Map<UUID, Long> ackedAt() {
        return Map.copyOf(ackedAt);
    }

    /** As {@code ackedAt().size()}, without the copy. */
    public int ackedCount() {
        return ackedAt.size();
    }

    public Map<UUID, Integer> refused() {
        return Map.copyOf(refused);
    }

    /** How many times it connected (1 = never had to reconnect). */
    public int connections() {
        return connections.get();
    }

    /** Publishes whose connection dropped before their PUBACK came. */
    public int lostBeforePuback() {
        return lostBeforePuback.get();
    }

    /** One line for failure messages. */
    @Override
    public String toString() {
        return key + ": connections=" + connections + " acked=" + ackedAt.size() + " unacked=" + unacked.size()
                + " lostBeforePuback=" + lostBeforePuback + " connected=" + (client != null && client.isConnected())
                + " thread=" + thread.getState() + " lastConnectFailure=" + lastConnectFailure;
    }

    private void run() {
        while (!closed) {
            try {
                PlayerClient current = client;
                if (current == null || !current.isConnected()) {
                    reconnectAndResend();
                } else if (issuing) {
                    publishNew(current);
                    Thread.sleep(pauseMillis);
                } else {
                    Thread.sleep(50);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void reconnectAndResend() throws InterruptedException {
        if (client != null) {
            client.close();
            client = null;
        }
        PlayerClient fresh;
        try {
            fresh = PlayerClient.connect(mqttUris.get(uriIndex), TOPICS, key, secret, null);
        } catch (MqttException e) {
            lastConnectFailure = e.toString();
            uriIndex = (uriIndex + 1) % mqttUris.size();
            Thread.sleep(250); // the server is down or cannot check credentials yet
            return;
        }
        connections.incrementAndGet();
        client = fresh;
        for (Map.Entry<UUID, ViewEvent> event : unacked.entrySet()) {
            publish(fresh, event.getKey(), event.getValue());
        }
    }

    /** Books a new event and publishes it. */
    private void publishNew(PlayerClient via) throws InterruptedException {
        ViewEvent event = withEventIds ? withEventId() : keyless();
        UUID id = withEventIds ? event.eventId() : UUID.randomUUID();
        sent.put(id, event);
        unacked.put(id, event);
        publish(via, id, event);
    }

    private ViewEvent withEventId() {
        long postId = postIds.get(ThreadLocalRandom.current().nextInt(postIds.size()));
        return new ViewEvent(postId, Instant.now().truncatedTo(ChronoUnit.MILLIS), "", Intent.CHANNEL, 2, "all",
                key, null, null, false, UUID.randomUUID(), null, null, null);
    }

    /**
     * The server knows a keyless resend by player + post + timestamp, so two different events of this
     * player never share a post and a second: after one event on each post within a second, the stamp
     * moves on to the next second.
     */
    private ViewEvent keyless() {
        long now = Instant.now().getEpochSecond();
        if (now > stampSecond) {
            stampSecond = now;
            stampedInSecond = 0;
        } else if (stampedInSecond == postIds.size()) {
            stampSecond++;
            stampedInSecond = 0;
        }
        long postId = postIds.get(stampedInSecond++);
        return new ViewEvent(postId, Instant.ofEpochSecond(stampSecond), "", Intent.CHANNEL, 2, "all",
                key, null, null, false, null, null, null, null);
    }

    private void publish(PlayerClient via, UUID id, ViewEvent event) throws InterruptedException {
        via.publishView(event).whenComplete((code, failure) -> {
            if (failure != null) {
                lostBeforePuback.incrementAndGet();
            } else if (code == 0) {
                ackedAt.putIfAbsent(id, System.nanoTime());
                unacked.remove(id);
            } else {
                refused.put(id, code);
            }
        });
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        thread.interrupt();
        thread.join(10_000);
        if (client != null) {
            client.close();
        }
    }
}
