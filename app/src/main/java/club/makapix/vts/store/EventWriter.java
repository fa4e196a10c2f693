package club.makapix.vts.store;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.config.Settings.WriteBatching;
import club.makapix.vts.metrics.LatencyBuckets;
import club.makapix.vts.pipeline.CountingRules;
import club.makapix.vts.pipeline.Event;
import club.makapix.vts.pipeline.EventSink;
import club.makapix.vts.pipeline.Kind;
import club.makapix.vts.pipeline.Outcome;
import club.makapix.vts.pipeline.Reason;
import club.makapix.vts.pipeline.Verdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups events that arrive together into one transaction (as many as are waiting, up to a batch
 * size, after lingering a few ms for more), then completes each event's future with its durable
 * outcome. While the database is unavailable it retries the same batch and completes nothing, so no
 * door ever reports an unstored event as stored; events whose client gave up (deadline passed) are
 * completed as unavailable before they could be written, so a later resend is the only copy.
 *
 * <p>A batch the database refuses for its content (a data error, not an outage) is written again one
 * event at a time: the events it takes are stored, the one it refuses is rejected as an invalid
 * payload at once, counted, and kept in {@code failed_events} for inspection. Such an event must never hold the batch or its client's connection:
 * that is what an outage does, and a poison event is not one.
 */
public final class EventWriter implements EventSink, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventWriter.class);
    private static final long MAX_BACKOFF_MS = 2_000;

    private record Pending(Event event, CompletableFuture<Outcome> done) {}

    /** Per event of a batch: whether it was stored now (false: stored before), and whether it counted. */
    private record Stored(boolean[] stored, boolean[] counted) {}

    private final DataSource dataSource;
    private final ViewEventStore store;
    private final WatchingStore watching;
    private final FailedEvents failedEvents;
    private final WriteBatching batching;
    private final BlockingQueue<Pending> queue;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean running = true;
    private volatile boolean failing;

    private final DistributionSummary batchSizes;
    private final Timer writeTimer;
    private final Counter failures;
    private final Counter rejected;

    public EventWriter(DataSource dataSource, ViewEventStore store, WatchingStore watching, WriteBatching batching,
                       MeterRegistry metrics) {
        this.dataSource = dataSource;
        this.store = store;
        this.watching = watching;
        this.failedEvents = new FailedEvents(dataSource);
        this.batching = batching;
        this.queue = new ArrayBlockingQueue<>(batching.queueCapacity());
        this.batchSizes = DistributionSummary.builder("vts_write_batch_size").description("Events per write transaction")
                .publishPercentiles(0.5, 0.99).register(metrics);
        this.writeTimer = Timer.builder("vts_write_seconds").description("Time to write one batch")
                .serviceLevelObjectives(LatencyBuckets.WRITE).register(metrics);
        this.failures = Counter.builder("vts_write_failures_total").description("Batch writes the database refused (retried)")
                .register(metrics);
        this.rejected = Counter.builder("vts_write_rejected_total")
                .description("Events the database refused for their content, rejected as invalid (not retried)")
                .register(metrics);
        Gauge.builder("vts_write_queue_depth", queue, BlockingQueue::size).description("Events waiting to be written")
                .register(metrics);
        for (int i = 0; i < batching.writers(); i++) {
            Thread t = DaemonThreads.named("vts-writer-" + i).newThread(this::run);
            threads.add(t);
            t.start();
        }
    }

    /** Queues the event; the future completes once it is stored, found already stored, rejected or given up. */
    @Override
    public CompletableFuture<Outcome> write(Event event) {
        Pending pending = new Pending(event, new CompletableFuture<>());
        if (!running || !queue.offer(pending)) {
            pending.done.complete(Outcome.unavailable("the write queue is full"));
        }
        return pending.done;
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(batching.maxBatch());
        long backoffMs = 50;
        // on shutdown, finish what is queued unless the database is away (then nothing was acknowledged anyway)
        while (running || (!failing && (!queue.isEmpty() || !batch.isEmpty()))) {
            try {
                if (batch.isEmpty() && !fill(batch)) {
                    continue;
                }
                expireOverdue(batch);
                if (batch.isEmpty()) {
                    continue;
                }
                try {
                    writeBatch(batch);
                } catch (SQLException e) {
                    if (!isDataError(e)) {
                        throw e;
                    }
                    writeOneByOne(batch);
                }
                batch.clear();
                backoffMs = 50;
                if (failing) {
                    failing = false;
                    LOG.info("Database writes succeed again");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (SQLException | RuntimeException e) {
                failures.increment();
                if (!failing) {
                    failing = true;
                    LOG.warn("Database write failed ({}: {}); holding {} events and retrying", e.getClass().getSimpleName(),
                            firstLine(e.getMessage()), batch.size());
                }
                queue.removeIf(this::expireIfOverdue);
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
                backoffMs = Math.min(MAX_BACKOFF_MS, backoffMs * 2);
            }
        }
        for (Pending p : batch) {
            p.done.complete(Outcome.unavailable("the server is shutting down"));
        }
    }

    /** Takes what is waiting, lingering briefly for more; false if nothing came. */
    private boolean fill(List<Pending> batch) throws InterruptedException {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
            return false;
        }
        batch.add(first);
        queue.drainTo(batch, batching.maxBatch() - batch.size());
        long lingerNanos = batching.linger().toNanos();
        long until = System.nanoTime() + lingerNanos;
        while (lingerNanos > 0 && batch.size() < batching.maxBatch()) {
            long left = until - System.nanoTime();
            Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                break;
            }
            batch.add(next);
            queue.drainTo(batch, batching.maxBatch() - batch.size());
        }
        return true;
    }

    private void expireOverdue(List<Pending> batch) {
        batch.removeIf(this::expireIfOverdue);
    }

    private boolean expireIfOverdue(Pending p) {
        if (System.nanoTime() - p.event.deadlineNanos() < 0) {
            return false;
        }
        p.done.complete(Outcome.unavailable("the database did not take the event in time"));
        return true;
    }

    private void writeBatch(List<Pending> batch) throws SQLException {
        // a resend may meet its original in the same batch: write the first, the others are duplicates
        Map<UUID, Pending> firstByKey = new HashMap<>();
        List<Pending> unique = new ArrayList<>(batch.size());
        List<Pending> repeats = new ArrayList<>();
        for (Pending p : batch) {
            UUID key = p.event.dedupeKey();
            if (key == null || firstByKey.putIfAbsent(key, p) == null) {
                unique.add(p);
            } else {
                repeats.add(p);
            }
        }
        List<Event> events = new ArrayList<>(unique.size());
        for (Pending p : unique) {
            events.add(p.event);
        }
        long start = System.nanoTime();
        Stored written = storeCreatingPartitions(events);
        writeTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        batchSizes.record(batch.size());
        for (int i = 0; i < unique.size(); i++) {
            Pending p = unique.get(i);
            p.done.complete(written.stored()[i] ? Outcome.stored(written.counted()[i]) : Outcome.duplicate());
        }
        for (Pending p : repeats) {
            p.done.complete(Outcome.duplicate());
        }
    }

    /** Writes each event alone, rejecting those the database refuses for their content; an outage still throws. */
    private void writeOneByOne(List<Pending> batch) throws SQLException {
        for (Iterator<Pending> it = batch.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            try {
                writeBatch(List.of(p));
            } catch (SQLException e) {
                if (!isDataError(e)) {
                    throw e;
                }
                rejected.increment();
                LOG.warn("The database refused an event's content (SQLState {}); rejected as invalid, kept in failed_events",
                        e.getSQLState());
                p.done.complete(Outcome.stopped(Verdict.stop(Reason.INVALID_PAYLOAD, "the event's content cannot be stored")));
                try {
                    failedEvents.keep(p.event, e);
                } catch (SQLException | RuntimeException notKept) {
                    LOG.warn("A failed event could not be kept ({})", firstLine(notKept.getMessage()));
                }
            }
            it.remove();
        }
    }

    /**
     * Whether the database refused the statement for what it holds (SQLSTATE class 22, data exception:
     * a NUL byte, a time out of range…; class 54, a value over a limit), which no retry can fix.
     */
    static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("54"));
    }

    private Stored storeCreatingPartitions(List<Event> events) throws SQLException {
        try {
            return store(events);
        } catch (SQLException e) {
            if (!ViewEventStore.NO_PARTITION.equals(e.getSQLState())) {
                throw e;
            }
            // events of a day without a partition (a clock far off, a late start): make the days they need
            LocalDate first = null;
            LocalDate last = null;
            for (Event event : events) {
                LocalDate day = LocalDate.ofInstant(event.receivedAt(), ZoneOffset.UTC);
                first = first == null || day.isBefore(first) ? day : first;
                last = last == null || day.isAfter(last) ? day : last;
            }
            store.ensurePartitions(first, last);
            return store(events);
        }
    }

    /**
     * Stores the events in one transaction: views and impressions as raw events, watch reports into
     * the watching tables, and what signed-in viewers' stored events add to their history. A batch with
     * none of the last two is one statement, committed by itself.
     */
    private Stored store(List<Event> events) throws SQLException {
        List<Event> appearances = new ArrayList<>(events.size());
        List<Event> reports = new ArrayList<>();
        boolean viewers = false;
        for (Event e : events) {
            (e.kind() == Kind.WATCH ? reports : appearances).add(e);
            viewers |= WatchingStore.feedsViewer(e);
        }
        boolean[] mayCount = CountingRules.mayCount(appearances);
        try (Connection c = dataSource.getConnection()) {
            if (reports.isEmpty() && !viewers) {
                ViewEventStore.Written w = store.insert(c, appearances, mayCount);
                return new Stored(w.stored(), w.counted());
            }
            c.setAutoCommit(false);
            try {
                ViewEventStore.Written w = appearances.isEmpty() ? new ViewEventStore.Written(new boolean[0], new boolean[0])
                        : store.insert(c, appearances, mayCount);
                Set<String> historyGrew = new HashSet<>();
                boolean[] reportsStored = reports.isEmpty() ? new boolean[0] : watching.writeReports(c, reports, historyGrew);
                List<Event> fed = new ArrayList<>();
                for (int i = 0; i < appearances.size(); i++) {
                    Event e = appearances.get(i);
                    if (w.stored()[i] && WatchingStore.feedsViewer(e)) {
                        fed.add(e);
                    }
                }
                if (!fed.isEmpty()) {
                    watching.noteAppearances(c, fed, historyGrew);
                }
                if (!historyGrew.isEmpty()) {
                    watching.trimRecentlyViewed(c, historyGrew);
                }
                c.commit();
                boolean[] stored = new boolean[events.size()];
                boolean[] counted = new boolean[events.size()];
                int a = 0;
                int r = 0;
                for (int i = 0; i < events.size(); i++) {
                    if (events.get(i).kind() == Kind.WATCH) {
                        stored[i] = reportsStored[r++];
                    } else {
                        stored[i] = w.stored()[a];
                        counted[i] = w.counted()[a++];
                    }
                }
                return new Stored(stored, counted);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** Stops taking events and finishes what is queued (up to a few seconds). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        for (Thread t : threads) {
            t.join(10_000);
        }
        Pending left;
        while ((left = queue.poll()) != null) {
            left.done.complete(Outcome.unavailable("the server is shutting down"));
        }
    }
}
