package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecentKeysTest {
    private static final Duration WINDOW = Duration.ofMinutes(15);
    private final AtomicLong now = new AtomicLong(123_456_789L);

    @Test
    void remembersExactlyTheKeysAddedThroughGrowth() {
        RecentKeys keys = new RecentKeys(WINDOW, 1_000_000, now::get);
        Random random = new Random(7);
        List<UUID> added = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {   // many times the first table's size
            UUID key = new UUID(random.nextLong(), random.nextLong());
            keys.add(key);
            added.add(key);
        }
        for (UUID key : added) {
            assertTrue(keys.contains(key));
        }
        int strangers = 0;
        for (int i = 0; i < 100_000; i++) {
            strangers += keys.contains(new UUID(random.nextLong(), random.nextLong())) ? 1 : 0;
        }
        assertEquals(0, strangers, "an exact set: no key that was not added is ever found");
    }

    @Test
    void keysCollidingInTheTableStayDistinct() {
        RecentKeys keys = new RecentKeys(WINDOW, 1_000, now::get);
        // same hash input (hi ^ rotated lo) for all three
        UUID a = new UUID(0x1234L, 0);
        UUID b = new UUID(0x1234L ^ Long.rotateLeft(1, 32), 1);
        UUID c = new UUID(0x1234L ^ Long.rotateLeft(2, 32), 2);
        keys.add(a);
        keys.add(c);
        assertTrue(keys.contains(a));
        assertFalse(keys.contains(b));
        assertTrue(keys.contains(c));
    }

    @Test
    void theAllZeroKeyIsAKeyLikeAnyOther() {
        RecentKeys keys = new RecentKeys(WINDOW, 1_000, now::get);
        UUID zero = new UUID(0, 0);
        assertFalse(keys.contains(zero));
        keys.add(zero);
        assertTrue(keys.contains(zero));
    }

    @Test
    void aKeyIsRememberedForTheWholeWindowAndForgottenSoonAfter() {
        RecentKeys keys = new RecentKeys(WINDOW, 1_000, now::get);
        UUID key = UUID.randomUUID();
        keys.add(key);
        long slice = WINDOW.toNanos() / 15;
        now.addAndGet(WINDOW.toNanos());
        assertTrue(keys.contains(key), "still there at the end of the window");
        now.addAndGet(2 * slice);
        assertFalse(keys.contains(key), "gone at most one slice after the window");
    }

    @Test
    void slicesAreReusedAsTimeGoesRound() {
        RecentKeys keys = new RecentKeys(WINDOW, 1_000_000, now::get);
        long slice = WINDOW.toNanos() / 15;
        Set<UUID> lastWindow = new HashSet<>();
        List<UUID> all = new ArrayList<>();
        for (int step = 0; step < 100; step++) {   // over six windows, a key every slice
            UUID key = UUID.randomUUID();
            keys.add(key);
            all.add(key);
            now.addAndGet(slice);
        }
        for (int i = all.size() - 15; i < all.size(); i++) {
            lastWindow.add(all.get(i));
        }
        for (UUID key : all) {
            assertEquals(lastWindow.contains(key), keys.contains(key), "keys of the last 15 slices, and only those");
        }
    }

    @Test
    void pastMaxKeysTheOldestSlicesGoFirstAndTheNewestKeysStay() {
        RecentKeys keys = new RecentKeys(WINDOW, 100, now::get);
        long slice = WINDOW.toNanos() / 15;
        List<UUID> old = add(keys, 60);
        now.addAndGet(slice);
        List<UUID> middle = add(keys, 30);
        now.addAndGet(slice);
        List<UUID> newest = add(keys, 30);   // 120 > 100: the oldest slice is forgotten early
        assertTrue(old.stream().noneMatch(keys::contains));
        assertTrue(middle.stream().allMatch(keys::contains));
        assertTrue(newest.stream().allMatch(keys::contains));
    }

    private static List<UUID> add(RecentKeys keys, int n) {
        List<UUID> added = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            UUID key = UUID.randomUUID();
            keys.add(key);
            added.add(key);
        }
        return added;
    }
}
