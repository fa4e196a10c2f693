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
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * An MQTT 5 player that publishes views continuously, each with its own {@code event_id}, and keeps
 * the books a durability test needs: which events got a successful PUBACK and when, which did not
 * (yet). Like a well-behaved device it reconnects whenever the connection drops and then resends
 * every event that was not acknowledged.
 */
final class StreamingPlayer implements AutoCloseable {
    private static final Topics TOPICS = new Topics(Topics.DEFAULT_PREFIX);

    private final String mqttUri;
    private final String key;
    private final String secret;
    private final long postId;
    private final long pauseMillis;
    private final Thread thread;

    private final Set<UUID> sent = ConcurrentHashMap.newKeySet();
    private final Map<UUID, ViewEvent> unacked = new ConcurrentHashMap<>();
    /** event id → System.nanoTime() of its first successful PUBACK */
    private final Map<UUID, Long> ackedAt = new ConcurrentHashMap<>();
    /** event id → a PUBACK reason code other than success (none is expected) */
    private final Map<UUID, Integer> refused = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger lostBeforePuback = new AtomicInteger();

    private volatile String lastConnectFailure = "none";
    private volatile boolean issuing = true;
    private volatile boolean closed;
    private volatile PlayerClient client;

    StreamingPlayer(String mqttUri, String key, String secret, long postId, long pauseMillis) {
        this.mqttUri = mqttUri;
        this.key = key;
        this.secret = secret;
        this.postId = postId;
        this.pauseMillis = pauseMillis;
        this.thread = new Thread(this::run, "streaming-player-" + key);
        this.thread.setDaemon(true);
    }

    /** {@code count} players registered now (owned by {@code owner}, so their views count), not started yet. */
    static List<StreamingPlayer> register(Admin admin, String mqttUri, int count, String owner, long postId, long pauseMillis) {
        List<StreamingPlayer> players = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String key = UUID.randomUUID().toString();
            admin.player(key, owner, "secret-" + key);
            players.add(new StreamingPlayer(mqttUri, key, "secret-" + key, postId, pauseMillis));
        }
        return players;
    }

    void start() {
        thread.start();
    }

    /** No new events from now on; unacknowledged ones are still resent after a reconnect. */
    void stopNewEvents() {
        issuing = false;
    }

    Set<UUID> sent() {
        return Set.copyOf(sent);
    }

    Set<UUID> unacked() {
        return Set.copyOf(unacked.keySet());
    }

    Map<UUID, Long> ackedAt() {
        return Map.copyOf(ackedAt);
    }

    Map<UUID, Integer> refused() {
        return Map.copyOf(refused);
    }

    /** How many times it connected (1 = never had to reconnect). */
    int connections() {
        return connections.get();
    }

    /** Publishes whose connection dropped before their PUBACK came. */
    int lostBeforePuback() {
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
                    publish(current, newEvent());
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
            fresh = PlayerClient.connect(mqttUri, TOPICS, key, secret, null);
        } catch (MqttException e) {
            lastConnectFailure = e.toString();
            Thread.sleep(250); // the server is down or cannot check credentials yet
            return;
        }
        connections.incrementAndGet();
        client = fresh;
        for (ViewEvent event : unacked.values()) {
            publish(fresh, event);
        }
    }

    private ViewEvent newEvent() {
        UUID id = UUID.randomUUID();
        ViewEvent event = new ViewEvent(postId, Instant.now().truncatedTo(ChronoUnit.MILLIS), "", Intent.CHANNEL, 2, "all",
                key, null, null, false, id, null, null, null);
        sent.add(id);
        unacked.put(id, event);
        return event;
    }

    private void publish(PlayerClient via, ViewEvent event) throws InterruptedException {
        UUID id = event.eventId();
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
