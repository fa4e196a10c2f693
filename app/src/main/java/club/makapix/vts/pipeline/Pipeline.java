package club.makapix.vts.pipeline;

import club.makapix.vts.metrics.LatencyBuckets;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One door's path: its stages in order, then the writer, then what notes the durable outcome. Each
 * door's list is declared in one place ({@code Server}) from the same stage objects, so the doors
 * share every rule they have in common. Every stage is timed ({@code vts_stage_seconds{stage}}).
 */
public final class Pipeline {
    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    private final List<Stage> stages;
    private final List<Timer> stageTimers;
    private final List<AfterOutcome> afterOutcome;
    private final EventSink writer;
    private final ExecutorService executor;
    private final MeterRegistry metrics;
    // counters found by their tag values' objects, so counting an event builds no key
    private final Map<Stage, Map<Reason, Counter>> drops = new ConcurrentHashMap<>();
    private final Map<Door, Map<String, Counter>> outcomes = new ConcurrentHashMap<>();
    private final Map<Stage, Counter> stageErrors = new ConcurrentHashMap<>();
    private static final long FAILURE_LOG_INTERVAL_NANOS = 10_000_000_000L;
    private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - FAILURE_LOG_INTERVAL_NANOS - 1);

    public Pipeline(List<Stage> stages, List<AfterOutcome> afterOutcome, EventSink writer, ExecutorService executor,
                    MeterRegistry metrics) {
        this.stages = List.copyOf(stages);
        this.stageTimers = this.stages.stream().map(stage -> Timer.builder("vts_stage_seconds")
                .description("Time an event spends in each stage").tag("stage", stage.name())
                .serviceLevelObjectives(LatencyBuckets.STAGE).register(metrics)).toList();
        this.afterOutcome = List.copyOf(afterOutcome);
        this.writer = writer;
        this.executor = executor;
        this.metrics = metrics;
    }

    /** Runs the event through the stages and the writer; the future never completes exceptionally. */
    public CompletableFuture<Outcome> submit(Event event) {
        CompletableFuture<Outcome> result = new CompletableFuture<>();
        try {
            executor.execute(() -> run(event, result));
        } catch (RejectedExecutionException e) {
            finish(event, Outcome.unavailable("the server is overloaded"), result);
        }
        return result;
    }

    private void run(Event event, CompletableFuture<Outcome> result) {
        int passed = 0;
        try {
            for (Stage stage : stages) {
                long start = System.nanoTime();
                Verdict verdict = stage.apply(event);
                stageTimers.get(passed).record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                if (!verdict.passed()) {
                    countDrop(stage, verdict.reason());
                    finish(event, Outcome.stopped(verdict), result);
                    return;
                }
                passed++;
            }
        } catch (RuntimeException e) {
            stageFailed(stages.get(passed), e);
            finish(event, Outcome.unavailable("processing failed"), result);
            return;
        }
        // Not on the writer's thread: what a door does with an outcome (Javalin writes the HTTP
        // response right there) would hold the writer back from its next batch. The bench's
        // single-POST load spent three quarters of the writers' time writing responses.
        writer.write(event).whenCompleteAsync((outcome, failure) ->
                finish(event, failure == null ? outcome : Outcome.unavailable("write failed"), result), this::onStageThread);
    }

    /** Runs the task on a stage thread, or here when they refuse it (queue full, shutting down): it must run. */
    private void onStageThread(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    private void finish(Event event, Outcome outcome, CompletableFuture<Outcome> result) {
        for (AfterOutcome step : afterOutcome) {
            try {
                step.afterOutcome(event, outcome);
            } catch (RuntimeException e) {
                LOG.warn("{} could not note an outcome", step.getClass().getSimpleName(), e);
            }
        }
        countOutcome(event.door(), outcome.label());
        result.complete(outcome);
    }

    /**
     * A stage that throws (a lookup while the database is away, say) makes the event unavailable:
     * its client retries. Counted always; logged with its stack at most every 10 s, not per event.
     */
    private void stageFailed(Stage stage, RuntimeException e) {
        stageErrors.computeIfAbsent(stage,
                s -> Counter.builder("vts_stage_errors_total").description("Events a stage failed on (answered as unavailable)")
                        .tag("stage", s.name()).register(metrics)).increment();
        long now = System.nanoTime();
        long last = lastFailureLog.get();
        if (now - last > FAILURE_LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(last, now)) {
            LOG.error("Stage {} failed; its events are answered as unavailable (logged at most every 10 s)", stage.name(), e);
        }
    }

    private void countDrop(Stage stage, Reason reason) {
        Map<Reason, Counter> byReason = drops.computeIfAbsent(stage, s -> new ConcurrentHashMap<>());
        Counter counter = byReason.get(reason);
        if (counter == null) {
            counter = byReason.computeIfAbsent(reason, r -> Counter.builder("vts_dropped_total")
                    .description("Events a stage stopped, by stage and reason")
                    .tag("stage", stage.name()).tag("reason", r.label()).register(metrics));
        }
        counter.increment();
    }

    private void countOutcome(Door door, String label) {
        Map<String, Counter> byLabel = outcomes.computeIfAbsent(door, d -> new ConcurrentHashMap<>());
        Counter counter = byLabel.get(label);
        if (counter == null) {
            counter = byLabel.computeIfAbsent(label, l -> Counter.builder("vts_events_total")
                    .description("Events by door and durable outcome (counted, accepted, a drop reason, unavailable)")
                    .tag("door", door.label()).tag("outcome", l).register(metrics));
        }
        counter.increment();
    }
}
