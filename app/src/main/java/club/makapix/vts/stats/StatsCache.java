package club.makapix.vts.stats;

import java.util.function.Supplier;

/**
 * Computed stats responses (JSON text), shared briefly between callers. {@link #refresh()} forgets
 * them all at once: a rollup changed the daily rows.
 */
public interface StatsCache {
    String get(String key, Supplier<String> compute);

    void refresh();
}
