package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.config.Settings.WriteBatching;
import club.makapix.vts.store.Database;
import club.makapix.vts.store.EventWriter;
import club.makapix.vts.store.ViewEventStore;
import club.makapix.vts.store.WatchingStore;
import club.makapix.vts.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The writer and a real database: several watch reports of one viewer and post in a batch become one
 * progress update (the last position, every played second, no lost update), a resent report is stored
 * once, and two writers updating one viewer's row at once lose nothing either.
 */
class WatchReportBatchTest {
    static final Instant AT = Instant.parse("2026-11-21T16:24:20Z");

    @Test
    void reportsOfOneViewerAndPostInABatchFoldIntoOneRowAndAResendIsStoredOnce() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (Database database = Database.open(db.url, db.user, db.password, 4)) {
            // a long linger, so the reports are written as one batch
            EventWriter writer = new EventWriter(database.dataSource(), new ViewEventStore(database.dataSource()),
                    new WatchingStore(50), new WriteBatching(100, Duration.ofMillis(300), 1000, 1), new SimpleMeterRegistry());
            try {
                List<Event> reports = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Event e = report("user-1", AT.plusSeconds(10L * i), 10_000L * (i + 1), 10_000);
                    e.reachesCompletion = i == 2;
                    reports.add(e);
                }
                Event resend = report("user-1", AT.plusSeconds(30), 40_000, 10_000);
                resend.dedupeKey = reports.get(0).dedupeKey();
                reports.add(resend);
                List<CompletableFuture<Outcome>> outcomes = reports.stream().map(writer::write).toList();
                for (int i = 0; i < 3; i++) {
                    assertEquals(Outcome.Status.STORED, outcomes.get(i).get(10, TimeUnit.SECONDS).status());
                }
                assertEquals(Reason.DUPLICATE, outcomes.get(3).get(10, TimeUnit.SECONDS).reason());
                assertTrue(reports.get(0).completed(), "each stored report is told where its viewer now stands");

                Map<String, Object> row = db.rows("select * from watch_progress where viewer_id = 'user-1'").get(0);
                assertEquals(30_000L, row.get("position_ms"), "the batch's last report");
                assertEquals(30_000L, row.get("played_ms"), "every report's played time, the resend's not");
                assertEquals(1, db.count("select count(*) from daily_watch where starts = 1 and completions = 1 and watch_time_ms = 30000"));
                assertEquals(1, db.count("select count(*) from recently_viewed where viewer_id = 'user-1' and watched_ms = 30000"));

                // two batches at once, through two writers, on one row: every played second is kept
                EventWriter second = new EventWriter(database.dataSource(), new ViewEventStore(database.dataSource()),
                        new WatchingStore(50), new WriteBatching(100, Duration.ZERO, 1000, 1), new SimpleMeterRegistry());
                try {
                    List<CompletableFuture<Outcome>> both = new ArrayList<>();
                    for (int i = 0; i < 50; i++) {
                        both.add((i % 2 == 0 ? writer : second).write(report("user-1", AT.plusSeconds(100 + i), 50_000, 1_000)));
                    }
                    for (CompletableFuture<Outcome> f : both) {
                        assertEquals(Outcome.Status.STORED, f.get(30, TimeUnit.SECONDS).status());
                    }
                } finally {
                    second.close();
                }
                assertEquals(80_000L, db.rows("select played_ms from watch_progress where viewer_id = 'user-1'").get(0).get("played_ms"));
                assertEquals(1, db.count("select count(*) from daily_watch where starts = 1 and watch_time_ms = 80000"),
                        "a start counted once however many reports follow");
            } finally {
                writer.close();
            }
        }
    }

    @Test
    void reportsOfTheSameInstantInTwoWritesStartAndCompleteOnce() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (Database database = Database.open(db.url, db.user, db.password, 4)) {
            EventWriter writer = new EventWriter(database.dataSource(), new ViewEventStore(database.dataSource()),
                    new WatchingStore(50), new WriteBatching(1, Duration.ZERO, 1000, 1), new SimpleMeterRegistry());
            try {
                // one event per write: each of the four is its own transaction, all of one instant
                for (long position : new long[] {10_000, 20_000, 90_000, 95_000}) {
                    Event e = report("user-2", AT, position, 1_000);
                    e.reachesCompletion = position >= 80_000;
                    assertEquals(Outcome.Status.STORED, writer.write(e).get(10, TimeUnit.SECONDS).status());
                }
            } finally {
                writer.close();
            }
            assertEquals(1, db.count("select count(*) from daily_watch where starts = 1 and completions = 1"),
                    "one viewer started and completed the post once: " + db.rows("select * from daily_watch"));
        }
    }

    private static Event report(String viewer, Instant at, long positionMs, long playedMs) {
        Event e = TestEvents.watchReport(viewer, 7, at, positionMs, playedMs, "tab");
        e.mediaDurationMs = 100_000L;
        e.watchTimeMs = playedMs;
        e.viewerWatchMs = playedMs;
        return e;
    }
}
