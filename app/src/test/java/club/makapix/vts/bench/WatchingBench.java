package club.makapix.vts.bench;

import club.makapix.vts.support.Admin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ObjLongConsumer;

/**
 * {@code scripts/bench watching} (see docs/benchmarks.md): signed-in viewers' watch reports against a
 * throwaway server, in one run: reports flat out against single view POSTs flat out, the report
 * latency at a paced rate (W watchers each reporting every 10 s), database statements and commits per
 * report (pg_stat_statements, preloaded by the {@code prepare} step and a restart), and what the
 * recently-viewed cap costs (the same flat-out load from viewers whose history is at the cap, so every
 * report of a new post makes the writer's trim delete a row, against viewers far below it).
 */
public final class WatchingBench {
    /** Posts registered, each 60 s long, and watched. */
    private static final int POSTS = 1_000;
    /** Histories are filled with posts from here on: never the posts the load watches. */
    private static final long HISTORY_POSTS_FROM = 1_000_001;
    private static final int WARM_UP_SECONDS = 5;
    private static final int WARM_UP_PACED_SECONDS = 3;
    private static final int WARM_UP_MAX_CYCLES = 4;
    private static final double WARM_UP_JIT_SHARE = 0.05;
    /** The paced watchers run this long before the measured phase, so that it sees their rows already there. */
    private static final int LEAD_IN_SECONDS = 10;
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /** No Mosquitto in this scenario: a pid above any kernel's pid_max, whose CPU reads as 0. */
    private static final long NO_PROCESS = Integer.MAX_VALUE;

    /** One measured phase: the load's figures, what the database did, what the server counted. */
    private record Measured(PhaseResult load, DatabaseActivity.Phase db, long batches, double batchedEvents, long stored,
                            long notStored, Map<String, Double> outcomes) {
        /**
         * The writer's statements: each batch's (one for a batch of views alone, in its own implicit
         * transaction; BEGIN, the reports, the trim and COMMIT for one with reports), COMMIT counted
         * as its BEGIN, since pg_stat_statements does not list it here. The rest are the server's
         * background reads (each cached post reloaded once a minute), not the load's.
         */
        long writerStatements() {
            return db.calls("with ", "delete from recently_viewed", "begin") + db.calls("begin");
        }

        double statementsPerEvent() {
            return stored == 0 ? 0 : (double) writerStatements() / stored;
        }

        double statementsPerBatch() {
            return batches == 0 ? 0 : (double) writerStatements() / batches;
        }

        /** Each write batch is one transaction, so one commit. */
        double commitsPerEvent() {
            return stored == 0 ? 0 : (double) batches / stored;
        }

        double eventsPerBatch() {
            return batches == 0 ? 0 : batchedEvents / batches;
        }
    }

    private final BenchArgs args;
    private final int httpPort;
    private final String jdbcUrl;
    private final int seconds;
    private final int watchers;
    private final int viewers;
    private final int historyMax;
    private final String jwtSecret;
    private final Timeline timeline = new Timeline();
    private final PhaseWindow phases;
    private final HttpLoad http;

    private WatchingBench(BenchArgs args) {
        this.args = args;
        this.httpPort = args.requiredNumber("http-port", 1, 65_535);
        this.jdbcUrl = args.required("jdbc-url");
        this.seconds = (int) args.number("seconds", 10, 1, 3_600);
        this.watchers = (int) args.number("watchers", 10_000, 10, 1_000_000);
        this.viewers = (int) args.number("viewers", 10_000, 100, 1_000_000);
        this.historyMax = args.requiredNumber("history-max", 1, 10_000);
        this.jwtSecret = args.required("jwt-secret");
        this.phases = new PhaseWindow(timeline, new CpuMeter(args.requiredNumber("server-pid", 1, Integer.MAX_VALUE),
                args.requiredNumber("database-pid", 1, Integer.MAX_VALUE), NO_PROCESS));
        this.http = new HttpLoad(httpPort, (int) args.number("connections", 128, 1, 1_000));
    }

    public static void main(String[] argv) throws Exception {
        WatchingBench bench;
        try {
            BenchArgs args = new BenchArgs(argv);
            if (args.required("step").equals("prepare")) {
                DatabaseActivity.preload(args.required("jdbc-url"));
                System.out.println("pg_stat_statements preloaded from the database's next start");
                return;
            }
            bench = new WatchingBench(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        bench.run();
        // connections that would not close must not keep the run alive
        System.exit(0);
    }

    private void run() throws Exception {
        long started = System.nanoTime();
        String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
        System.out.printf("machine: %d cores, load average %s at start (load generator, server and its PostgreSQL share them)%n",
                CORES, load);
        registerPosts();
        long t = System.nanoTime();
        WebRequests views = new WebRequests(httpPort, POSTS);
        WatchReports capped = new WatchReports(httpPort, POSTS, "capped", viewers, jwtSecret);
        WatchReports fresh = new WatchReports(httpPort, POSTS, "fresh", viewers, jwtSecret);
        WatchReports warm = new WatchReports(httpPort, POSTS, "warm", viewers, jwtSecret);
        WatchReports watching = new WatchReports(httpPort, POSTS, "watcher", watchers, jwtSecret);
        System.out.printf(Locale.ROOT, "signed %,d viewer tokens in %.1f s%n", 3 * viewers + watchers, (System.nanoTime() - t) / 1e9);
        fillHistories("capped", viewers);
        fillHistories("watcher", watchers);
        double pacedRate = (double) watchers / WatchReports.REPORT_EVERY_S;

        try (DatabaseActivity db = new DatabaseActivity(jdbcUrl)) {
            warmUp(views, warm, watching, pacedRate);
            Measured viewMax = measure(db, "views-max", seconds, (stats, end) -> http.flatOut(views::single, end, stats));
            Measured watchMax = measure(db, "watch-max", seconds, (stats, end) -> http.flatOut(capped::newPostEachTime, end, stats));
            Measured watchFresh = measure(db, "watch-max-fresh", seconds,
                    (stats, end) -> http.flatOut(fresh::newPostEachTime, end, stats));
            phases.run("watch-lead-in", LEAD_IN_SECONDS, 1, (stats, end) -> http.paced(watching::watching, pacedRate, end, stats));
            Measured paced = measure(db, "watch-paced", 2 * seconds,
                    (stats, end) -> http.paced(watching::watching, pacedRate, end, stats));
            report(viewMax, watchMax, watchFresh, paced, db.statementsLoaded(), (System.nanoTime() - started) / 1e9);
        }
    }

    /** Posts 1..POSTS of 50 artists, each 60 s long, in one catalogue load. */
    private void registerPosts() {
        new Admin(httpPort, args.required("admin-token")).posts(POSTS, "bench-artist-", 50, WatchReports.POST_SECONDS);
        System.out.printf("registered %,d posts of %d s%n", POSTS, WatchReports.POST_SECONDS);
    }

    /** Gives each viewer of the set a history at the cap: {@code historyMax} older entries of posts the load never watches. */
    private void fillHistories(String set, int count) throws Exception {
        long t = System.nanoTime();
        try (Connection c = DriverManager.getConnection(jdbcUrl);
             PreparedStatement ps = c.prepareStatement("""
                     insert into recently_viewed (viewer_id, post_id, viewed_at, watched_ms)
                     select 'bench-' || ? || '-' || v, ? + h, now() - interval '1 day' - h * interval '1 second', 10000
                     from generate_series(0, ? - 1) v, generate_series(0, ? - 1) h""")) {
            ps.setString(1, set);
            ps.setLong(2, HISTORY_POSTS_FROM);
            ps.setInt(3, count);
            ps.setInt(4, historyMax);
            ps.executeUpdate();
            try (Statement s = c.createStatement()) {
                s.execute("analyze recently_viewed");
            }
        }
        System.out.printf(Locale.ROOT, "filled the histories of %,d %s viewers to the cap (%d entries each) in %.1f s%n",
                count, set, historyMax, (System.nanoTime() - t) / 1e9);
    }

    /**
     * Not reported; drawn in the timeline as "warm-up". Each load once flat out or paced, until the
     * server's JIT compiler is nearly done (as {@link TargetsBench} does).
     */
    private void warmUp(WebRequests views, WatchReports warm, WatchReports watching, double pacedRate) throws Exception {
        double compiledBefore = compileMillis();
        for (int cycle = 1; cycle <= WARM_UP_MAX_CYCLES; cycle++) {
            long start = System.nanoTime();
            phases.run("warm-up", WARM_UP_SECONDS, 1, (stats, end) -> http.flatOut(views::single, end, stats));
            phases.run("warm-up", WARM_UP_SECONDS, 1, (stats, end) -> http.flatOut(warm::newPostEachTime, end, stats));
            phases.run("warm-up", WARM_UP_PACED_SECONDS, 1, (stats, end) -> http.paced(watching::watching, pacedRate, end, stats));
            double compiled = compileMillis();
            double share = (compiled - compiledBefore) / ((System.nanoTime() - start) / 1e6);
            compiledBefore = compiled;
            System.out.printf(Locale.ROOT, "warm-up cycle %d: the server's JIT compiler was busy %.0f %% of the time%n", cycle, 100 * share);
            if (share < WARM_UP_JIT_SHARE) {
                return;
            }
        }
        System.out.printf("warm-up: the JIT compiler is still busy after %d cycles; measuring anyway%n", WARM_UP_MAX_CYCLES);
    }

    private double compileMillis() {
        return MetricsScrape.fetch(httpPort).sum("jvm_compilation_time_ms_total");
    }

    /** Runs one phase with the database's activity and the server's counters read around it. */
    private Measured measure(DatabaseActivity db, String phase, int length, ObjLongConsumer<LoadStats> start) throws Exception {
        MetricsScrape before = MetricsScrape.fetch(httpPort);
        db.start();
        PhaseResult result = phases.run(phase, length, 1, start);
        DatabaseActivity.Phase activity = db.stop();
        MetricsScrape after = MetricsScrape.fetch(httpPort);
        Map<String, Double> outcomes = new LinkedHashMap<>();
        after.startingWith("vts_events_total{door=\"http\"").forEach((series, v) -> {
            double d = v - before.value(series);
            if (d > 0) {
                outcomes.put(series.substring(series.indexOf("outcome=")), d);
            }
        });
        long stored = Math.round(outcomes.entrySet().stream().filter(e -> e.getKey().contains("\"counted\"") || e.getKey().contains("\"accepted\""))
                .mapToDouble(Map.Entry::getValue).sum());
        long all = Math.round(outcomes.values().stream().mapToDouble(Double::doubleValue).sum());
        Measured m = new Measured(result, activity,
                Math.round(after.value("vts_write_batch_size_count") - before.value("vts_write_batch_size_count")),
                after.value("vts_write_batch_size_sum") - before.value("vts_write_batch_size_sum"), stored, all - stored, outcomes);
        System.out.printf(Locale.ROOT, "  %s: %,.0f/s, p50 %.1f ms, p99 %.1f ms; %,d stored (%,d not), %.1f a write batch,"
                        + " %.2f statements and %.3f commits each%n", phase, result.perSecond(), result.p50Ms(), result.p99Ms(), stored,
                all - stored, m.eventsPerBatch(), m.statementsPerEvent(), m.commitsPerEvent());
        return m;
    }

    private void report(Measured viewMax, Measured watchMax, Measured watchFresh, Measured paced, boolean statementsLoaded,
                        double wallSeconds) throws Exception {
        ResultTable table = new ResultTable("watching")
                .parameter("seconds", seconds).parameter("watchers", watchers).parameter("viewers", viewers)
                .parameter("history_max", historyMax).parameter("posts", POSTS);
        double ratio = viewMax.load().perSecond() == 0 ? 0 : watchMax.load().perSecond() / viewMax.load().perSecond();
        table.add("single view POSTs flat out", viewMax.load().perSecond(), "req/s", latencies(viewMax.load()) + ", anonymous browsers");
        table.add("watch reports flat out", watchMax.load().perSecond(), "req/s",
                latencies(watchMax.load()) + ", signed in, history at the cap, each a new post");
        table.add("  reports / views", round2(ratio), "ratio", ">= 0.50", ratio >= 0.5, "same run, same connections");
        table.add("watch p99 at paced rate", paced.load().p99Ms(), "ms", "<= 50 ms", paced.load().p99Ms() <= 50,
                String.format(Locale.ROOT, "%,d watchers every %d s: %,.0f/s achieved, p50 %.1f ms, max %.0f ms", watchers,
                        WatchReports.REPORT_EVERY_S, paced.load().perSecond(), paced.load().p50Ms(), paced.load().maxMs()));
        String source = statementsLoaded ? "pg_stat_statements, the writer's" : "none: pg_stat_statements not loaded";
        for (Measured m : List.of(watchMax, paced, viewMax)) {
            String what = m == viewMax ? "view" : "report";
            table.add("statements per " + what + ", " + m.load().phase(), round2(m.statementsPerEvent()), "", String.format(Locale.ROOT,
                    "%s: %.1f a write batch of %.1f %ss; commits %.3f a %s", source, m.statementsPerBatch(), m.eventsPerBatch(), what,
                    m.commitsPerEvent(), what));
        }
        double capRatio = watchFresh.load().perSecond() == 0 ? 0 : watchMax.load().perSecond() / watchFresh.load().perSecond();
        table.add("watch reports flat out, below the cap", watchFresh.load().perSecond(), "req/s",
                latencies(watchFresh.load()) + ", viewers with short histories: the trim deletes nothing");
        table.add("  at the cap / below it", round2(capRatio), "ratio", "the cost of the cap on the flat-out rate");
        for (Measured m : List.of(watchMax, watchFresh, paced)) {
            DatabaseActivity.StatementUse trim = m.db().find("delete from recently_viewed");
            if (trim != null) {
                table.add("  trim " + m.load().phase(), round2(trim.meanMs()), "ms/call", String.format(Locale.ROOT,
                        "%,d calls, %,d rows deleted (%.2f a report), %.0f %% of all statement time", trim.calls(), trim.rows(),
                        m.stored() == 0 ? 0 : (double) trim.rows() / m.stored(), 100 * trim.totalMs() / Math.max(1e-9, m.db().totalMs())));
            }
        }
        long errors = viewMax.load().errors() + watchMax.load().errors() + watchFresh.load().errors() + paced.load().errors();
        table.add("errors (all phases)", errors, "", "0", errors == 0, "non-2xx, lost or unanswered requests");
        table.add("wall time", Math.round(wallSeconds), "s", "setup, warm-up and phases");
        table.print();
        printCpu(viewMax, watchMax, watchFresh, paced);
        printStatements(viewMax, watchMax, watchFresh, paced);
        printWaits(viewMax, watchMax, watchFresh, paced);
        checkHistories();
        explainTrim();

        List<Map<String, Object>> detail = new ArrayList<>();
        for (Measured m : List.of(viewMax, watchMax, watchFresh, paced)) {
            Map<String, Object> phase = new LinkedHashMap<>();
            phase.put("load", m.load());
            phase.put("stored", m.stored());
            phase.put("not_stored", m.notStored());
            phase.put("outcomes", m.outcomes());
            phase.put("write_batches", m.batches());
            phase.put("writer_statements", m.writerStatements());
            phase.put("statements", m.db().statements());
            phase.put("waits", m.db().waits());
            detail.add(phase);
        }
        table.section("phases", detail);
        table.section("timeline", timeline.points().stream().map(Timeline.Point::csv).toList());
        table.write(Path.of(args.text("out", "bench-results")));
    }

    private static String latencies(PhaseResult p) {
        return String.format(Locale.ROOT, "p50 %.1f ms, p99 %.1f ms", p.p50Ms(), p.p99Ms());
    }

    private static double round2(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private static void printCpu(Measured... phases) {
        System.out.printf("%nWhere the CPU went: µs of one core per request, by process; busy = share of all %d cores;%n"
                + "ceiling = the rate at that cost with every core busy (cores x 1,000,000 / machine)%n", CORES);
        System.out.printf("  %-18s %8s %11s %10s %8s %6s %10s%n", "phase", "server", "PostgreSQL", "generator", "machine", "busy",
                "ceiling/s");
        for (Measured m : phases) {
            CpuUse c = m.load().cpu();
            System.out.printf(Locale.ROOT, "  %-18s %8.0f %11.0f %10.0f %8.0f %5.0f %% %,10.0f%n", m.load().phase(), c.server(),
                    c.database(), c.generator(), c.machine(), 100 * c.busyShare(), c.ceilingPerSecond(CORES));
        }
    }

    private static void printStatements(Measured... phases) {
        System.out.println("\nDatabase statements (pg_stat_statements, the whole phase with its drain): calls per stored event,"
                + " mean ms a call, rows a call");
        for (Measured m : phases) {
            System.out.printf(Locale.ROOT, "  %s: %,d stored, %,d write batches (one commit each), %.0f ms of statement time (%.0f µs an event)%n",
                    m.load().phase(), m.stored(), m.batches(), m.db().totalMs(),
                    m.stored() == 0 ? 0 : 1000 * m.db().totalMs() / m.stored());
            for (DatabaseActivity.StatementUse s : m.db().statements()) {
                if (s.calls() * 1000 < m.stored() && s.totalMs() < 0.01 * m.db().totalMs()) {
                    continue;   // the server's occasional reads (caches, health): not part of the load
                }
                System.out.printf(Locale.ROOT, "    %6.3f  %7.2f ms  %7.1f rows  %s%n", m.stored() == 0 ? 0 : (double) s.calls() / m.stored(),
                        s.meanMs(), s.calls() == 0 ? 0 : (double) s.rows() / s.calls(), shortQuery(s.query()));
            }
        }
    }

    private static void printWaits(Measured... phases) {
        System.out.println("\nWhat busy PostgreSQL backends were doing (pg_stat_activity every 50 ms; share of samples)");
        for (Measured m : phases) {
            long total = m.db().waits().values().stream().mapToLong(Long::longValue).sum();
            StringBuilder line = new StringBuilder();
            m.db().waits().entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                    .forEach(e -> line.append(String.format(Locale.ROOT, "  %s %.0f %%", e.getKey(), 100.0 * e.getValue() / total)));
            System.out.printf(Locale.ROOT, "  %-16s %,6d samples:%s%n", m.load().phase(), total, line);
        }
    }

    /** The cap held: no viewer of the load has more history than it. */
    private void checkHistories() throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select max(n), count(*) filter (where n = " + historyMax + ") from ("
                     + "select count(*) as n from recently_viewed where viewer_id like 'bench-%' group by viewer_id) h")) {
            rs.next();
            System.out.printf(Locale.ROOT, "%nhistories: the longest has %d entries (cap %d), %,d viewers at the cap%n",
                    rs.getLong(1), historyMax, rs.getLong(2));
        }
    }

    /**
     * The trim's plan for one write batch's worth of viewers at the cap, each with one new entry (so it
     * deletes one row each), in a transaction rolled back: how it finds their rows.
     */
    private void explainTrim() throws Exception {
        String viewersArray = "array(select 'bench-capped-' || v from generate_series(0, 36) v)";
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("insert into recently_viewed (viewer_id, post_id, viewed_at, watched_ms) select v, 999999, now(), 0 from unnest("
                    + viewersArray + ") v on conflict do nothing");
            System.out.println("\nThe trim's plan for 37 viewers at the cap, one new entry each (EXPLAIN ANALYZE, rolled back):");
            try (ResultSet rs = s.executeQuery("explain (analyze, buffers, costs off) delete from recently_viewed r "
                    + "using (select viewer_id, post_id from (select viewer_id, post_id, row_number() over (partition by viewer_id "
                    + "order by viewed_at desc, post_id desc) as place from recently_viewed where viewer_id = any(" + viewersArray
                    + ")) ranked where place > " + historyMax + ") old where r.viewer_id = old.viewer_id and r.post_id = old.post_id")) {
                while (rs.next()) {
                    System.out.println("  " + rs.getString(1));
                }
            }
            c.rollback();
        }
    }

    private static String shortQuery(String query) {
        String oneLine = query.replaceAll("\\s+", " ").strip();
        return oneLine.length() <= 90 ? oneLine : oneLine.substring(0, 87) + "...";
    }
}
