package club.makapix.vts.bench;

import club.makapix.vts.bench.RawEventLoader.Loaded;
import club.makapix.vts.bench.RawEventLoader.Posts;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rollup scenario of {@code scripts/bench}: loads N raw events over D past days straight into
 * the running server's database (setup, not measured), then times the rollup of all those days
 * through {@code POST /v1/admin/rollup}, and, as the reference on the same data and machine, a
 * plain {@code count(*) … group by day, post_id}. Checks that the daily rows hold every counted view.
 */
public final class RollupBench {
    private static final int POSTS = 20_000;
    private static final int ARTISTS = 2_000;
    /** Days are loaded in parallel, one connection each (the machine has few cores to spare). */
    private static final int LOADERS = 2;

    private final BenchArgs args;
    private final String dbUrl;
    private final long events;
    private final int days;
    private final LocalDate last = LocalDate.now(ZoneOffset.UTC).minusDays(2);  // complete whatever the hour
    private final LocalDate first;

    private RollupBench(BenchArgs args) {
        this.args = args;
        this.dbUrl = args.required("db-url");
        this.events = args.number("events", 10_000_000, 1_000, 1_000_000_000);
        this.days = (int) args.number("days", 30, 1, 365);
        this.first = last.minusDays(days - 1);
    }

    public static void main(String[] argv) throws Exception {
        RollupBench bench;
        try {
            bench = new RollupBench(new BenchArgs(argv));
        } catch (IllegalArgumentException e) {
            System.err.println("bench rollup: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(bench.run());
    }

    private int run() throws Exception {
        ResultTable table = new ResultTable("rollup").parameter("events", events).parameter("days", days)
                .parameter("first_day", first.toString()).parameter("last_day", last.toString())
                .parameter("posts", POSTS).parameter("artists", ARTISTS);
        long loadStart = System.nanoTime();
        long countedViews = load();
        double loadSeconds = seconds(loadStart);
        table.add("events loaded", events, "", String.format("%d days from %s; setup, not measured", days, first));
        table.add("counted views loaded", countedViews, "", "= rows in daily_viewers");
        table.add("load time (setup)", loadSeconds, "s", "generate_series inserts, " + LOADERS + " connections, + vacuum analyze");
        table.add("raw data on disk", rawMegabytes(), "MiB", "view_events + daily_viewers, with indexes");

        double referenceBefore = reference();
        Rollup rollup = rollUp();
        double referenceAfter = reference();
        double reference = Math.min(referenceBefore, referenceAfter);
        table.add("rollup wall time", rollup.seconds, "s", "POST /v1/admin/rollup, all " + days + " days");
        table.add("rollup events/s", Math.round(events / rollup.seconds), "ev/s", "");
        table.add("rollup per day p50", rollup.dayMillis.quantile(0.5), "ms", "from the server's progress lines, "
                + rollup.dayMillis.count() + " days");
        table.add("rollup per day max", rollup.dayMillis.quantile(1.0), "ms", "");
        table.add("reference group by (before/after)", reference, "s",
                String.format("count(*) group by day, post_id; %.1f s before, %.1f s after the rollup", referenceBefore, referenceAfter));
        table.add("rollup / reference", rollup.seconds / reference, "x", "");

        long rolledViews = scalar("select coalesce(sum(views), 0) from daily_post_stats where day between ? and ?");
        boolean sane = rolledViews == countedViews;
        table.add("sanity: sum(views) in daily rows", rolledViews, "", sane ? "= counted views loaded: OK"
                : "MISMATCH: " + countedViews + " counted views were loaded");
        table.add("daily_post_stats rows", scalar("select count(*) from daily_post_stats where day between ? and ?"), "", "");
        table.print();
        table.write(Path.of(args.text("out", "bench-results")));
        return sane ? 0 : 1;
    }

    /** Posts, partitions, then the days in parallel with a progress line per day. Returns the counted views. */
    private long load() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("insert into posts (post_id, artist_id, title, duration_s) select p, 'artist-' || (p * 7919 % "
                    + ARTISTS + "), 'Artwork ' || p, 10 + p % 50 from generate_series(1, " + POSTS + ") p on conflict do nothing");
            try (PreparedStatement ps = c.prepareStatement("select vts_ensure_view_event_partitions(?, ?)")) {
                ps.setObject(1, first);
                ps.setObject(2, last);
                ps.execute();
            }
        }
        System.out.printf("loading %,d events over %d days (%s .. %s) for %,d posts…%n", events, days, first, last, POSTS);
        long start = System.nanoTime();
        AtomicLong loaded = new AtomicLong();
        AtomicLong counted = new AtomicLong();
        AtomicLong daysDone = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(LOADERS);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int d = 0; d < days; d++) {
                LocalDate day = first.plusDays(d);
                long n = events / days + (d < events % days ? 1 : 0);
                work.add(pool.submit(() -> {
                    try (Connection c = connect()) {
                        Loaded l = RawEventLoader.day(c, day, n, new Posts(1, POSTS));
                        long total = loaded.addAndGet(l.events());
                        counted.addAndGet(l.countedViews());
                        System.out.printf("loading: %s done (%d of %d days), %,d events so far, %,.0f events/s%n", day,
                                daysDone.incrementAndGet(), days, total, total / seconds(start));
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get(2, TimeUnit.HOURS);
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("loading: vacuum analyze (hint bits and statistics, as autovacuum would leave them)…");
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("vacuum (analyze) view_events");
            s.execute("vacuum (analyze) daily_viewers");
            s.execute("checkpoint");
        }
        return counted.get();
    }

    /** The same rows as the rollup reads, merely counted per day and post: what any reading of them costs. */
    private double reference() throws SQLException {
        System.out.println("reference: count(*) group by day, post_id over the same events…");
        long start = System.nanoTime();
        long groups = 0;
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("""
                select (received_at at time zone 'UTC')::date as day, post_id, count(*) from view_events
                where received_at >= ?::timestamp at time zone 'UTC' and received_at < ?::timestamp at time zone 'UTC'
                group by 1, 2""")) {
            ps.setObject(1, first);
            ps.setObject(2, last.plusDays(1));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    groups++;
                }
            }
        }
        double took = seconds(start);
        System.out.printf("reference: %,d (day, post) groups in %.1f s%n", groups, took);
        return took;
    }

    private record Rollup(double seconds, Timings dayMillis) {}

    private Rollup rollUp() throws Exception {
        System.out.printf("rollup: POST /v1/admin/rollup through %s…%n", last);
        double rolled;
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args.required("http-port") + "/v1/admin/rollup"))
                .timeout(Duration.ofHours(2))
                .header("Authorization", "Bearer " + args.required("admin-token"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"through\":\"" + last + "\"}")).build();
        RollupProgress progress = new RollupProgress(Path.of(args.required("server-log")));
        try (progress) {
            long start = System.nanoTime();
            HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
            double took = seconds(start);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("rollup answered " + response.statusCode() + ": " + response.body());
            }
            System.out.println("rollup: " + response.body());
            rolled = took;
        }
        return new Rollup(rolled, progress.dayMillis());
    }

    private long rawMegabytes() throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement("""
                select (sum(pg_total_relation_size(i.inhrelid)) + pg_total_relation_size('daily_viewers')) / 1048576
                from pg_inherits i where i.inhparent = 'view_events'::regclass""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private long scalar(String sql) throws SQLException {
        try (Connection c = connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setObject(1, first);
            ps.setObject(2, last);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(dbUrl, "postgres", null);
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
