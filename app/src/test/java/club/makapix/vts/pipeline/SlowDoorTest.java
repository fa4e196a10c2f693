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
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A door that is slow with one outcome (an HTTP client reading its response slowly, say) must not
 * hold up the outcomes of other events: the writer stores and answers them meanwhile. Real
 * PostgreSQL, one writer thread.
 */
class SlowDoorTest {

    @Test
    void aDoorSlowWithOneOutcomeDoesNotDelayTheNextEvents() throws Exception {
        TestDatabase db = TestDatabase.create();
        ExecutorService stageThreads = Executors.newFixedThreadPool(2);
        CountDownLatch releaseSlowDoor = new CountDownLatch(1);
        try (Database database = Database.open(db.url, db.user, db.password, 4)) {
            ViewEventStore store = new ViewEventStore(database.dataSource());
            Instant now = Instant.now();
            LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
            store.ensurePartitions(today, today);
            try (EventWriter writer = new EventWriter(database.dataSource(), store, new WatchingStore(50), new WriteBatching(1000, Duration.ZERO, 1000, 1),
                    new SimpleMeterRegistry())) {
                // holds the first event until the door has hooked onto its outcome, so that the
                // door's work runs where the outcome is completed (the test thread never waits on it)
                CountDownLatch doorWaiting = new CountDownLatch(1);
                Stage holdFirst = event -> {
                    if (event.postId() == 1) {
                        awaitQuietly(doorWaiting);
                    }
                    return Verdict.pass();
                };
                Pipeline pipeline = new Pipeline(List.of(holdFirst), List.of(), writer, stageThreads, new SimpleMeterRegistry());

                CompletableFuture<Outcome> first = pipeline.submit(TestEvents.view(1, "viewer-1", now));
                CountDownLatch doorBusy = new CountDownLatch(1);
                CompletableFuture<Outcome> slowDoor = first.thenApply(outcome -> {
                    doorBusy.countDown();
                    awaitQuietly(releaseSlowDoor);
                    return outcome;
                });
                doorWaiting.countDown();
                assertTrue(doorBusy.await(10, TimeUnit.SECONDS), "the first event is stored and its door at work");
                Outcome second = pipeline.submit(TestEvents.view(2, "viewer-1", now)).get(5, TimeUnit.SECONDS);

                assertEquals(Outcome.Status.STORED, second.status(), "stored and answered while the first door still works");
                releaseSlowDoor.countDown();
                assertEquals(Outcome.Status.STORED, slowDoor.get(10, TimeUnit.SECONDS).status());
            }
            assertEquals(2L, db.count("select count(*) from view_events"));
        } finally {
            releaseSlowDoor.countDown();
            stageThreads.shutdownNow();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
