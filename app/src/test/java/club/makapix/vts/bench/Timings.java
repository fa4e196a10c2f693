package club.makapix.vts.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Durations of repeated calls, in milliseconds, and their quantiles (nearest rank). */
final class Timings {
    private final List<Double> millis = new ArrayList<>();

    /** Adds the time since {@code startNanos} (a {@link System#nanoTime()}). */
    void addSince(long startNanos) {
        millis.add((System.nanoTime() - startNanos) / 1e6);
    }

    void add(double ms) {
        millis.add(ms);
    }

    double quantile(double q) {
        if (millis.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    double max() {
        return Collections.max(millis);
    }

    int count() {
        return millis.size();
    }
}
