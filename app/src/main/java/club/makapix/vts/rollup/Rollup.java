package club.makapix.vts.rollup;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rolls each complete UTC day after the persisted watermark into daily rows, one transaction per
 * day (the watermark moves in the same transaction), so a crash loses or doubles nothing and a rerun
 * only does what is left. A day is complete once it ended and the grace for in-flight events has
 * passed. Days already rolled up whose raw events have changed since (late events) are rolled up
 * again while their partitions exist. One runner at a time across nodes (an advisory lock). Raw
 * data older than the retention is dropped, but only once rolled up.
 */
public final class Rollup {
    private static final Logger LOG = LoggerFactory.getLogger(Rollup.class);
    private static final long LOCK_KEY = 0x565453_524F4C4CL; // "VTS ROLL"

    /** What one run did. {@code busy}: another node holds the rollup lock, nothing was done. */
    public record Result(boolean busy, LocalDate watermark, int daysRolled, int daysRolledAgain, long events,
                         int partitionsDropped) {}

    private final DataSource dataSource;
    private final Clock clock;
    private final Duration grace;
    private final int retentionDays;
    private final Runnable afterChange;
    private final AtomicLong watermarkSeconds = new AtomicLong();
    private final Counter daysRolled;

    public Rollup(DataSource dataSource, Clock clock, Duration grace, int retentionDays, MeterRegistry metrics,
                  Runnable afterChange) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.grace = grace;
        this.retentionDays = retentionDays;
        this.afterChange = afterChange;
        Gauge.builder("vts_rollup_watermark_seconds", watermarkSeconds, AtomicLong::get)
                .description("End of the last rolled-up UTC day, as a Unix time").register(metrics);
        this.daysRolled = Counter.builder("vts_rollup_days_total").description("Days rolled up (again)").register(metrics);
    }

    /** The last UTC day that is complete now. */
    public LocalDate lastCompleteDay() {
        return LocalDate.ofInstant(clock.instant().minus(grace), ZoneOffset.UTC).minusDays(1);
    }

    /** Reads the watermark into the metric (at start, before any run). */
    public void publishWatermark() throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            publish(RollupStore.watermark(c));
        }
    }

    /** Rolls up every complete day up to {@code through} (or up to the last complete day, if earlier). */
    public Result runThrough(LocalDate through) throws SQLException {
        LocalDate last = through.isAfter(lastCompleteDay()) ? lastCompleteDay() : through;
        try (Connection c = dataSource.getConnection()) {
            if (!lock(c, "pg_try_advisory_lock")) {
                LOG.info("Rollup: another node is rolling up; skipping");
                return new Result(true, RollupStore.watermark(c), 0, 0, 0, 0);
            }
            try {
                c.setAutoCommit(false);
                Result result = run(c, last);
                c.setAutoCommit(true);
                if (result.daysRolled() + result.daysRolledAgain() + result.partitionsDropped() > 0) {
                    afterChange.run();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                c.setAutoCommit(true);
                throw e;
            } finally {
                lock(c, "pg_advisory_unlock");
            }
        }
    }

    private Result run(Connection c, LocalDate last) throws SQLException {
        long started = System.nanoTime();
        LocalDate watermark = RollupStore.watermark(c);
        LocalDate firstRaw = RollupStore.firstRawDay(c);
        long events = 0;
        int again = 0;
        if (watermark != null && firstRaw != null) {
            // late events: a rolled-up day whose raw events changed since is rolled up again
            for (Map.Entry<LocalDate, Long> day : RollupStore.rolledDays(c, firstRaw).entrySet()) {
                if (!day.getKey().isAfter(watermark) && RollupStore.rawEvents(c, day.getKey()) != day.getValue()) {
                    events += RollupStore.rollUp(c, day.getKey(), clock.instant());
                    c.commit();
                    again++;
                    daysRolled.increment();
                    LOG.info("Rollup: {} rolled up again (late events)", day.getKey());
                }
            }
        }
        LocalDate first = watermark != null ? watermark.plusDays(1) : firstRaw;
        List<LocalDate> days = first == null || first.isAfter(last) ? List.of() : RollupStore.days(first, last);
        int done = 0;
        for (LocalDate day : days) {
            long dayStart = System.nanoTime();
            long dayEvents = RollupStore.rollUp(c, day, clock.instant());
            RollupStore.setWatermark(c, day);
            c.commit();
            watermark = day;
            publish(day);
            events += dayEvents;
            done++;
            daysRolled.increment();
            LOG.info("Rollup: {} done ({} of {} days, {} events, {} ms)", day, done, days.size(), dayEvents,
                    (System.nanoTime() - dayStart) / 1_000_000);
        }
        int dropped = 0;
        if (watermark != null) {
            LocalDate retained = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC).minusDays(retentionDays);
            LocalDate cutoff = retained.isAfter(watermark.plusDays(1)) ? watermark.plusDays(1) : retained;
            dropped = RollupStore.dropRawBefore(c, cutoff);
            c.commit();
            if (dropped > 0) {
                LOG.info("Rollup: dropped {} raw partitions before {}", dropped, cutoff);
            }
        }
        LOG.info("Rollup: watermark {}, {} days rolled up, {} again, {} events, {} ms", watermark, done, again, events,
                (System.nanoTime() - started) / 1_000_000);
        return new Result(false, watermark, done, again, events, dropped);
    }

    private void publish(LocalDate watermark) {
        if (watermark != null) {
            watermarkSeconds.set(watermark.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond());
        }
    }

    private static boolean lock(Connection c, String function) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select " + function + "(?)")) {
            ps.setLong(1, LOCK_KEY);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
