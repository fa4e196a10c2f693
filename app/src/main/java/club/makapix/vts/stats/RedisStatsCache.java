package club.makapix.vts.stats;

import club.makapix.vts.store.RedisConnection;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The stats cache shared by all nodes through Redis. Keys carry a generation number that a rollup
 * increments, so every node's cached answers are forgotten at once. If Redis cannot answer, the
 * stats are computed (the database is the truth; the cache only saves work).
 */
public final class RedisStatsCache implements StatsCache {
    private static final String GENERATION = "vts:stats:generation";
    private final RedisCommands<String, String> redis;
    private final Duration ttl;

    public RedisStatsCache(RedisConnection connection, Duration ttl) {
        this.redis = connection.connection().sync();
        this.ttl = ttl;
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
            return compute.get();
        }
        String computed = compute.get();
        try {
            redis.set(cacheKey, computed, SetArgs.Builder.px(ttl.toMillis()));
        } catch (RuntimeException redisAway) {
            // served anyway
        }
        return computed;
    }

    @Override
    public void refresh() {
        try {
            redis.incr(GENERATION);
        } catch (RuntimeException redisAway) {
            // entries expire by themselves within the TTL
        }
    }
}
