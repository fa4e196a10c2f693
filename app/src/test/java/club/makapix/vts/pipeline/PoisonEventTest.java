package club.makapix.vts.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import club.makapix.vts.config.Settings.WriteBatching;
import club.makapix.vts.store.Database;
import club.makapix.vts.store.EventWriter;
import club.makapix.vts.store.ViewEventStore;
import club.makapix.vts.store.WatchingStore;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * An event the database refuses for its content (here a NUL in a text field, past the doors' own
 * checks) is rejected at once as invalid and kept in failed_events; the events in its batch are
 * stored, nothing is held.
 * Before, the writer took the refusal for an outage and held the whole batch until its clients gave up.
 */
class PoisonEventTest {
    @Test
    void aPoisonEventIsRejectedAndItsBatchStored() throws Exception {
        TestDatabase db = TestDatabase.create();
        try (Database database = Database.open(db.url, db.user, db.password, 4)) {
            ViewEventStore store = new ViewEventStore(database.dataSource());
            Instant now = Instant.now();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            store.ensurePartitions(today, today);
            // a long linger, so the four events are written as one batch
            EventWriter writer = new EventWriter(database.dataSource(), store, new WatchingStore(50),
                    new WriteBatching(100, Duration.ofMillis(200), 1000, 1),
                    new SimpleMeterRegistry());
            try {
                List<CompletableFuture<Outcome>> outcomes = new ArrayList<>();
                for (int post = 1; post <= 4; post++) {
                    Event e = TestEvents.view(post, "viewer-" + post, now);
                    if (post == 3) {
                        e.channel = "a\u0000b";
                    }
                    outcomes.add(writer.write(e));
                }
                // held as before the fix, the batch would wait for its clients' 30 s deadline
                for (int post = 1; post <= 4; post++) {
                    Outcome outcome = outcomes.get(post - 1).get(10, TimeUnit.SECONDS);
                    if (post == 3) {
                        assertEquals(Outcome.Status.STOPPED, outcome.status());
                        assertEquals(Reason.INVALID_PAYLOAD, outcome.reason());
                    } else {
                        assertEquals(Outcome.Status.STORED, outcome.status(), "post " + post);
                    }
                }
                assertEquals(3, db.count("select count(*) from view_events"));
                assertEquals(0, db.count("select count(*) from view_events where post_id = 3"));
                Eventually.until(Duration.ofSeconds(10), () -> db.count("select count(*) from failed_events") == 1,
                        () -> "the refused event is kept for inspection");
                assertEquals(1, db.count("select count(*) from failed_events where post_id = 3 and door = 'http' and kind = 'view'"
                        + " and sqlstate like '22%' and error <> ''"));
            } finally {
                writer.close();
            }
        }
    }
}
