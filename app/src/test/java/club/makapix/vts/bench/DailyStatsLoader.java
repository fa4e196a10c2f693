package club.makapix.vts.bench;

import club.makapix.vts.stats.ViewerSketch;
import java.io.IOException;
import java.io.StringReader;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.postgresql.PGConnection;

/**
 * Writes what the rollup would have made of past days, without raw events: one
 * {@code daily_post_stats} row per post and day (counts, breakdown maps, a real viewer sketch) and
 * per-artist rows made from them as the rollup makes them ({@code vts_roll_up_artists}), through COPY. A post's daily views equal its
 * unique viewers (a view counts once per viewer, post and day); popularity falls with the post's rank.
 */
final class DailyStatsLoader {
    /** Daily views of the artist's most viewed post (then about 1 / rank^0.9 of it). */
    private static final int TOP_POST_VIEWS = 1_000;
    private static final int VIEWER_POOL = RawEventLoader.USERS;
    private static final List<String> COUNTRIES = List.of("US", "DE", "GB", "FR", "JP", "BR", "CA", "NL", "ES", "IT", "unknown");
    private static final List<String> DEVICES = List.of("desktop", "mobile", "tablet", "player");
    private static final List<String> CHANNELS = List.of("all", "promoted", "hashtag", "user", "artwork", "none");
    private static final List<String> PLAY_ORDERS = List.of("0", "1", "2", "none");

    private final Random random = new Random(42);

    /** What was written: daily rows, and views in them. */
    record Loaded(long rows, long views) {}

    /** The artist's posts {@code firstPost ..} over the days {@code first .. last}, one COPY per day. */
    Loaded artist(Connection c, String artist, long firstPost, int posts, LocalDate first, LocalDate last)
            throws SQLException, IOException {
        long rows = 0;
        long views = 0;
        for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
            StringBuilder copy = new StringBuilder();
            ViewerSketch artistSketch = new ViewerSketch();
            Set<Integer> artistViewers = new HashSet<>();
            for (int rank = 0; rank < posts; rank++) {
                int postViews = (int) Math.round(TOP_POST_VIEWS / Math.pow(rank + 1, 0.9) * (0.5 + random.nextDouble()));
                int impressions = (int) Math.round(postViews * (1 + 2 * random.nextDouble()));
                ViewerSketch postSketch = new ViewerSketch();
                for (int viewer : distinctViewers(postViews)) {
                    postSketch.add("user-" + viewer);
                    artistSketch.add("user-" + viewer);
                    artistViewers.add(viewer);
                }
                appendPostRow(copy, day, firstPost + rank, artist, postViews, impressions, postSketch);
                rows++;
                views += postViews;
            }
            copyIn(c, "copy daily_post_stats (day, post_id, artist_id, views, impressions, unique_viewers, views_by_country, "
                    + "views_by_device, views_by_source, views_by_channel, impressions_by_channel, views_by_play_order, "
                    + "impressions_by_play_order, first_view_at, last_view_at, viewer_sketch) from stdin", copy);
            artistViewersByDay.put(day, new DayViewers(artistViewers.size(), artistSketch.toBytes()));
        }
        return new Loaded(rows, views);
    }

    private record DayViewers(long unique, byte[] sketch) {}

    private final java.util.Map<LocalDate, DayViewers> artistViewersByDay = new java.util.HashMap<>();

    /**
     * The per-artist rows of every loaded day, made from the per-post rows by the rollup's own SQL,
     * with the loaded artist's exact viewers and sketch (as the rollup takes them from daily_viewers).
     */
    void artistRows(Connection c, String artist, LocalDate first, LocalDate last) throws SQLException {
        try (PreparedStatement rollUp = c.prepareStatement("select vts_roll_up_artists(?)");
             PreparedStatement viewers = c.prepareStatement(
                     "update daily_artist_stats set unique_viewers = ?, viewer_sketch = ? where artist_id = ? and day = ?")) {
            for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
                rollUp.setObject(1, day);
                rollUp.execute();
                DayViewers v = artistViewersByDay.get(day);
                viewers.setLong(1, v.unique());
                viewers.setBytes(2, v.sketch());
                viewers.setString(3, artist);
                viewers.setObject(4, day);
                viewers.executeUpdate();
            }
        }
    }

    /**
     * Other artists' rows, so the tables and their indexes are not the one artist's alone: {@code posts}
     * posts from {@code firstPost}, {@code artists} artists, small counts and one shared small sketch.
     */
    void others(Connection c, long firstPost, int posts, int artists, LocalDate first, LocalDate last) throws SQLException {
        ViewerSketch sketch = new ViewerSketch();
        distinctViewers(20).forEach(v -> sketch.add("user-" + v));
        try (PreparedStatement ps = c.prepareStatement("""
                insert into daily_post_stats (day, post_id, artist_id, views, impressions, unique_viewers, views_by_country,
                    views_by_device, views_by_source, views_by_channel, impressions_by_channel, views_by_play_order,
                    impressions_by_play_order, first_view_at, last_view_at, viewer_sketch)
                select d::date, p, 'other-artist-' || p % ?, 20, 45, 20, '{"US": 8, "DE": 5, "GB": 4, "unknown": 3}',
                       '{"desktop": 9, "mobile": 7, "player": 4}', '{"web": 16, "player": 4}', '{"artwork": 4, "none": 16}',
                       '{"all": 30, "promoted": 15}', '{"0": 2, "2": 2, "none": 16}', '{"0": 20, "2": 25}',
                       d + interval '1 hour', d + interval '23 hours', ?
                from generate_series(?::date, ?::date, interval '1 day') d, generate_series(?::bigint, ?::bigint) p""")) {
            ps.setInt(1, artists);
            ps.setBytes(2, sketch.toBytes());
            ps.setObject(3, first);
            ps.setObject(4, last);
            ps.setLong(5, firstPost);
            ps.setLong(6, firstPost + posts - 1);
            ps.executeUpdate();
        }
    }

    /** {@code n} distinct viewers from the pool, the more active ones (low numbers) more likely. */
    private Set<Integer> distinctViewers(int n) {
        Set<Integer> viewers = new HashSet<>();
        while (viewers.size() < n) {
            viewers.add((int) (VIEWER_POOL * Math.pow(random.nextDouble(), 1.5)));
        }
        return viewers;
    }

    private void appendPostRow(StringBuilder copy, LocalDate day, long postId, String artist, int views, int impressions,
                               ViewerSketch sketch) {
        long dayStart = day.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
        copy.append(day).append('\t').append(postId).append('\t').append(artist).append('\t').append(views).append('\t')
                .append(impressions).append('\t').append(views).append('\t')
                .append(spread(views, COUNTRIES)).append('\t').append(spread(views, DEVICES)).append('\t')
                .append(spread(views, List.of("web", "player"))).append('\t').append(spread(views, CHANNELS)).append('\t')
                .append(spread(impressions, CHANNELS)).append('\t').append(spread(views, PLAY_ORDERS)).append('\t')
                .append(spread(impressions, PLAY_ORDERS)).append('\t');
        if (views == 0) {
            copy.append("\\N\t\\N\t");
        } else {
            copy.append(Instant.ofEpochSecond(dayStart + random.nextInt(3_600))).append('\t')
                    .append(Instant.ofEpochSecond(dayStart + 82_800 + random.nextInt(3_600))).append('\t');
        }
        // bytea in COPY text format: \x and hex digits, the backslash itself escaped
        copy.append("\\\\x").append(HexFormat.of().formatHex(sketch.toBytes())).append('\n');
    }

    /** A breakdown map: {@code n} events over the values, earlier values more often. */
    private String spread(int n, List<String> values) {
        Map<String, Integer> counts = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            counts.merge(values.get((int) (values.size() * Math.pow(random.nextDouble(), 2))), 1, Integer::sum);
        }
        StringBuilder json = new StringBuilder("{");
        counts.forEach((k, v) -> json.append(json.length() > 1 ? ", " : "").append('"').append(k).append("\": ").append(v));
        return json.append('}').toString();
    }

    private static void copyIn(Connection c, String sql, CharSequence rows) throws SQLException, IOException {
        c.unwrap(PGConnection.class).getCopyAPI().copyIn(sql, new StringReader(rows.toString()));
    }
}
