package club.makapix.vts.bench;

import club.makapix.vts.protocol.PlayerClient;
import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.mqttv5.common.MqttException;

/**
 * One player on its own MQTT 5 connection, publishing p3a view events back to back: it keeps
 * {@code window} publishes awaiting their PUBACK and sends the next as soon as one returns.
 * A publish lost with the connection ends its chain; this version does not reconnect.
 */
final class SimulatedPlayer implements AutoCloseable {
    private final PlayerClient client;
    private final int posts;
    private final LoadStats stats;
    private final AtomicInteger runningChains = new AtomicInteger();

    private SimulatedPlayer(PlayerClient client, int posts, LoadStats stats) {
        this.client = client;
        this.posts = posts;
        this.stats = stats;
    }

    static SimulatedPlayer connect(String mqttUri, Topics topics, String playerKey, String secret, int posts,
                                   LoadStats stats) throws MqttException {
        return new SimulatedPlayer(PlayerClient.connect(mqttUri, topics, playerKey, secret, null), posts, stats);
    }

    /** The in-flight window this player will use: what was asked for, capped by the server's receive maximum. */
    int window(int requested) {
        return requested <= 0 ? client.receiveMaximum() : Math.min(requested, client.receiveMaximum());
    }

    /** Starts {@code window} publish chains that run until {@code endNanos} (System.nanoTime). */
    void start(int window, long endNanos) {
        runningChains.addAndGet(window);
        for (int i = 0; i < window; i++) {
            publishNext(endNanos);
        }
    }

    boolean isConnected() {
        return client.isConnected();
    }

    /** Chains still waiting for a PUBACK (after the end: publishes not yet answered). */
    int runningChains() {
        return runningChains.get();
    }

    private void publishNext(long endNanos) {
        if (System.nanoTime() - endNanos >= 0) {
            runningChains.decrementAndGet();
            return;
        }
        long sentAt = System.nanoTime();
        stats.published();
        CompletableFuture<Integer> puback;
        try {
            puback = client.publishView(nextView());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stats.lost();
            runningChains.decrementAndGet();
            return;
        }
        // Runs on the Paho thread that received the PUBACK. PlayerClient has already released this
        // chain's permit and there are no more chains than permits, so the next publish never blocks it.
        puback.whenComplete((reasonCode, failure) -> {
            if (failure != null) {
                stats.lost();
                runningChains.decrementAndGet();
                return;
            }
            stats.answered(System.nanoTime() - sentAt, reasonCode);
            publishNext(endNanos);
        });
    }

    private ViewEvent nextView() {
        return P3aViews.event(client.playerKey(), posts);
    }

    @Override
    public void close() {
        client.close();
    }
}
