package club.makapix.vts.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, as printed and as written under {@code bench-results/}.
 *
 * @param startedAt         ISO time the load started
 * @param players           players asked for
 * @param connectedPlayers  players connected when the load started
 * @param seconds           load duration
 * @param inflightPerPlayer publishes each player kept awaiting a PUBACK
 * @param eventsPerSecond   successful PUBACKs during the load window, per second
 * @param ackedInWindow     successful PUBACKs during the load window
 * @param acked             successful PUBACKs including those that came after the window (drain)
 * @param rejected          PUBACKs with a failure reason code
 * @param rejectedByCode    the same by reason code
 * @param lost              publishes that failed or lost their connection before a PUBACK
 * @param unanswered        publishes still awaiting a PUBACK when the benchmark gave up waiting
 * @param disconnectedPlayers players whose connection was down at the end of the load
 * @param latencyMs         PUBACK latency, publish to PUBACK (client side, HdrHistogram)
 * @param batchSize         the server's write batch sizes during the load
 * @param writeMs           the server's time to write one batch
 * @param serverOutcomes    the server's vts_events_total increments during the load, by series
 * @param gcPauseSeconds    garbage collection during the load, in the server and in this load generator
 */
record BenchResult(String startedAt, int players, int connectedPlayers, int seconds, int inflightPerPlayer,
                   double eventsPerSecond, long ackedInWindow, long acked, long rejected, Map<String, Long> rejectedByCode,
                   long lost, long unanswered, int disconnectedPlayers, Latency latencyMs, BatchSizes batchSize,
                   WriteTime writeMs, Map<String, Long> serverOutcomes, GcPauses gcPauseSeconds) {

    record Latency(double p50, double p90, double p99, double max, long count) {}

    /** Quantiles and max are the server's (a decaying window of about 2 minutes); count and mean are this run's. */
    record BatchSizes(double p50, double p99, double mean, double max, long batches) {}

    record WriteTime(double p50, double p99, double mean) {}

    record GcPauses(double server, double bench) {}

    void print() {
        System.out.println();
        System.out.printf(Locale.ROOT, "VTS MQTT benchmark: %d players (%d connected), %d in flight each, %d s, %d cores%n",
                players, connectedPlayers, inflightPerPlayer, seconds, Runtime.getRuntime().availableProcessors());
        row("events/s (acked)", String.format(Locale.ROOT, "%,.0f", eventsPerSecond));
        row("acked / rejected / lost", String.format(Locale.ROOT, "%,d / %,d / %,d", acked, rejected, lost)
                + (rejectedByCode.isEmpty() ? "" : "   rejected by reason code " + rejectedByCode));
        row("unanswered at end", String.format(Locale.ROOT, "%,d   (players disconnected: %d)", unanswered, disconnectedPlayers));
        row("PUBACK latency ms", String.format(Locale.ROOT, "p50 %.1f   p90 %.1f   p99 %.1f   max %.1f",
                latencyMs.p50, latencyMs.p90, latencyMs.p99, latencyMs.max));
        row("write batch size", String.format(Locale.ROOT, "p50 %.0f   p99 %.0f   mean %.1f   max %.0f   (%,d batches)",
                batchSize.p50, batchSize.p99, batchSize.mean, batchSize.max, batchSize.batches));
        row("write time ms", String.format(Locale.ROOT, "p50 %.1f   p99 %.1f   mean %.1f", writeMs.p50, writeMs.p99, writeMs.mean));
        row("server outcomes", serverOutcomes.toString());
        row("GC pauses s", String.format(Locale.ROOT, "server %.2f   bench %.2f", gcPauseSeconds.server, gcPauseSeconds.bench));
    }

    private static void row(String name, String value) {
        System.out.printf("  %-24s %s%n", name, value);
    }

    /**
     * Writes {@code <stamp>.json} (this result), {@code <stamp>-progress.csv} (one line a second)
     * and appends a line to {@code summary.csv} so runs can be compared.
     */
    void write(Path dir, String stamp, List<ProgressSample> progress) throws IOException {
        Files.createDirectories(dir);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(stamp + ".json").toFile(), this);
        StringBuilder csv = new StringBuilder(ProgressSample.CSV_HEADER).append('\n');
        progress.forEach(p -> csv.append(p.csv()).append('\n'));
        Files.writeString(dir.resolve(stamp + "-progress.csv"), csv);
        Path summary = dir.resolve("summary.csv");
        if (!Files.exists(summary)) {
            Files.writeString(summary, "started_at,players,seconds,inflight,events_per_s,latency_p50_ms,latency_p99_ms,"
                    + "latency_max_ms,batch_p50,batch_p99,batch_mean,rejected,lost,unanswered\n");
        }
        Files.writeString(summary, String.format(Locale.ROOT, "%s,%d,%d,%d,%.1f,%.3f,%.3f,%.3f,%.0f,%.0f,%.2f,%d,%d,%d%n",
                startedAt, players, seconds, inflightPerPlayer, eventsPerSecond, latencyMs.p50, latencyMs.p99, latencyMs.max,
                batchSize.p50, batchSize.p99, batchSize.mean, rejected, lost, unanswered), StandardOpenOption.APPEND);
    }
}
