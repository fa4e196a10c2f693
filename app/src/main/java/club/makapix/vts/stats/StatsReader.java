package club.makapix.vts.stats;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.Query;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * Every number the stats API shows, with one definition: daily rows up to the rollup's watermark,
 * and the very same aggregation ({@code vts_day_stats}) over raw events after it — no gap, no
 * overlap, and today's views show at once. Each call reads one consistent snapshot. Unique viewers
 * of one day are exact; over a longer range they are the union of the days' viewer sketches.
 */
public final class StatsReader {
    /** The breakdowns of counted views or impressions, in the order the API lists them. */
    public static final List<String> COUNT_BREAKDOWNS = List.of("views_by_country", "views_by_device", "views_by_source",
            "views_by_channel", "impressions_by_channel", "views_by_play_order", "impressions_by_play_order");

    /** Milliseconds of watch time by source: "player" (players' screen time) and "web". */
    public static final String WATCH_TIME_BY_SOURCE = "watch_time_by_source";

    /**
     * Every breakdown: each is a jsonb column of the daily tables and of {@code vts_day_stats}. The Java
     * side's SQL is derived from this list ({@link #BREAKDOWN_COLUMNS}, {@link #BREAKDOWN_PAIRS}); the
     * SQL functions name them in their repeatable migrations.
     */
    public static final List<String> BREAKDOWNS = Stream.concat(COUNT_BREAKDOWNS.stream(), Stream.of(WATCH_TIME_BY_SOURCE))
            .toList();

    /** {@code views_by_country, views_by_device, …}: the breakdown columns in a select or insert list. */
    public static final String BREAKDOWN_COLUMNS = String.join(", ", BREAKDOWNS);

    /** {@code ('views_by_country', views_by_country), …}: each breakdown as (name, map), for a lateral values list. */
    static final String BREAKDOWN_PAIRS = BREAKDOWNS.stream().map(b -> "('" + b + "', " + b + ")")
            .collect(Collectors.joining(", "));

    /**
     * The watching figures (contract §5), each a column of the daily tables and of {@code vts_day_stats}
     * summed over days and posts, in {@link WatchTime}'s order; the Java side's SQL names them from here.
     */
    public static final List<String> WATCH_FIGURES = List.of("watch_time_ms", "appearance_watch_time_ms",
            "watched_appearances", "watch_starts", "completions");

    /** {@code watch_time_ms, …}: the watching figures in a select or insert list. */
    public static final String WATCH_FIGURE_COLUMNS = String.join(", ", WATCH_FIGURES);

    /** {@code sum(watch_time_ms) as watch_time_ms, …}. */
    static final String WATCH_FIGURE_SUMS = WATCH_FIGURES.stream().map(f -> "sum(" + f + ") as " + f)
            .collect(Collectors.joining(", "));

    /**
     * Watching (contract §5): all watch time in ms (views' and impressions' capped {@code watched_ms},
     * players' screen time, watch reports' played time); what appearances carried and how many there
     * were (each event with watch time, except a player's events that continue an appearance already
     * begun); signed-in viewers' starts (their first watching of a post with a duration) and completions.
     */
    public record WatchTime(long ms, long appearanceMs, long appearances, long starts, long completions) {
        static final WatchTime NONE = new WatchTime(0, 0, 0, 0, 0);

        /** The figures of a row that has the {@link #WATCH_FIGURES} columns. */
        static WatchTime read(ResultSet rs) throws SQLException {
            long[] f = new long[WATCH_FIGURES.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = rs.getLong(WATCH_FIGURES.get(i));
            }
            return new WatchTime(f[0], f[1], f[2], f[3], f[4]);
        }

        WatchTime plus(WatchTime o) {
            return new WatchTime(ms + o.ms, appearanceMs + o.appearanceMs, appearances + o.appearances,
                    starts + o.starts, completions + o.completions);
        }

        /** The mean per watched appearance, in whole milliseconds (half up); null when none was watched. */
        public Long averageMs() {
            return appearances == 0 ? null : Math.round((double) appearanceMs / appearances);
        }

        /** Completions ÷ starts; null when nobody started. */
        public Double completionRate() {
            return starts == 0 ? null : (double) completions / starts;
        }
    }

    public record Day(LocalDate date, long views, long impressions, long uniqueViewers, WatchTime watchTime) {}

    /**
     * Totals, breakdowns ({@link #COUNT_BREAKDOWNS}) and the daily series of one post, or of all of an
     * artist's posts, with watch time and its milliseconds by source.
     */
    public record Summary(long views, long impressions, long uniqueViewers, Map<String, Map<String, Long>> breakdowns,
                          WatchTime watchTime, Map<String, Long> watchTimeBySourceMs, List<Day> daily,
                          Instant firstViewAt, Instant lastViewAt) {}

    public record PostRow(long postId, String title, long views, long impressions, long uniqueViewers, WatchTime watchTime) {}

    public record PostPage(List<PostRow> rows, long totalPosts) {}

    /** An artist's totals and one page of their posts, read together so that the two agree. */
    public record ArtistStats(Summary summary, PostPage posts) {}

    /** How the artist's per-post rows are ordered. */
    public enum Sort {
        VIEWS("views"), IMPRESSIONS("impressions"), POST_ID("post_id");

        private final String column;

        Sort(String column) {
            this.column = column;
        }

        /** Its name in the API's {@code sort} parameter. */
        public String column() {
            return column;
        }
    }

    // The days of the range: rolled-up rows up to the watermark, then raw events aggregated alike.
    private static final String DAYS = """
            with days as (
                select day, post_id, views, impressions, unique_viewers, %1$s, first_view_at, last_view_at, %2$s
                from daily_post_stats
                where artist_id = :artist and (cast(:post as bigint) is null or post_id = :post)
                  and day between :from and :rolledTo
                union all
                select day, post_id, views, impressions, unique_viewers, %1$s, first_view_at, last_view_at, %2$s
                from vts_day_stats(:rawFrom, :to, :artist, :post)
            )
            """.formatted(BREAKDOWN_COLUMNS, WATCH_FIGURE_COLUMNS);

    // An artist's days: one rolled-up row per day up to the watermark, then raw events aggregated alike.
    private static final String ARTIST_DAYS = """
            with days as (
                select day, views, impressions, unique_viewers, %1$s, first_view_at, last_view_at, %2$s
                from daily_artist_stats
                where artist_id = :artist and day between :from and :rolledTo
                union all
                select day, views, impressions, unique_viewers, %1$s, first_view_at, last_view_at, %2$s
                from vts_day_stats(:rawFrom, :to, :artist, cast(:post as bigint))
            )
            """.formatted(BREAKDOWN_COLUMNS, WATCH_FIGURE_COLUMNS);

    /** A day's counts as summary() gathers them: views, impressions, unique viewers. */
    private static final int DAY_FIGURES = 3;

    private final Jdbi jdbi;

    public StatsReader(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** The range split at the watermark: [from, rolledTo] from daily rows, [rawFrom, to] from raw events. */
    private record Range(LocalDate from, LocalDate to, LocalDate rolledTo, LocalDate rawFrom) {
        static Range of(Handle h, LocalDate from, LocalDate to) {
            LocalDate watermark = h.createQuery("select watermark from rollup_state").mapTo(LocalDate.class).findOne().orElse(null);
            if (watermark == null) {
                return new Range(from, to, from.minusDays(1), from);
            }
            LocalDate rolledTo = to.isBefore(watermark) ? to : watermark;
            LocalDate rawFrom = from.isAfter(watermark) ? from : watermark.plusDays(1);
            return new Range(from, to, rolledTo, rawFrom);
        }

        Query bind(Query q, String artist, Long post) {
            return q.bind("artist", artist).bind("post", post).bind("from", from).bind("to", to)
                    .bind("rolledTo", rolledTo).bind("rawFrom", rawFrom);
        }

        boolean oneDay() {
            return from.equals(to);
        }
    }

    public Summary post(long postId, String artistId, LocalDate from, LocalDate to) {
        return snapshot(h -> summary(h, Range.of(h, from, to), artistId, postId));
    }

    public ArtistStats artist(String artistId, LocalDate from, LocalDate to, int page, int perPage, Sort sort, boolean descending) {
        return snapshot(h -> {
            Range range = Range.of(h, from, to);
            return new ArtistStats(summary(h, range, artistId, null), postPage(h, range, artistId, page, perPage, sort, descending));
        });
    }

    /** Lifetime counted views of a post: never less than before, since nothing is ever uncounted. */
    public long lifetimeViews(long postId, String artistId) {
        return snapshot(h -> {
            Range range = Range.of(h, LocalDate.of(1970, 1, 1), LocalDate.of(9999, 12, 31));
            return range.bind(h.createQuery(DAYS + "select coalesce(sum(views), 0) from days"), artistId, postId)
                    .mapTo(Long.class).one();
        });
    }

    /** Every post of the artist in one page and one snapshot: none skipped or repeated while the numbers change. */
    public List<PostRow> allArtistPosts(String artistId, LocalDate from, LocalDate to, Sort sort, boolean descending) {
        return snapshot(h -> postPage(h, Range.of(h, from, to), artistId, 1, Integer.MAX_VALUE, sort, descending).rows());
    }

    private PostPage postPage(Handle h, Range range, String artistId, int page, int perPage, Sort sort, boolean descending) {
        String sql = DAYS + """
                , per_post as (select post_id, sum(views) as views, sum(impressions) as impressions,
                                      sum(unique_viewers) as day_unique, %3$s
                               from days group by post_id)
                select p.post_id, p.title, coalesce(a.views, 0) as views, coalesce(a.impressions, 0) as impressions,
                       coalesce(a.day_unique, 0) as day_unique, count(*) over () as total, %4$s
                from posts p left join per_post a on a.post_id = p.post_id
                where p.artist_id = :artist
                order by %1$s %2$s, p.post_id
                limit :limit offset :offset
                """.formatted(sort == Sort.POST_ID ? "p.post_id" : sort.column, descending ? "desc" : "asc", WATCH_FIGURE_SUMS,
                WATCH_FIGURES.stream().map(f -> "coalesce(a." + f + ", 0) as " + f).collect(Collectors.joining(", ")));
        List<Object[]> found = range.bind(h.createQuery(sql), artistId, null)
                .bind("limit", perPage).bind("offset", (long) (page - 1) * perPage)
                .map((rs, ctx) -> new Object[] {rs.getLong(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getLong(5), rs.getLong(6), WatchTime.read(rs)})
                .list();
        Map<Long, Long> unique = new HashMap<>();
        if (!range.oneDay() && !found.isEmpty()) {
            unique = postUniques(h, range, found.stream().map(r -> (Long) r[0]).toList());
        }
        List<PostRow> rows = new ArrayList<>();
        for (Object[] r : found) {
            long postId = (Long) r[0];
            long u = range.oneDay() ? (Long) r[4] : unique.getOrDefault(postId, 0L);
            rows.add(new PostRow(postId, (String) r[1], (Long) r[2], (Long) r[3], u, (WatchTime) r[6]));
        }
        long total = found.isEmpty() ? h.createQuery("select count(*) from posts where artist_id = :artist")
                .bind("artist", artistId).mapTo(Long.class).one() : (Long) found.get(0)[5];
        return new PostPage(rows, total);
    }

    private Summary summary(Handle h, Range range, String artist, Long post) {
        String days = post == null ? ARTIST_DAYS : DAYS;
        Map<LocalDate, long[]> perDay = new TreeMap<>();
        Map<LocalDate, WatchTime> watchPerDay = new HashMap<>();
        Instant[] span = new Instant[2];
        Map<String, Map<String, Long>> breakdowns = new LinkedHashMap<>();
        BREAKDOWNS.forEach(b -> breakdowns.put(b, new TreeMap<>()));
        // One statement for the day rows and the breakdowns, so that the raw events after the
        // watermark are aggregated once: a CTE read twice is computed once. Every map of every day
        // row is expanded once into (key, count) pairs and summed: linear in the pairs (an artist's
        // range is one row per rolled-up day, plus today's per-post rows).
        range.bind(h.createQuery(days + """
                        select day, sum(views) as views, sum(impressions) as impressions, sum(unique_viewers) as unique_viewers,
                               min(first_view_at) as first_view_at, max(last_view_at) as last_view_at,
                               """ + WATCH_FIGURE_SUMS + """
                               , null::text as breakdown, null::text as key, null::numeric as count
                        from days group by day
                        union all
                        select null, null, null, null, null, null, """ + "null, ".repeat(WATCH_FIGURES.size()) + """
                               d.name, kv.key, sum(kv.value::bigint)
                        from days
                        cross join lateral (values """ + BREAKDOWN_PAIRS + """
                        ) as d(name, m)
                        cross join lateral jsonb_each_text(d.m) as kv
                        group by d.name, kv.key"""), artist, post)
                .map((rs, ctx) -> {
                    String breakdown = rs.getString("breakdown");
                    if (breakdown != null) {
                        breakdowns.get(breakdown).put(rs.getString("key"), rs.getLong("count"));
                        return null;
                    }
                    LocalDate day = rs.getObject("day", LocalDate.class);
                    perDay.put(day, new long[] {rs.getLong("views"), rs.getLong("impressions"), rs.getLong("unique_viewers")});
                    watchPerDay.put(day, WatchTime.read(rs));
                    span[0] = earliest(span[0], rs.getTimestamp("first_view_at"));
                    span[1] = latest(span[1], rs.getTimestamp("last_view_at"));
                    return null;
                }).list();
        if (post == null) {
            artistDailyUniques(h, range, artist, perDay);
        }
        List<Day> daily = new ArrayList<>();
        long views = 0;
        long impressions = 0;
        WatchTime watched = WatchTime.NONE;
        for (LocalDate d = range.from(); !d.isAfter(range.to()); d = d.plusDays(1)) {
            long[] v = perDay.getOrDefault(d, new long[DAY_FIGURES]);
            WatchTime w = watchPerDay.getOrDefault(d, WatchTime.NONE);
            daily.add(new Day(d, v[0], v[1], v[2], w));
            views += v[0];
            impressions += v[1];
            watched = watched.plus(w);
        }
        long unique = range.oneDay() ? daily.get(0).uniqueViewers() : rangeUniques(h, range, artist, post);
        Map<String, Long> watchTimeBySource = breakdowns.remove(WATCH_TIME_BY_SOURCE);
        return new Summary(views, impressions, unique, breakdowns, watched,
                watchTimeBySource, daily, span[0], span[1]);
    }

    /** An artist's unique viewers per day: exact, from the rollup's per-artist rows and raw viewers. */
    private static void artistDailyUniques(Handle h, Range range, String artist, Map<LocalDate, long[]> perDay) {
        perDay.values().forEach(v -> v[2] = 0);
        range.bind(h.createQuery("""
                        select day, unique_viewers from daily_artist_stats
                        where artist_id = :artist and day between :from and :rolledTo
                        union all
                        select day, count(distinct viewer_id) from daily_viewers
                        where artist_id = :artist and day between :rawFrom and :to group by day"""), artist, null)
                .map((rs, ctx) -> perDay.computeIfAbsent(rs.getObject(1, LocalDate.class), d -> new long[DAY_FIGURES])[2] = rs.getLong(2))
                .list();
    }

    private static long rangeUniques(Handle h, Range range, String artist, Long post) {
        ViewerSketch sketch = new ViewerSketch();
        String sketches = post == null
                ? "select viewer_sketch from daily_artist_stats where artist_id = :artist and day between :from and :rolledTo"
                : "select viewer_sketch from daily_post_stats where post_id = :post and day between :from and :rolledTo";
        range.bind(h.createQuery(sketches), artist, post).mapTo(byte[].class).forEach(sketch::addAll);
        String raw = post == null
                ? "select viewer_id from daily_viewers where artist_id = :artist and day between :rawFrom and :to"
                : "select viewer_id from daily_viewers where post_id = :post and day between :rawFrom and :to";
        range.bind(h.createQuery(raw).setFetchSize(10_000), artist, post).mapTo(String.class).forEach(sketch::add);
        return sketch.estimate();
    }

    private static Map<Long, Long> postUniques(Handle h, Range range, List<Long> postIds) {
        Map<Long, ViewerSketch> sketches = new HashMap<>();
        Long[] ids = postIds.toArray(Long[]::new);
        range.bind(h.createQuery("""
                        select post_id, viewer_sketch, null from daily_post_stats
                        where post_id = any(:ids) and day between :from and :rolledTo
                        union all
                        select post_id, null, viewer_id from daily_viewers
                        where post_id = any(:ids) and day between :rawFrom and :to"""), null, null)
                .bind("ids", ids)
                .map((rs, ctx) -> {
                    ViewerSketch s = sketches.computeIfAbsent(rs.getLong(1), id -> new ViewerSketch());
                    if (rs.getBytes(2) != null) {
                        s.addAll(rs.getBytes(2));
                    } else {
                        s.add(rs.getString(3));
                    }
                    return null;
                }).list();
        Map<Long, Long> out = new HashMap<>();
        sketches.forEach((id, s) -> out.put(id, s.estimate()));
        return out;
    }

    private <T> T snapshot(org.jdbi.v3.core.HandleCallback<T, RuntimeException> reads) {
        return jdbi.inTransaction(TransactionIsolationLevel.REPEATABLE_READ, h -> {
            h.execute("set transaction read only");
            return reads.withHandle(h);
        });
    }

    private static Instant earliest(Instant current, Timestamp candidate) {
        Instant c = candidate == null ? null : candidate.toInstant();
        return current == null ? c : c == null || current.isBefore(c) ? current : c;
    }

    private static Instant latest(Instant current, Timestamp candidate) {
        Instant c = candidate == null ? null : candidate.toInstant();
        return current == null ? c : c == null || current.isAfter(c) ? current : c;
    }
}
