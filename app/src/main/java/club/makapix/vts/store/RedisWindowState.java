package club.makapix.vts.store;

import club.makapix.vts.pipeline.LocalWindowState;
import club.makapix.vts.pipeline.WindowState;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Window state in Redis, so several nodes agree. When Redis cannot answer, each call falls back to
 * this node's {@link LocalWindowState} and is counted ({@code vts_shared_state_fallback_total}):
 * serving goes on, and the database's unique key still keeps every event stored once.
 */
public final class RedisWindowState implements WindowState {
    private static final Logger LOG = LoggerFactory.getLogger(RedisWindowState.class);
    /** Take the slot if free or already ours; else say how long until it frees. */
    private static final String ACQUIRE = """
            local v = redis.call('GET', KEYS[1])
            if not v then
              redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
              return 0
            end
            if v == ARGV[1] then return 0 end
            local t = redis.call('PTTL', KEYS[1])
            if t < 1 then t = 1 end
            return t
            """;

    /** Delete the slot only if this holder has it. */
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
            return 0
            """;

    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final String acquireSha;
    private final LocalWindowState fallback;
    private final Duration dedupeWindow;
    private final Counter fallbacks;
    private volatile boolean degraded;

    public RedisWindowState(RedisConnection redis, LocalWindowState fallback, Duration dedupeWindow, MeterRegistry metrics) {
        this.connection = redis.connection();
        this.redis = connection.sync();
        this.acquireSha = this.redis.digest(ACQUIRE);
        this.fallback = fallback;
        this.dedupeWindow = dedupeWindow;
        this.fallbacks = Counter.builder("vts_shared_state_fallback_total")
                .description("Calls answered from this node's memory because Redis could not answer")
                .register(metrics);
    }

    @Override
    public boolean seen(UUID key) {
        try {
            boolean seen = redis.exists(dedupeKey(key)) > 0;
            recovered();
            return seen;
        } catch (RuntimeException e) {
            fellBack(e);
            return fallback.seen(key);
        }
    }

    @Override
    public void remember(UUID key) {
        fallback.remember(key);
        connection.async().set(dedupeKey(key), "1", SetArgs.Builder.px(dedupeWindow.toMillis()))
                .exceptionally(e -> {
                    fellBack(e);
                    return null;
                });
    }

    @Override
    public long acquire(String bucket, String holder, Duration window) {
        String[] keys = {"vts:rl:" + bucket};
        String[] args = {holder, Long.toString(window.toMillis())};
        try {
            Long wait;
            try {
                wait = redis.evalsha(acquireSha, ScriptOutputType.INTEGER, keys, args);
            } catch (RedisNoScriptException e) {
                wait = redis.eval(ACQUIRE, ScriptOutputType.INTEGER, keys, args);
            }
            recovered();
            return wait;
        } catch (RuntimeException e) {
            fellBack(e);
            return fallback.acquire(bucket, holder, window);
        }
    }

    @Override
    public void release(String bucket, String holder) {
        fallback.release(bucket, holder);
        connection.async().eval(RELEASE, ScriptOutputType.INTEGER, new String[] {"vts:rl:" + bucket}, holder)
                .exceptionally(e -> {
                    fellBack(e);
                    return null;
                });
    }

    @Override
    public void mark(String what, Instant at, Duration keep) {
        fallback.mark(what, at, keep);
        connection.async().set(markKey(what), at.toString(), SetArgs.Builder.px(keep.toMillis()))
                .exceptionally(e -> {
                    fellBack(e);
                    return null;
                });
    }

    @Override
    public Instant lastMark(String what) {
        try {
            String at = redis.get(markKey(what));
            recovered();
            return at == null ? null : Instant.parse(at);
        } catch (RuntimeException e) {
            fellBack(e);
            return fallback.lastMark(what);
        }
    }

    private static String markKey(String what) {
        return "vts:mk:" + what;
    }

    private static String dedupeKey(UUID key) {
        return "vts:dd:" + key;
    }

    private void fellBack(Throwable e) {
        fallbacks.increment();
        if (!degraded) {
            degraded = true;
            LOG.warn("Redis is not answering ({}); using this node's memory for dedupe, rate limits and marks until it is back",
                    e.getClass().getSimpleName());
        }
    }

    private void recovered() {
        if (degraded) {
            degraded = false;
            LOG.info("Redis answers again; dedupe and rate limits are shared again");
        }
    }
}
