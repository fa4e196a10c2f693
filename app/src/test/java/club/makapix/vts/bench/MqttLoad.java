package club.makapix.vts.bench;

import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes p3a views from many {@link BenchConnection}s until a deadline, either as fast as
 * PUBACKs return ({@link #flatOut}) or at a fixed total rate ({@link #paced}). The same load runs
 * against VTS and against Mosquitto, so their ratio compares the brokers, not the generator.
 */
final class MqttLoad implements AutoCloseable {
    private final List<BenchConnection> connections;
    private final int posts;
    // paced sends wait here for their time; one thread is plenty for a few thousand sends a second
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "mqtt-pacer");
        t.setDaemon(true);
        return t;
    });

    MqttLoad(List<BenchConnection> connections, int posts) {
        this.connections = connections;
        this.posts = posts;
    }

    /** Each connection keeps {@code window} publishes awaiting their PUBACK; latency is publish to PUBACK. */
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
        c.publishView(P3aViews.next(c.playerKey(), posts)).whenComplete((code, failure) -> {
            if (failure != null) {
                stats.lost();
                return;
            }
            stats.answered(System.nanoTime() - sentAt, code);
            publishNext(c, endNanos, stats);
        });
    }

    /**
     * {@code perSecond} publishes a second in all, spread evenly: connection p sends its n-th view
     * at start + (p + n·connections) / perSecond. One publish per connection at a time; a late PUBACK
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
        // encoded now, on the thread that got the last PUBACK: the one pacer thread only publishes
        byte[] payload = P3aViews.next(c.playerKey(), posts);
        Runnable send = () -> {
            stats.published();
            c.publishView(payload).whenComplete((code, failure) -> {
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
