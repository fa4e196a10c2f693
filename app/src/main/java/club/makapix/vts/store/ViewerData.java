package club.makapix.vts.store;

import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.transaction.TransactionIsolationLevel;

/**
 * What VTS keeps about one signed-in viewer (contract §5), read for them or an admin, and forgotten
 * on request: progress, history and watch time are deleted, and their past events are unlinked from
 * their id (given one random stand-in, so every artist's figure, unique viewers included, stays as it was).
 */
public final class ViewerData {
    /** One viewer's watching of one post. */
    public record Progress(long postId, long positionMs, Long durationMs, long playedMs, Instant completedAt,
                           Instant lastWatchedAt) {}

    /** An entry of a viewer's history: when they last viewed the post, and the watched time with it (null: none said). */
    public record Recent(long postId, Instant viewedAt, Long watchedMs) {}

    /** A viewer's watching over a range of days: time, distinct posts, posts completed. */
    public record WatchTotals(long watchedMs, long posts, long completed) {}

    private static final String PROGRESS_COLUMNS =
            "post_id, position_ms, duration_ms, played_ms, completed_at, last_watched_at ";

    private static final RowMapper<Progress> PROGRESS = (rs, ctx) -> new Progress(rs.getLong("post_id"),
            rs.getLong("position_ms"), rs.getObject("duration_ms", Long.class), rs.getLong("played_ms"),
            instant(rs.getTimestamp("completed_at")), instant(rs.getTimestamp("last_watched_at")));

    private final Jdbi jdbi;

    public ViewerData(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public Optional<Progress> progress(String viewer, long postId) {
        return jdbi.withHandle(h -> h.createQuery("select " + PROGRESS_COLUMNS
                        + " from watch_progress where viewer_id = :viewer and post_id = :post")
                .bind("viewer", viewer).bind("post", postId).map(PROGRESS).findOne());
    }

    /** The viewer's rows among these posts (the posts they never watched have none), in post order. */
    public List<Progress> progress(String viewer, List<Long> postIds) {
        return jdbi.withHandle(h -> h.createQuery("select " + PROGRESS_COLUMNS
                        + " from watch_progress where viewer_id = :viewer and post_id = any(:posts) order by post_id")
                .bind("viewer", viewer).bind("posts", postIds.toArray(Long[]::new)).map(PROGRESS).list());
    }

    /** Started and not completed, most recently watched first. */
    public List<Progress> continueWatching(String viewer, int limit) {
        return jdbi.withHandle(h -> h.createQuery("select " + PROGRESS_COLUMNS + """
                         from watch_progress where viewer_id = :viewer and completed_at is null
                         order by last_watched_at desc, post_id desc limit :limit""")
                .bind("viewer", viewer).bind("limit", limit).map(PROGRESS).list());
    }

    /** Every row of the viewer, most recently watched first, one page (for admins). */
    public Page<Progress> allProgress(String viewer, int offset, int limit) {
        return Page.read(jdbi,
                h -> h.createQuery("select " + PROGRESS_COLUMNS + """
                                 from watch_progress where viewer_id = :viewer
                                 order by last_watched_at desc, post_id desc limit :limit offset :offset""")
                        .bind("viewer", viewer).bind("limit", limit).bind("offset", offset).map(PROGRESS).list(),
                h -> h.createQuery("select count(*) from watch_progress where viewer_id = :viewer")
                        .bind("viewer", viewer).mapTo(Long.class).one());
    }

    /** The viewer's history, newest first, one page. */
    public Page<Recent> recentlyViewed(String viewer, int offset, int limit) {
        return Page.read(jdbi,
                h -> h.createQuery("""
                                select post_id, viewed_at, watched_ms from recently_viewed where viewer_id = :viewer
                                order by viewed_at desc, post_id desc limit :limit offset :offset""")
                        .bind("viewer", viewer).bind("limit", limit).bind("offset", offset)
                        .map((rs, ctx) -> new Recent(rs.getLong(1), instant(rs.getTimestamp(2)), rs.getObject(3, Long.class)))
                        .list(),
                h -> h.createQuery("select count(*) from recently_viewed where viewer_id = :viewer")
                        .bind("viewer", viewer).mapTo(Long.class).one());
    }

    /** What the viewer watched from {@code from} to {@code to} (UTC days; null: unbounded), and completed then. */
    public WatchTotals watchTime(String viewer, LocalDate from, LocalDate to) {
        LocalDate first = from == null ? LocalDate.of(1970, 1, 1) : from;
        LocalDate last = to == null ? LocalDate.of(9999, 12, 31) : to;
        return jdbi.withHandle(h -> h.createQuery("""
                        select (select coalesce(sum(watched_ms), 0) from viewer_watch_days
                                where viewer_id = :viewer and day between :first and :last),
                               (select count(distinct post_id) from viewer_watch_days
                                where viewer_id = :viewer and day between :first and :last),
                               (select count(*) from watch_progress where viewer_id = :viewer
                                and completed_at >= cast(:first as timestamp) at time zone 'UTC'
                                and completed_at < cast(cast(:last as date) + 1 as timestamp) at time zone 'UTC')""")
                .bind("viewer", viewer).bind("first", first).bind("last", last)
                .map((rs, ctx) -> new WatchTotals(rs.getLong(1), rs.getLong(2), rs.getLong(3))).one());
    }

    /**
     * Forgets the viewer in one transaction; returns whether VTS held anything of theirs. A report or
     * view of theirs still in the writer's queue at this moment may land just after.
     */
    public boolean erase(String viewer) {
        String standIn = "erased:" + UUID.randomUUID();
        return jdbi.inTransaction(TransactionIsolationLevel.READ_COMMITTED, h -> {
            int found = 0;
            for (String table : List.of("watch_progress", "viewer_watch_days", "recently_viewed")) {
                found += h.createUpdate("delete from " + table + " where viewer_id = :viewer").bind("viewer", viewer).execute();
            }
            // the events stay, so the artists' figures stay; only the link to this viewer goes
            for (String table : List.of("view_events", "daily_viewers")) {
                found += h.createUpdate("update " + table + " set viewer_id = :standIn where viewer_id = :viewer")
                        .bind("standIn", standIn).bind("viewer", viewer).execute();
            }
            return found > 0;
        });
    }

    private static Instant instant(java.sql.Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}
