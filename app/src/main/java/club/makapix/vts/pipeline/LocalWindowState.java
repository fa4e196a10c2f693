package club.makapix.vts.pipeline;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.ToLongFunction;

/** Window state held in this process (one node, or Redis unreachable). */
public final class LocalWindowState implements WindowState {
    private record Slot(String holder, long expiresAtNanos) {}

    private record Mark(Instant at, long expiresAtNanos) {}

    private final RecentKeys recent;
    private final Cache<String, Slot> slots;
    private final Cache<String, Mark> marks;

    public LocalWindowState(Duration dedupeWindow, long maxKeys) {
        this.recent = new RecentKeys(dedupeWindow, maxKeys, System::nanoTime);
        this.slots = expiring(maxKeys, Slot::expiresAtNanos);
        this.marks = expiring(maxKeys, Mark::expiresAtNanos);
    }

    /** A cache whose entries each go at their own {@code expiresAtNanos} ({@link System#nanoTime()}). */
    private static <V> Cache<String, V> expiring(long maxKeys, ToLongFunction<V> expiresAtNanos) {
        return Caffeine.newBuilder().maximumSize(maxKeys).expireAfter(new Expiry<String, V>() {
            @Override
            public long expireAfterCreate(String key, V value, long now) {
                return Math.max(0, expiresAtNanos.applyAsLong(value) - System.nanoTime());
            }

            @Override
            public long expireAfterUpdate(String key, V value, long now, long current) {
                return Math.max(0, expiresAtNanos.applyAsLong(value) - System.nanoTime());
            }

            @Override
            public long expireAfterRead(String key, V value, long now, long current) {
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

    @Override
    public void mark(String what, Instant at, Duration keep) {
        marks.put(what, new Mark(at, System.nanoTime() + keep.toNanos()));
    }

    @Override
    public Instant lastMark(String what) {
        Mark mark = marks.getIfPresent(what);
        return mark == null ? null : mark.at();
    }
}
