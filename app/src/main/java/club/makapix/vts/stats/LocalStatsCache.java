package club.makapix.vts.stats;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.function.Supplier;

/** The stats cache of one node. */
public final class LocalStatsCache implements StatsCache {
    private final Cache<String, String> responses;

    public LocalStatsCache(Duration ttl) {
        this.responses = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(ttl).build();
    }

    @Override
    public String get(String key, Supplier<String> compute) {
        return responses.get(key, k -> compute.get());
    }

    @Override
    public void refresh() {
        responses.invalidateAll();
    }
}
