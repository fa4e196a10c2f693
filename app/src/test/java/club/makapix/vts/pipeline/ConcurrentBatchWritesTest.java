package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import club.makapix.vts.store.Database;
import club.makapix.vts.store.ViewEventStore;
import club.makapix.vts.support.TestDatabase;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two writers storing batches that share (day, post, viewer) keys at the same moment, on a real
 * PostgreSQL. Listed in opposite orders, such batches used to deadlock (PostgreSQL aborts one after
 * deadlock_timeout: a 1 s stall and a retry).
 */
class ConcurrentBatchWritesTest {
    private static final int POSTS = 500;

    @Test
    void batchesSharingViewsInOppositeOrderNeitherDeadlockNorCountTwice() throws Exception {
        TestDatabase db = TestDatabase.create();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (Database database = Database.open(db.url, db.user, db.password, 4)) {
            ViewEventStore store = new ViewEventStore(database.dataSource());
            Instant now = Instant.now();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            store.ensurePartitions(today, today);
            boolean[] mayCount = new boolean[POSTS];
            Arrays.fill(mayCount, true);
            for (int round = 0; round < 20; round++) {
                String viewer = "viewer-" + round;
                List<Event> up = new ArrayList<>();
                List<Event> down = new ArrayList<>();
                for (int post = 1; post <= POSTS; post++) {
                    up.add(TestEvents.view(post, viewer, now));
                    down.add(TestEvents.view(POSTS + 1 - post, viewer, now));
                }
                CyclicBarrier together = new CyclicBarrier(2);
                Future<ViewEventStore.Written> a = writers.submit(() -> {
                    together.await();
                    try (java.sql.Connection c = database.dataSource().getConnection()) {
                        return store.insert(c, up, mayCount);
                    }
                });
                Future<ViewEventStore.Written> b = writers.submit(() -> {
                    together.await();
                    try (java.sql.Connection c = database.dataSource().getConnection()) {
                        return store.insert(c, down, mayCount);
                    }
                });
                int counted = count(a.get(30, TimeUnit.SECONDS).counted()) + count(b.get(30, TimeUnit.SECONDS).counted());
                assertEquals(POSTS, counted, "each post's view by " + viewer + " counts once, whichever batch stored it");
            }
            assertEquals(2L * 20 * POSTS, db.count("select count(*) from view_events"));
        } finally {
            writers.shutdownNow();
        }
    }

    private static int count(boolean[] values) {
        int n = 0;
        for (boolean v : values) {
            n += v ? 1 : 0;
        }
        return n;
    }
}
