package club.makapix.vts.bench;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one scenario run (rollup, stats, reliability): printed as a table and written under
 * {@code bench-results/} as {@code <time>-<scenario>.json}, plus one line per figure appended to
 * {@code scenarios.csv} so runs can be compared.
 */
final class ResultTable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    /**
     * One figure: what was measured, its value and unit, the target it is held to (null: none) and
     * whether it met it, and how to read it.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Row(String measure, double value, String unit, String target, Boolean met, String note) {}

    private final String scenario;
    private final String startedAt = Instant.now().toString();
    private final Map<String, Object> parameters = new LinkedHashMap<>();
    private final List<Row> rows = new ArrayList<>();
    private final Map<String, Object> sections = new LinkedHashMap<>();

    ResultTable(String scenario) {
        this.scenario = scenario;
    }

    ResultTable parameter(String name, Object value) {
        parameters.put(name, value);
        return this;
    }

    /** More detail for the JSON file only (e.g. each phase's CPU and statements), under its name. */
    void section(String name, Object value) {
        sections.put(name, value);
    }

    void add(String measure, double value, String unit, String note) {
        rows.add(new Row(measure, value, unit, null, null, note));
    }

    /** A figure held to a target, e.g. "0" or "<= 5 s": printed with it and met or MISSED. */
    void add(String measure, double value, String unit, String target, boolean met, String note) {
        rows.add(new Row(measure, value, unit, target, met, note));
    }

    /** Whether every figure with a target met it. */
    boolean allMet() {
        return rows.stream().allMatch(r -> r.met == null || r.met);
    }

    void print() {
        System.out.println();
        System.out.printf("VTS %s benchmark, %d cores, %s%n", scenario, Runtime.getRuntime().availableProcessors(), parameters);
        boolean targets = rows.stream().anyMatch(r -> r.target != null);
        for (Row r : rows) {
            if (targets) {
                System.out.printf(Locale.ROOT, "  %-38s %14s %-8s %-9s %-7s %s%n", r.measure, format(r.value), r.unit,
                        r.target == null ? "" : r.target, r.met == null ? "" : r.met ? "met" : "MISSED", r.note);
            } else {
                System.out.printf(Locale.ROOT, "  %-34s %14s %-8s %s%n", r.measure, format(r.value), r.unit, r.note);
            }
        }
    }

    void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        String stamp = STAMP.format(Instant.parse(startedAt)) + "-" + scenario;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("scenario", scenario);
        json.put("started_at", startedAt);
        json.put("cores", Runtime.getRuntime().availableProcessors());
        json.put("parameters", parameters);
        json.put("rows", rows);
        json.putAll(sections);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(dir.resolve(stamp + ".json").toFile(), json);
        Path csv = dir.resolve("scenarios.csv");
        if (!Files.exists(csv)) {
            Files.writeString(csv, "started_at,scenario,measure,value,unit\n");
        }
        StringBuilder lines = new StringBuilder();
        rows.forEach(r -> lines.append(String.format(Locale.ROOT, "%s,%s,\"%s\",%.3f,%s%n", startedAt, scenario, r.measure, r.value, r.unit)));
        Files.writeString(csv, lines, StandardOpenOption.APPEND);
        System.out.println("\nwritten: " + dir.resolve(stamp + ".json") + ", lines in " + csv);
    }

    private static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return String.format(Locale.ROOT, "%,.0f", v);
        }
        // ratios and small figures with two decimals: 0.47 is not 0.5
        return String.format(Locale.ROOT, Math.abs(v) < 10 ? "%.2f" : "%,.1f", v);
    }
}
