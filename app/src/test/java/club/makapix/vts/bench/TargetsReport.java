package club.makapix.vts.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * The table of {@code scripts/bench targets}: every figure of the performance targets as the median
 * over the runs, each ratio taken within one run (VTS and its reference measured a minute apart on
 * the same machine) before the median is taken. Also written as JSON (every run) and CSV (the table).
 *
 * @param idle the memory figure: the server with no player and with the idle players connected; null when skipped
 */
record TargetsReport(TargetsOptions options, String machine, List<TargetsRun> runs, IdlePlayers idle) {

    /** @param connected idle players connected when measured */
    record IdlePlayers(int connected, ServerMemory withNone, ServerMemory withIdle) {}

    private record Row(String figure, String vts, String reference, String ratio, String target, String verdict) {}

    /** A phase whose CPU use the second table shows. */
    private record CpuPhase(String label, Function<TargetsRun, PhaseResult> phase) {}

    private static final List<CpuPhase> CPU_PHASES = List.of(
            new CpuPhase("MQTT to VTS at max", TargetsRun::mqttVts),
            new CpuPhase("MQTT to Mosquitto at max", TargetsRun::mqttMosquitto),
            new CpuPhase("MQTT to VTS at half max", TargetsRun::mqttVtsHalf),
            new CpuPhase("MQTT to Mosquitto, same rate", TargetsRun::mqttMosquittoHalf),
            new CpuPhase("HTTP hello-world", TargetsRun::httpHello),
            new CpuPhase("HTTP single POST at max", TargetsRun::httpSingle),
            new CpuPhase("HTTP single POST at half max", TargetsRun::httpSingleHalf),
            new CpuPhase("HTTP batches (per event)", TargetsRun::httpBatch),
            new CpuPhase("Relay via VTS at max", TargetsRun::relayVts),
            new CpuPhase("Relay via Mosquitto at max", TargetsRun::relayMosquitto),
            new CpuPhase("Relay via VTS at half max", TargetsRun::relayVtsHalf),
            new CpuPhase("Relay via Mosquitto, same rate", TargetsRun::relayMosquittoHalf));
    private static final int CORES = Runtime.getRuntime().availableProcessors();

    private List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        double mqttRatio = median(TargetsRun::mqttRatio);
        rows.add(new Row("MQTT ingest QoS 1, events/s", count(median(r -> r.mqttVts().perSecond())),
                "Mosquitto " + count(median(r -> r.mqttMosquitto().perSecond()))
                        + " (relayed " + count(median(TargetsRun::mosquittoRelayedPerSecond)) + ")",
                ratio(mqttRatio), ">= 0.50", verdict(mqttRatio >= 0.5)));
        rows.add(new Row("  PUBACK p50 / p99 ms at max", p50p99(TargetsRun::mqttVts), "Mosquitto " + p50p99(TargetsRun::mqttMosquitto),
                "", "", ""));
        double mqttHalfP99 = median(r -> r.mqttVtsHalf().p99Ms());
        rows.add(new Row("  PUBACK p99 ms at half max", ms(mqttHalfP99) + " at " + count(median(r -> r.mqttVtsHalf().perSecond())) + "/s",
                "Mosquitto " + ms(median(r -> r.mqttMosquittoHalf().p99Ms())) + " at the same rate", "", "<= 50 ms",
                verdict(mqttHalfP99 <= 50)));
        // a figure without a target yet: the ratio to Mosquitto is what to watch
        rows.add(new Row("MQTT relay both ways, messages/s", count(median(r -> r.relayVts().perSecond())),
                "Mosquitto " + count(median(r -> r.relayMosquitto().perSecond())), ratio(median(TargetsRun::relayRatio)), "", ""));
        rows.add(new Row("  round trip p50/p99 ms at max", p50p99(TargetsRun::relayVts), "Mosquitto " + p50p99(TargetsRun::relayMosquitto),
                "", "", ""));
        rows.add(new Row("  round trip p50/p99 ms half max",
                p50p99(TargetsRun::relayVtsHalf) + " at " + count(median(r -> r.relayVtsHalf().perSecond())) + "/s",
                "Mosquitto " + p50p99(TargetsRun::relayMosquittoHalf) + " at the same rate", "", "", ""));
        double singleRatio = median(TargetsRun::singleRatio);
        rows.add(new Row("HTTP single POST, req/s", count(median(r -> r.httpSingle().perSecond())),
                "hello-world " + count(median(r -> r.httpHello().perSecond())), ratio(singleRatio), ">= 0.50",
                verdict(singleRatio >= 0.5)));
        rows.add(new Row("  p50 / p99 ms at max", p50p99(TargetsRun::httpSingle), "hello-world " + p50p99(TargetsRun::httpHello),
                "", "", ""));
        double singleHalfP99 = median(r -> r.httpSingleHalf().p99Ms());
        rows.add(new Row("  p99 ms at half max", ms(singleHalfP99) + " at " + count(median(r -> r.httpSingleHalf().perSecond())) + "/s",
                "", "", "<= 50 ms", verdict(singleHalfP99 <= 50)));
        double batchRatio = median(TargetsRun::batchRatio);
        rows.add(new Row("HTTP batches of 100, events/s", count(median(r -> r.httpBatch().perSecond())),
                "COPY " + count(median(TargetsRun::copyRowsPerSecond)) + " rows/s", ratio(batchRatio), ">= 0.50",
                verdict(batchRatio >= 0.5)));
        rows.add(new Row("  p50 / p99 ms per batch", p50p99(TargetsRun::httpBatch), "", "", "", ""));
        if (idle != null) {
            rows.add(new Row(String.format(Locale.ROOT, "%,d idle players: heap MB", idle.connected),
                    String.format(Locale.ROOT, "%.0f (RSS %.0f)", idle.withIdle.heapMb(), idle.withIdle.rssMb()),
                    String.format(Locale.ROOT, "no player: %.0f (RSS %.0f)", idle.withNone.heapMb(), idle.withNone.rssMb()),
                    "", "<= 512 MB", verdict(idle.withIdle.heapMb() <= 512)));
        }
        rows.add(new Row("errors (all phases, all runs)", count(runs.stream().mapToLong(TargetsRun::errors).sum()), "", "", "0",
                verdict(runs.stream().allMatch(r -> r.errors() == 0))));
        return rows;
    }

    void print() {
        System.out.println();
        System.out.printf(Locale.ROOT, "VTS performance targets: %d players x %d in flight, HTTP connections %d single / %d batch, "
                + "%d s a phase, median of %d run%s%n%s%n", options.players(), options.inflight(), options.singleConnections(),
                options.httpConnections(), options.seconds(), runs.size(), runs.size() == 1 ? "" : "s", machine);
        String format = "  %-32s %-24s %-38s %-6s %-10s %s%n";
        System.out.printf(format, "figure", "VTS", "reference (same run)", "ratio", "target", "");
        rows().forEach(r -> System.out.printf(format, r.figure, r.vts, r.reference, r.ratio, r.target, r.verdict));

        System.out.printf(Locale.ROOT, "%nWhere the CPU went: µs of one core per event (relay: per message), by process (medians); "
                + "busy = share of all %d cores;%n"
                + "ceiling = the rate at that cost with every core busy (cores x 1,000,000 / machine)%n", CORES);
        String cpuFormat = "  %-32s %8s %11s %10s %10s %8s %6s %11s%n";
        System.out.printf(cpuFormat, "phase", "server", "PostgreSQL", "Mosquitto", "generator", "machine", "busy", "ceiling/s");
        cpuRows().forEach((label, c) -> System.out.printf(cpuFormat, label, micros(c.server()), micros(c.database()),
                micros(c.mosquitto()), micros(c.generator()), micros(c.machine()),
                String.format(Locale.ROOT, "%.0f %%", 100 * c.busyShare()), count(c.ceilingPerSecond(CORES))));
    }

    /** The CPU table: each phase's use, every part the median over the runs. */
    private Map<String, CpuUse> cpuRows() {
        Map<String, CpuUse> rows = new LinkedHashMap<>();
        for (CpuPhase p : CPU_PHASES) {
            ToDoubleFunction<ToDoubleFunction<CpuUse>> cell = part -> median(r -> part.applyAsDouble(p.phase.apply(r).cpu()));
            rows.put(p.label, new CpuUse(cell.applyAsDouble(CpuUse::busyShare), cell.applyAsDouble(CpuUse::server),
                    cell.applyAsDouble(CpuUse::database), cell.applyAsDouble(CpuUse::mosquitto), cell.applyAsDouble(CpuUse::generator),
                    cell.applyAsDouble(CpuUse::machine)));
        }
        return rows;
    }

    /**
     * {@code <stamp>-targets.json} (options, machine, every run, memory), {@code -targets.csv} (the table),
     * {@code -cpu.csv} (the CPU table) and {@code -timeline.csv}.
     */
    void write(Path dir, String stamp, Timeline timeline) throws IOException {
        Files.createDirectories(dir);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("options", Map.of("players", options.players(), "inflight", options.inflight(),
                "http_connections", options.httpConnections(), "single_connections", options.singleConnections(),
                "seconds", options.seconds(), "runs", options.runs()));
        json.put("machine", machine);
        json.put("runs", runs);
        json.put("idle", idle);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(stamp + "-targets.json").toFile(), json);
        StringBuilder csv = new StringBuilder("figure,vts,reference,ratio,target,verdict\n");
        rows().forEach(r -> csv.append(String.join(",", quoted(r.figure.trim()), quoted(r.vts), quoted(r.reference), r.ratio,
                quoted(r.target), r.verdict)).append('\n'));
        Files.writeString(dir.resolve(stamp + "-targets.csv"), csv);
        StringBuilder cpuCsv = new StringBuilder("phase,server_us,postgresql_us,mosquitto_us,generator_us,machine_us,busy_share,"
                + "ceiling_per_second\n");
        cpuRows().forEach((label, c) -> cpuCsv.append(String.format(Locale.ROOT, "%s,%.1f,%.1f,%.1f,%.1f,%.1f,%.3f,%.0f%n", quoted(label),
                c.server(), c.database(), c.mosquitto(), c.generator(), c.machine(), c.busyShare(), c.ceilingPerSecond(CORES))));
        Files.writeString(dir.resolve(stamp + "-cpu.csv"), cpuCsv);
        StringBuilder points = new StringBuilder(Timeline.CSV_HEADER).append('\n');
        timeline.points().forEach(p -> points.append(p.csv()).append('\n'));
        Files.writeString(dir.resolve(stamp + "-timeline.csv"), points);
    }

    /** A phase's latency as "p50 / p99" in ms, each the median over the runs. */
    private String p50p99(Function<TargetsRun, PhaseResult> phase) {
        return ms(median(r -> phase.apply(r).p50Ms())) + " / " + ms(median(r -> phase.apply(r).p99Ms()));
    }

    private double median(ToDoubleFunction<TargetsRun> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        int mid = values.length / 2;
        return values.length % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
    }

    private static String count(double n) {
        return String.format(Locale.ROOT, "%,.0f", n);
    }

    private static String micros(double us) {
        return String.format(Locale.ROOT, "%.0f", us);
    }

    private static String ms(double ms) {
        return String.format(Locale.ROOT, ms < 10 ? "%.1f" : "%.0f", ms);
    }

    private static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    private static String verdict(boolean met) {
        return met ? "met" : "MISSED";
    }

    private static String quoted(String s) {
        return "\"" + s.replace("\"", "\"\"") + "\"";
    }
}
