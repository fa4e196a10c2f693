package club.makapix.vts.pipeline;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;

/**
 * Where a watch report stands (contract §5), decided in one place: the media's length is the post's
 * registered duration, else the report's; a position past it is clamped to it, and so is a played time
 * (24 h without a length); the report reaches completion when its position is at least
 * {@code VTS_COMPLETE_AT_PERCENT} of the length. Each clamp is counted as
 * {@code vts_watch_report_clamped_total{cap}}. Other events pass untouched.
 */
public final class MeasureWatchReport implements Stage {
    static final Duration PLAYED_CAP_WITHOUT_DURATION = Duration.ofHours(24);

    private final int completeAtPercent;
    private final Counter positionClamped;
    private final Counter playedClamped;

    public MeasureWatchReport(int completeAtPercent, MeterRegistry metrics) {
        this.completeAtPercent = completeAtPercent;
        this.positionClamped = clamps(metrics, "position_past_duration");
        this.playedClamped = clamps(metrics, "played_past_duration");
    }

    static Counter clamps(MeterRegistry metrics, String cap) {
        return Counter.builder("vts_watch_report_clamped_total")
                .description("Watch reports whose position or played time was clamped, by the cap applied")
                .tag("cap", cap).register(metrics);
    }

    @Override
    public Verdict apply(Event event) {
        if (event.kind() != Kind.WATCH) {
            return Verdict.pass();
        }
        if (event.postDurationSeconds() != null) {
            event.mediaDurationMs = event.postDurationSeconds() * 1000L;
        }
        Long length = event.mediaDurationMs();
        if (length != null && event.positionMs > length) {
            event.positionMs = length;
            positionClamped.increment();
        }
        long playedCap = length != null ? length : PLAYED_CAP_WITHOUT_DURATION.toMillis();
        if (event.playedMs != null && event.playedMs > playedCap) {
            event.playedMs = playedCap;
            playedClamped.increment();
        }
        event.reachesCompletion = length != null && event.positionMs * 100 >= completeAtPercent * length;
        return Verdict.pass();
    }

    /** Position ÷ length in percent, to a tenth, at most 100; null without a length. */
    public static Double progressPercent(long positionMs, Long lengthMs) {
        if (lengthMs == null || lengthMs <= 0) {
            return null;
        }
        return Math.min(1000, Math.round(positionMs * 1000.0 / lengthMs)) / 10.0;
    }
}
