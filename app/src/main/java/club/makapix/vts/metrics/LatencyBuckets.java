package club.makapix.vts.metrics;

import java.time.Duration;

/**
 * The buckets of VTS's latency histograms: fixed, so every node exports the same ones and Prometheus
 * can add them up across nodes ({@code histogram_quantile} over {@code sum by (le)}), which
 * client-side percentiles cannot. Each list spans what its latency really does, a few per decade.
 */
public final class LatencyBuckets {
    /** One stage's work on one event: microseconds, up to a blocking lookup. */
    public static final Duration[] STAGE = millis(0.01, 0.05, 0.1, 0.5, 1, 5, 10, 50, 100, 500, 1000);
    /** One write transaction: a few ms, up to an outage's retries. */
    public static final Duration[] WRITE = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);
    /** One HTTP request, as its client waits for it. */
    public static final Duration[] HTTP = millis(1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000);

    private LatencyBuckets() {}

    private static Duration[] millis(double... values) {
        Duration[] out = new Duration[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Duration.ofNanos(Math.round(values[i] * 1_000_000));
        }
        return out;
    }
}
