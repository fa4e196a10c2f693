package club.makapix.vts.rollup;

import club.makapix.vts.concurrent.DaemonThreads;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rollup every day at a set UTC time, and once shortly after start so a node that was
 * down at that time catches up. Several nodes may all try: the rollup's lock lets one work.
 */
public final class RollupScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RollupScheduler.class);
    private final Rollup rollup;
    private final LocalTime at;
    private final Clock clock;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vts-rollup"));

    public RollupScheduler(Rollup rollup, LocalTime at, Clock clock) {
        this.rollup = rollup;
        this.at = at;
        this.clock = clock;
        timer.schedule(this::runAndReschedule, 1, TimeUnit.MINUTES);
    }

    private void runAndReschedule() {
        try {
            rollup.runThrough(rollup.lastCompleteDay());
        } catch (Exception e) {
            LOG.warn("Rollup failed ({}); it will run again at {} UTC", e.toString(), at);
        }
        Duration wait = untilNext();
        timer.schedule(this::runAndReschedule, wait.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Duration untilNext() {
        Instant now = clock.instant();
        ZonedDateTime next = now.atZone(ZoneOffset.UTC).with(at);
        if (!next.toInstant().isAfter(now)) {
            next = next.plusDays(1);
        }
        return Duration.between(now, next.toInstant());
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
