package club.makapix.vts.pipeline;

import java.time.Duration;
import java.util.UUID;
import java.util.function.LongSupplier;

/**
 * The event keys remembered in the last {@code window}, exactly, without an object per key. Keys
 * go into time slices, each an open-addressing table of longs; a slice is emptied whole once it
 * falls out of the window. Millions of keys thus cost a few large arrays that the garbage collector
 * never traces, instead of millions of small medium-lived objects it would copy again and again
 * (with a cache of UUIDs, young pauses grew to 100-250 ms under load).
 *
 * <p>A key is remembered for at least {@code window} and at most one slice longer, unless more than
 * {@code maxKeys} arrive within the window: then the oldest slices are forgotten early, so the
 * newest keys (where resends cluster) are always remembered. This is a shortcut in front of the
 * database's unique key, never the only guard.
 */
final class RecentKeys {
    private static final int SLICES = 16;
    private static final int INITIAL_SLOTS = 1024;

    private final long sliceNanos;
    private final long maxKeys;
    private final LongSupplier nanoTime;
    private final Slice[] slices = new Slice[SLICES];
    private long size;

    RecentKeys(Duration window, long maxKeys, LongSupplier nanoTime) {
        // SLICES - 1 slices cover the window; the oldest live slice may reach one slice further back
        this.sliceNanos = Math.max(1, window.toNanos() / (SLICES - 1));
        this.maxKeys = Math.min(maxKeys, 1L << 28);
        this.nanoTime = nanoTime;
        for (int i = 0; i < SLICES; i++) {
            slices[i] = new Slice();
        }
    }

    synchronized boolean contains(UUID key) {
        long now = nanoTime.getAsLong() / sliceNanos;
        long hi = key.getMostSignificantBits();
        long lo = key.getLeastSignificantBits();
        for (Slice slice : slices) {
            if (slice.size > 0 && now - slice.number < SLICES && slice.contains(hi, lo)) {
                return true;
            }
        }
        return false;
    }

    synchronized void add(UUID key) {
        long number = nanoTime.getAsLong() / sliceNanos;
        Slice current = slices[(int) Math.floorMod(number, (long) SLICES)];
        if (current.number != number) {
            size -= current.reset(number);
        }
        while (size >= maxKeys) {
            Slice oldest = oldestBefore(number);
            if (oldest == null) {
                return;    // the current slice alone holds maxKeys
            }
            size -= oldest.reset(Long.MIN_VALUE);
        }
        if (current.add(key.getMostSignificantBits(), key.getLeastSignificantBits())) {
            size++;
        }
    }

    private Slice oldestBefore(long number) {
        Slice oldest = null;
        for (Slice slice : slices) {
            if (slice.number != number && slice.size > 0 && (oldest == null || slice.number < oldest.number)) {
                oldest = slice;
            }
        }
        return oldest;
    }

    /** One time slice: keys as (hi, lo) pairs in a linear-probing table; (0, 0) marks a free slot. */
    private static final class Slice {
        long number = Long.MIN_VALUE;
        long[] slots = new long[INITIAL_SLOTS * 2];
        int size;
        boolean zeroKey;   // the all-zero key, which cannot be stored as a pair

        /** Empties the slice for slice {@code number}; returns how many keys it held. */
        int reset(long number) {
            int held = size;
            this.number = number;
            if (held > 0) {
                slots = new long[INITIAL_SLOTS * 2];
            }
            size = 0;
            zeroKey = false;
            return held;
        }

        boolean contains(long hi, long lo) {
            if (hi == 0 && lo == 0) {
                return zeroKey;
            }
            return !free(slots, slotOf(slots, hi, lo));
        }

        /** False if the key was already there. */
        boolean add(long hi, long lo) {
            if (hi == 0 && lo == 0) {
                boolean added = !zeroKey;
                zeroKey = true;
                size += added ? 1 : 0;
                return added;
            }
            if (2 * (size + 1) > slots.length / 2) {    // keep the load at most one half
                grow();
            }
            if (put(slots, hi, lo)) {
                size++;
                return true;
            }
            return false;
        }

        private void grow() {
            long[] old = slots;
            slots = new long[old.length * 2];
            for (int slot = 0; slot < old.length / 2; slot++) {
                if (!free(old, slot)) {
                    put(slots, old[2 * slot], old[2 * slot + 1]);
                }
            }
        }

        /** False if the key was already there. */
        private static boolean put(long[] table, long hi, long lo) {
            int slot = slotOf(table, hi, lo);
            if (!free(table, slot)) {
                return false;
            }
            table[2 * slot] = hi;
            table[2 * slot + 1] = lo;
            return true;
        }

        /** The slot holding the key, or else the free slot where it belongs. */
        private static int slotOf(long[] table, long hi, long lo) {
            int mask = table.length / 2 - 1;
            long mixed = (hi ^ Long.rotateLeft(lo, 32)) * 0x9E3779B97F4A7C15L;
            int i = (int) (mixed >>> 32) & mask;
            while (!free(table, i) && (table[2 * i] != hi || table[2 * i + 1] != lo)) {
                i = (i + 1) & mask;
            }
            return i;
        }

        private static boolean free(long[] table, int slot) {
            return table[2 * slot] == 0 && table[2 * slot + 1] == 0;
        }
    }
}
