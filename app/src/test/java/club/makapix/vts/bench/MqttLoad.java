package club.makapix.vts.bench;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Sends {@link PlayerMessages} (p3a views, relay requests) from many {@link BenchConnection}s until a
 * deadline, either each as soon as the one before is done ({@link #flatOut}) or at a fixed total rate
 * ({@link #paced}). The same load runs against VTS and against Mosquitto, so their ratio compares the
 * brokers, not the generator.
 */
final class MqttLoad implements AutoCloseable {
    private final List<BenchConnection> connections;
    private final PlayerMessages messages;
    // paced sends wait here for their time; one thread is plenty for a few thousand sends a second
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqtt-pacer");
        t.setDaemon(true);
        return t;
    });

    MqttLoad(List<BenchConnection> connections, PlayerMessages messages) {
        this.connections = connections;
        this.messages = messages;
    }

    /** Each connection keeps {@code window} messages not yet done; latency is send to done (a view's PUBACK…). */
    void flatOut(int window, long endNanos, LoadStats stats) {
        for (BenchConnection c : connections) {
            for (int i = 0; i < window; i++) {
                publishNext(c, endNanos, stats);
            }
        }
    }

    private void publishNext(BenchConnection c, long endNanos, LoadStats stats) {
        if (System.nanoTime() - endNanos >= 0) {
            return;
        }
        long sentAt = System.nanoTime();
        stats.published();
        messages.next(c).send().whenComplete((code, failure) -> {
            if (failure != null) {
                stats.lost();
                return;
            }
            stats.answered(System.nanoTime() - sentAt, code);
            publishNext(c, endNanos, stats);
        });
    }

    /**
     * {@code perSecond} messages a second in all, spread evenly: connection p sends its n-th message
     * at start + (p + n·connections) / perSecond. One message per connection at a time; one done late
     * delays the next send, and latency counts from the intended send time, so such waiting shows.
     */
    void paced(double perSecond, long endNanos, LoadStats stats) {
        long start = System.nanoTime();
        long step = (long) (connections.size() * 1e9 / perSecond);
        for (int p = 0; p < connections.size(); p++) {
            sendAt(connections.get(p), start + (long) (p * 1e9 / perSecond), step, endNanos, stats);
        }
    }

    private void sendAt(BenchConnection c, long intended, long step, long endNanos, LoadStats stats) {
        if (intended - endNanos >= 0) {
            return;
        }
        // built now, on the thread that saw the last one done: the one pacer thread only sends
        PlayerMessages.Message message = messages.next(c);
        Runnable send = () -> {
            stats.published();
            message.send().whenComplete((code, failure) -> {
                if (failure != null) {
                    stats.lost();
                    return;
                }
                stats.answered(System.nanoTime() - intended, code);
                sendAt(c, intended + step, step, endNanos, stats);
            });
        };
        long delay = intended - System.nanoTime();
        if (delay > 0) {
            timer.schedule(send, delay, TimeUnit.NANOSECONDS);
        } else {
            send.run();
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
