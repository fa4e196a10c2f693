package club.makapix.vts.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Throughput and latency second by second over the whole benchmark, phase by phase: what the plot shows. */
final class Timeline {
    /**
     * @param phase     which load ran
     * @param atSeconds seconds since the benchmark started
     * @param perSecond events (or rows) completed in that second
     * @param p99Ms     latency p99 over that second
     */
    record Point(String phase, double atSeconds, double perSecond, double p99Ms) {
        String csv() {
            return String.format(Locale.ROOT, "%s,%.1f,%.0f,%.3f", phase, atSeconds, perSecond, p99Ms);
        }
    }

    static final String CSV_HEADER = "phase,at_seconds,per_second,p99_ms";

    private final long startNanos = System.nanoTime();
    private final List<Point> points = new ArrayList<>();

    synchronized void add(String phase, double perSecond, double p99Ms) {
        points.add(new Point(phase, (System.nanoTime() - startNanos) / 1e9, perSecond, p99Ms));
    }

    synchronized List<Point> points() {
        return List.copyOf(points);
    }
}
