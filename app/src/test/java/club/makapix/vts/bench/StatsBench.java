package club.makapix.vts.bench;

import club.makapix.vts.bench.RawEventLoader.Posts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The stats scenario of {@code scripts/bench}. Phase {@code uncached} (server started with
 * {@code VTS_STATS_CACHE_S=0}): loads an artist with P posts, D days of daily rows before today
 * (real viewer sketches) and raw events for today, other artists' rows besides (setup, not
 * measured), then times the artist's stats over the last D days (per_page=50), one post's stats
 * over the same range, and {@code /health/live} as the reference: the first call (cold) and then C
 * calls each. Phase {@code cached} (the server restarted with the cache on, same data): the first
 * artist call after the restart, then C cached answers, and the reference again.
 */
public final class StatsBench {
    private static final String ARTIST = "bench-artist";
    private static final long FIRST_POST = 1_000_001;
    private static final long FIRST_OTHER_POST = 2_000_001;
    private static final int OTHER_POSTS = 4_000;
    private static final int OTHER_ARTISTS = 40;
    private static final int TODAY_EVENTS = 25_000;

    private final BenchArgs args;
    private final String phase;
    private final int posts;
    private final int days;
    private final int calls;
    private final LocalDate today = LocalDate.now(ZoneOffset.UTC);
    private final LocalDate from;
    private final HttpClient http = HttpClient.newHttpClient();

    private StatsBench(BenchArgs args) {
        this.args = args;
        this.phase = args.required("phase");
        if (!phase.equals("uncached") && !phase.equals("cached")) {
            throw new IllegalArgumentException("--phase must be uncached or cached");
        }
        this.posts = (int) args.number("posts", 1_000, 1, 100_000);
        this.days = (int) args.number("days", 90, 2, 400);
        this.calls = (int) args.number("calls", 50, 1, 100_000);
        this.from = today.minusDays(days - 1);
    }

    public static void main(String[] argv) throws Exception {
        StatsBench bench;
        try {
            bench = new StatsBench(new BenchArgs(argv));
        } catch (IllegalArgumentException e) {
            System.err.println("bench stats: " + e.getMessage());
            System.exit(2);
            return;
        }
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        String artistCall = "/v1/artists/" + ARTIST + "/stats?from=" + from + "&to=" + today + "&per_page=50&sort=-views";
        String postCall = "/v1/posts/" + FIRST_POST + "/stats?from=" + from + "&to=" + today;
        ResultTable table = new ResultTable("stats-" + phase).parameter("posts", posts).parameter("days", days)
                .parameter("calls", calls).parameter("range", from + ".." + today);
        if (phase.equals("uncached")) {
            load(table);
            measure(table, "artist stats", artistCall);
            measure(table, "post stats", postCall);
        } else {
            measure(table, "artist stats (cache on)", artistCall);
        }
        measure(table, "reference /health/live", "/health/live");
        table.print();
        table.write(Path.of(args.text("out", "bench-results")));
    }

    private void load(ResultTable table) throws Exception {
        long start = System.nanoTime();
        LocalDate yesterday = today.minusDays(1);
        DailyStatsLoader daily = new DailyStatsLoader();
        try (Connection c = DriverManager.getConnection(args.required("db-url"), "postgres", null);
             Statement s = c.createStatement()) {
            s.execute("insert into posts (post_id, artist_id, title, duration_s) select p, '" + ARTIST + "', 'Artwork ' || p, 30"
                    + " from generate_series(" + FIRST_POST + ", " + (FIRST_POST + posts - 1) + ") p");
            s.execute("insert into posts (post_id, artist_id, title, duration_s) select p, 'other-artist-' || p % "
                    + OTHER_ARTISTS + ", 'Artwork ' || p, 30 from generate_series(" + FIRST_OTHER_POST + ", "
                    + (FIRST_OTHER_POST + OTHER_POSTS - 1) + ") p");
            System.out.printf("loading: daily rows of %,d posts over %d days (%s .. %s), with viewer sketches…%n", posts,
                    days - 1, from, yesterday);
            DailyStatsLoader.Loaded loaded = daily.artist(c, ARTIST, FIRST_POST, posts, from, yesterday);
            System.out.printf("loading: %,d rows, %,d views; other artists' rows (%,d posts)…%n", loaded.rows(),
                    loaded.views(), OTHER_POSTS);
            daily.others(c, FIRST_OTHER_POST, OTHER_POSTS, OTHER_ARTISTS, from, yesterday);
            daily.artistRows(c, ARTIST, from, yesterday);
            try (PreparedStatement ps = c.prepareStatement("""
                    insert into rollup_state (singleton, watermark) values (true, ?)
                    on conflict (singleton) do update set watermark = excluded.watermark""")) {
                ps.setObject(1, yesterday);
                ps.executeUpdate();
            }
            System.out.printf("loading: %,d raw events for today…%n", TODAY_EVENTS);
            Instant midnight = today.atStartOfDay(ZoneOffset.UTC).toInstant();
            RawEventLoader.Loaded raw = RawEventLoader.between(c, midnight, Instant.now(), TODAY_EVENTS, new Posts(FIRST_POST, posts));
            s.execute("vacuum (analyze) daily_post_stats");
            s.execute("vacuum (analyze) daily_artist_stats");
            s.execute("vacuum (analyze) view_events");
            s.execute("vacuum (analyze) daily_viewers");
            table.add("daily rows of the artist", loaded.rows(), "", String.format("%d posts x %d days before today; setup",
                    posts, days - 1));
            table.add("raw events today", raw.events(), "", String.format("%,d counted views, not rolled up yet", raw.countedViews()));
            table.add("load time (setup)", (System.nanoTime() - start) / 1e9, "s", "");
        }
    }

    /** The first call (cold), then {@code calls} more: p50, p99, max. */
    private void measure(ResultTable table, String name, String path) throws IOException, InterruptedException {
        long start = System.nanoTime();
        HttpResponse<String> first = get(path);
        double cold = (System.nanoTime() - start) / 1e6;
        System.out.printf("%s: first call %.1f ms, %,d bytes; now %d calls…%n", name, cold, first.body().length(), calls);
        Timings warm = new Timings();
        long deadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        for (int i = 0; i < calls && System.nanoTime() < deadline; i++) {
            long callStart = System.nanoTime();
            get(path);
            warm.addSince(callStart);
        }
        table.add(name + ": first call", cold, "ms", path);
        table.add(name + ": p50", warm.quantile(0.5), "ms", "over " + warm.count() + " calls, one after another");
        table.add(name + ": p99", warm.quantile(0.99), "ms", "");
        table.add(name + ": max", warm.max(), "ms", "");
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + args.required("http-port") + path))
                .timeout(Duration.ofMinutes(2)).header("Authorization", "Bearer " + args.required("admin-token")).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }
}
