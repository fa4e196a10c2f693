package club.makapix.vts.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.util.UUID;

/** Window state held in this process (one node, or Redis unreachable). */
public final class LocalWindowState implements WindowState {
    private record Slot(String holder, long expiresAtNanos) {}

    private final RecentKeys recent;
    private final Cache<String, Slot> slots;

    public LocalWindowState(Duration dedupeWindow, long maxKeys) {
        this.recent = new RecentKeys(dedupeWindow, maxKeys, System::nanoTime);
        this.slots = Caffeine.newBuilder().maximumSize(maxKeys).expireAfter(new Expiry<String, Slot>() {
            @Override
            public long expireAfterCreate(String key, Slot slot, long now) {
                return Math.max(0, slot.expiresAtNanos - System.nanoTime());
            }

            @Override
            public long expireAfterUpdate(String key, Slot slot, long now, long current) {
                return Math.max(0, slot.expiresAtNanos - System.nanoTime());
            }

            @Override
            public long expireAfterRead(String key, Slot slot, long now, long current) {
                return current;
            }
        }).build();
    }

    @Override
    public boolean seen(UUID key) {
        return recent.contains(key);
    }

    @Override
    public void remember(UUID key) {
        recent.add(key);
    }

    @Override
    public long acquire(String bucket, String holder, Duration window) {
        long now = System.nanoTime();
        Slot slot = slots.asMap().compute(bucket, (k, old) ->
                old == null || old.expiresAtNanos - now <= 0 ? new Slot(holder, now + window.toNanos()) : old);
        return slot.holder.equals(holder) ? 0 : Math.max(1, (slot.expiresAtNanos - now + 999_999) / 1_000_000);
    }

    @Override
    public void release(String bucket, String holder) {
        slots.asMap().computeIfPresent(bucket, (k, slot) -> slot.holder.equals(holder) ? null : slot);
    }
}
