package club.makapix.vts.mqtt;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each player's share of the relay: a token bucket per client of {@code perSecond} messages a second
 * with a burst of five seconds' worth, so one player flooding requests or states cannot starve the
 * others or the backend. A message over the share is dropped and counted, never a reason to disconnect.
 */
final class RelayQuota {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private final double perNano;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long refilledAt;

        Bucket(double tokens, long now) {
            this.tokens = tokens;
            this.refilledAt = now;
        }
    }

    RelayQuota(int perSecond) {
        this.perNano = (double) perSecond / NANOS_PER_SECOND;
        this.burst = perSecond * 5.0;
    }

    /** Takes one message from the client's share; false when it has none left. */
    boolean take(String clientId, long nowNanos) {
        Bucket bucket = buckets.computeIfAbsent(clientId, id -> new Bucket(burst, nowNanos));
        synchronized (bucket) {
            bucket.tokens = Math.min(burst, bucket.tokens + (nowNanos - bucket.refilledAt) * perNano);
            bucket.refilledAt = nowNanos;
            if (bucket.tokens < 1) {
                return false;
            }
            bucket.tokens -= 1;
            return true;
        }
    }

    void forget(String clientId) {
        buckets.remove(clientId);
    }
}
