package club.makapix.vts.rollup;

import club.makapix.vts.stats.StatsReader;
import club.makapix.vts.stats.ViewerSketch;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The rollup's tables: {@code daily_post_stats}, {@code daily_artist_stats}, {@code rollup_state}
 * and {@code rollup_days}. Every method runs on the caller's connection, inside its transaction.
 */
final class RollupStore {
    private RollupStore() {}

    /** The last rolled-up day, or null before the first rollup. */
    static LocalDate watermark(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("select watermark from rollup_state");
             ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getObject(1, LocalDate.class) : null;
        }
    }

    static void setWatermark(Connection c, LocalDate day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                insert into rollup_state (singleton, watermark) values (true, ?)
                on conflict (singleton) do update set watermark = greatest(rollup_state.watermark, excluded.watermark),
                    updated_at = now()""")) {
            ps.setObject(1, day);
            ps.executeUpdate();
        }
    }

    /** The first UTC day with raw events, or null. */
    static LocalDate firstRawDay(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "select (min(received_at) at time zone 'UTC')::date from view_events");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getObject(1, LocalDate.class);
        }
    }

    static long rawEvents(Connection c, LocalDate day) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("""
                select count(*) from view_events
                where received_at >= ?::timestamp at time zone 'UTC' and received_at < ?::timestamp at time zone 'UTC'""")) {
            ps.setObject(1, day);
            ps.setObject(2, day.plusDays(1));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** Rolled-up days from {@code first} on, with the raw count each was made from. */
    static Map<LocalDate, Long> rolledDays(Connection c, LocalDate first) throws SQLException {
        Map<LocalDate, Long> days = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("select day, raw_events from rollup_days where day >= ?")) {
            ps.setObject(1, first);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    days.put(rs.getObject(1, LocalDate.class), rs.getLong(2));
                }
            }
        }
        return days;
    }

    /**
     * Replaces the day's rows with what its raw events say now: counts and breakdowns from
     * {@code vts_day_stats}, viewer sketches from {@code daily_viewers}. Returns the raw event count.
     */
    static long rollUp(Connection c, LocalDate day, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("set local work_mem = '128MB'")) {
            ps.execute(); // the day's breakdowns are grouped in memory instead of spilling to disk
        }
        for (String table : List.of("daily_post_stats", "daily_artist_stats")) {
            try (PreparedStatement ps = c.prepareStatement("delete from " + table + " where day = ?")) {
                ps.setObject(1, day);
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("""
                insert into daily_post_stats (day, post_id, artist_id, views, impressions, unique_viewers, %1$s,
                    first_view_at, last_view_at, %2$s)
                select day, post_id, artist_id, views, impressions, unique_viewers, %1$s, first_view_at, last_view_at, %2$s
                from vts_day_stats(?, ?)""".formatted(StatsReader.BREAKDOWN_COLUMNS, StatsReader.WATCH_FIGURE_COLUMNS))) {
            ps.setObject(1, day);
            ps.setObject(2, day);
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("select vts_roll_up_artists(?)")) {
            ps.setObject(1, day);
            ps.execute();
        }
        try (PreparedStatement ps = c.prepareStatement("""
                update daily_artist_stats s set unique_viewers = v.viewers
                from (select artist_id, count(distinct viewer_id) as viewers from daily_viewers
                      where day = ? and artist_id is not null group by artist_id) v
                where s.artist_id = v.artist_id and s.day = ?""")) {
            ps.setObject(1, day);
            ps.setObject(2, day);
            ps.executeUpdate();
        }
        writeSketches(c, day);
        long raw = rawEvents(c, day);
        try (PreparedStatement ps = c.prepareStatement("""
                insert into rollup_days (day, raw_events, rolled_at) values (?, ?, ?)
                on conflict (day) do update set raw_events = excluded.raw_events, rolled_at = excluded.rolled_at""")) {
            ps.setObject(1, day);
            ps.setLong(2, raw);
            ps.setTimestamp(3, Timestamp.from(now));
            ps.executeUpdate();
        }
        return raw;
    }

    /** One sketch per post (streamed in post order) and one per artist, from the day's viewers. */
    private static void writeSketches(Connection c, LocalDate day) throws SQLException {
        Map<String, ViewerSketch> byArtist = new HashMap<>();
        try (PreparedStatement read = c.prepareStatement(
                     "select post_id, artist_id, viewer_id from daily_viewers where day = ? order by post_id");
             PreparedStatement write = c.prepareStatement(
                     "update daily_post_stats set viewer_sketch = ? where day = ? and post_id = ?")) {
            read.setObject(1, day);
            read.setFetchSize(10_000);
            long currentPost = -1;
            ViewerSketch post = null;
            int pending = 0;
            try (ResultSet rs = read.executeQuery()) {
                while (rs.next()) {
                    long postId = rs.getLong(1);
                    if (postId != currentPost) {
                        pending += addSketch(write, post, day, currentPost);
                        currentPost = postId;
                        post = new ViewerSketch();
                    }
                    String viewer = rs.getString(3);
                    post.add(viewer);
                    String artist = rs.getString(2);
                    if (artist != null) {
                        byArtist.computeIfAbsent(artist, a -> new ViewerSketch()).add(viewer);
                    }
                    if (pending >= 500) {
                        write.executeBatch();
                        pending = 0;
                    }
                }
            }
            addSketch(write, post, day, currentPost);
            write.executeBatch();
        }
        try (PreparedStatement ps = c.prepareStatement(
                "update daily_artist_stats set viewer_sketch = ? where artist_id = ? and day = ?")) {
            for (Map.Entry<String, ViewerSketch> artist : byArtist.entrySet()) {
                ps.setBytes(1, artist.getValue().toBytes());
                ps.setString(2, artist.getKey());
                ps.setObject(3, day);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static int addSketch(PreparedStatement write, ViewerSketch sketch, LocalDate day, long postId) throws SQLException {
        if (sketch == null) {
            return 0;
        }
        write.setBytes(1, sketch.toBytes());
        write.setObject(2, day);
        write.setLong(3, postId);
        write.addBatch();
        return 1;
    }

    /** Raw data no longer needed once rolled up: partitions, first-view keys, dedupe keys and failed events before cutoff. */
    static int dropRawBefore(Connection c, LocalDate cutoff) throws SQLException {
        int dropped;
        try (PreparedStatement ps = c.prepareStatement("select vts_drop_view_event_partitions_before(?)")) {
            ps.setObject(1, cutoff);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                dropped = rs.getInt(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("delete from daily_viewers where day < ?")) {
            ps.setObject(1, cutoff);
            ps.executeUpdate();
        }
        for (String sql : List.of("delete from event_keys where received_at < ?::timestamp at time zone 'UTC'",
                "delete from failed_events where failed_at < ?::timestamp at time zone 'UTC'")) {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setObject(1, cutoff);
                ps.executeUpdate();
            }
        }
        return dropped;
    }

    static List<LocalDate> days(LocalDate first, LocalDate last) {
        List<LocalDate> days = new ArrayList<>();
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            days.add(d);
        }
        return days;
    }
}
