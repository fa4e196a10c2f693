package club.makapix.vts.bench;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput and latency second by second over the whole benchmark, phase by phase: what the plot
 * shows. Each point also has its wall-clock time, to line a slow second up with the server's logs.
 */
final class Timeline {
    /**
     * @param phase     which load ran
     * @param atSeconds seconds since the benchmark started
     * @param perSecond events (or rows) completed in that second
     * @param p99Ms     latency p99 over that second
     * @param at        when that second ended
     */
    record Point(String phase, double atSeconds, double perSecond, double p99Ms, Instant at) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%.1f,%.0f,%.3f,%s", phase, atSeconds, perSecond, p99Ms, at);
        }
    }

    static final String CSV_HEADER = "phase,at_seconds,per_second,p99_ms,at_utc";

    private final long startNanos = System.nanoTime();
    private final List<Point> points = new ArrayList<>();

    synchronized void add(String phase, double perSecond, double p99Ms) {
        points.add(new Point(phase, (System.nanoTime() - startNanos) / 1e9, perSecond, p99Ms, Instant.now()));
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }
}
