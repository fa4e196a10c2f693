package club.makapix.vts.stats;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.net.URI;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The stats cache shared by all nodes through Redis. Keys carry a generation number that a rollup
 * increments, so every node's cached answers are forgotten at once. If Redis cannot answer, the
 * stats are computed (the database is the truth; the cache only saves work).
 */
public final class RedisStatsCache implements StatsCache, AutoCloseable {
    private static final String GENERATION = "vts:stats:generation";
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final Duration ttl;

    public RedisStatsCache(URI url, Duration ttl) {
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(Duration.ofMillis(250));
        this.client = RedisClient.create(uri);
        this.connection = client.connect();
        this.redis = connection.sync();
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

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
