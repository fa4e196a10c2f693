package club.makapix.vts.stats;

import club.makapix.vts.store.RedisConnection;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The stats cache shared by all nodes through Redis. Keys carry a generation number that a rollup
 * increments, so every node's cached answers are forgotten at once. If Redis cannot answer, the
 * stats are computed (the database is the truth; the cache only saves work), and the failure is
 * counted ({@code vts_stats_cache_errors_total{operation}}), so an absent Redis is seen, not silent.
 */
public final class RedisStatsCache implements StatsCache {
    private static final String GENERATION = "vts:stats:generation";
    private final RedisCommands<String, String> redis;
    private final Duration ttl;
    private final Counter readErrors;
    private final Counter writeErrors;
    private final Counter refreshErrors;

    public RedisStatsCache(RedisConnection connection, Duration ttl, MeterRegistry metrics) {
        this.redis = connection.connection().sync();
        this.ttl = ttl;
        this.readErrors = errors(metrics, "read");
        this.writeErrors = errors(metrics, "write");
        this.refreshErrors = errors(metrics, "refresh");
    }

    private static Counter errors(MeterRegistry metrics, String operation) {
        return Counter.builder("vts_stats_cache_errors_total")
                .description("Stats cache operations Redis could not answer (the stats were computed or expire anyway)")
                .tag("operation", operation).register(metrics);
    }

    @Override
    public String get(String key, Supplier<String> compute) {
        String cacheKey;
        try {
            String generation = redis.get(GENERATION);
            cacheKey = "vts:stats:" + (generation == null ? "0" : generation) + ":" + key;
            String cached = redis.get(cacheKey);
            if (cached != null) {
                return cached;
            }
        } catch (RuntimeException redisAway) {
            readErrors.increment();
            return compute.get();
        }
        String computed = compute.get();
        try {
            redis.set(cacheKey, computed, SetArgs.Builder.px(ttl.toMillis()));
        } catch (RuntimeException redisAway) {
            writeErrors.increment(); // served anyway
        }
        return computed;
    }

    @Override
    public void refresh() {
        try {
            redis.incr(GENERATION);
        } catch (RuntimeException redisAway) {
            refreshErrors.increment(); // entries expire by themselves within the TTL
        }
    }
}
