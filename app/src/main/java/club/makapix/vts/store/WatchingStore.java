package club.makapix.vts.store;

import club.makapix.vts.pipeline.Event;
import club.makapix.vts.pipeline.Kind;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;

/**
 * The watching tables (contract §5) as the writer fills them, inside its batch's transaction: watch
 * reports ({@code daily_watch}, and for signed-in viewers {@code watch_progress},
 * {@code viewer_watch_days}, {@code recently_viewed}), and signed-in viewers' views and watched
 * appearances (their history and watch time). Several reports of one viewer and post in a batch
 * become one row update; rows are taken in key order in every statement, so two writers never deadlock.
 */
public final class WatchingStore {
    // Reports come as parallel arrays numbered by i. Those whose key is new (or that have none) are
    // kept; a viewer's kept reports of a post fold into one progress update (the last position, the
    // played time summed, the first time the media had a length: a start, the first report at the
    // completion mark: a completion); what the progress row says afterwards tells whether this batch
    // started or completed it (the row keeps the id of the write that did). Artists' figures go to
    // daily_watch, which names no viewer.
    private static final String WRITE_REPORTS = """
            with write as (
                select ?::uuid as id
            ), incoming as (
                select t.i, t.event_key, t.received_at::timestamptz as received_at, t.post_id, t.artist_id, t.viewer_id,
                       t.position_ms, t.duration_ms, t.played_ms, t.credit_ms, t.reaches,
                       (t.received_at::timestamptz at time zone 'UTC')::date as day
                from unnest(?::int[], ?::uuid[], ?::text[], ?::bigint[], ?::text[], ?::text[], ?::bigint[], ?::bigint[],
                            ?::bigint[], ?::bigint[], ?::boolean[])
                     as t(i, event_key, received_at, post_id, artist_id, viewer_id, position_ms, duration_ms, played_ms,
                          credit_ms, reaches)
            ), %s, kept as (
                select * from incoming where event_key is null or event_key in (select event_key from fresh)
            ), folded as (
                select viewer_id, post_id, min(artist_id) as artist_id,
                       (array_agg(position_ms order by i desc))[1] as position_ms,
                       (array_agg(duration_ms order by i desc) filter (where duration_ms is not null))[1] as duration_ms,
                       sum(played_ms) as played_ms, min(received_at) as first_at, max(received_at) as last_at,
                       min(received_at) filter (where duration_ms is not null) as start_at,
                       min(received_at) filter (where reaches) as complete_at,
                       bool_and(credit_ms is not null) as countable
                from kept where viewer_id is not null
                group by viewer_id, post_id
            ), progress as (
                -- in a SET, w.… is the row as it was: a start (a completion) is this write's only if none was before
                insert into watch_progress as w (viewer_id, post_id, artist_id, position_ms, duration_ms, played_ms,
                                                 started_at, completed_at, started_in, completed_in,
                                                 first_watched_at, last_watched_at)
                select viewer_id, post_id, artist_id, position_ms, duration_ms, played_ms, start_at, complete_at,
                       case when start_at is not null then (select id from write) end,
                       case when complete_at is not null then (select id from write) end,
                       first_at, last_at
                from folded order by viewer_id, post_id
                on conflict (viewer_id, post_id) do update set
                    position_ms = excluded.position_ms,
                    duration_ms = coalesce(excluded.duration_ms, w.duration_ms),
                    played_ms = w.played_ms + excluded.played_ms,
                    started_at = coalesce(w.started_at, excluded.started_at),
                    completed_at = coalesce(w.completed_at, excluded.completed_at),
                    started_in = case when w.started_at is null then excluded.started_in else w.started_in end,
                    completed_in = case when w.completed_at is null then excluded.completed_in else w.completed_in end,
                    last_watched_at = greatest(w.last_watched_at, excluded.last_watched_at)
                returning viewer_id, post_id, started_in, completed_in, completed_at, played_ms
            ), decided as (
                select f.*, p.played_ms as total_played_ms, p.completed_at is not null as completed,
                       f.countable and p.started_in = (select id from write) as starts,
                       f.countable and p.completed_in = (select id from write) as completes
                from folded f join progress p on p.viewer_id = f.viewer_id and p.post_id = f.post_id
            ), per_day as (
                select day, post_id, min(artist_id) as artist_id, sum(watch_ms) as watch_ms, sum(starts) as starts,
                       sum(completions) as completions
                from (select day, post_id, artist_id, coalesce(credit_ms, 0) as watch_ms, 0 as starts, 0 as completions
                      from kept
                      union all
                      select (start_at at time zone 'UTC')::date, post_id, artist_id, 0, 1, 0 from decided where starts
                      union all
                      select (complete_at at time zone 'UTC')::date, post_id, artist_id, 0, 0, 1 from decided where completes
                     ) as figures
                group by day, post_id
            ), daily as (
                insert into daily_watch as d (day, post_id, artist_id, watch_time_ms, starts, completions)
                select day, post_id, artist_id, watch_ms, starts, completions from per_day order by day, post_id
                on conflict (day, post_id) do update set
                    watch_time_ms = d.watch_time_ms + excluded.watch_time_ms,
                    starts = d.starts + excluded.starts,
                    completions = d.completions + excluded.completions
                returning 1
            ), viewer_days as (
                insert into viewer_watch_days as v (viewer_id, day, post_id, watched_ms)
                select viewer_id, day, post_id, sum(played_ms) from kept where viewer_id is not null
                group by viewer_id, day, post_id order by viewer_id, day, post_id
                on conflict (viewer_id, day, post_id) do update set watched_ms = v.watched_ms + excluded.watched_ms
                returning 1
            ), recent as (
                insert into recently_viewed as r (viewer_id, post_id, viewed_at, watched_ms)
                select viewer_id, post_id, last_at, total_played_ms from decided order by viewer_id, post_id
                on conflict (viewer_id, post_id) do update set viewed_at = excluded.viewed_at, watched_ms = excluded.watched_ms
                returning viewer_id, xmax = 0 as added
            )
            select k.i, d.completed, k.viewer_id in (select viewer_id from recent where added) as history_grew from kept k
            left join decided d on d.viewer_id = k.viewer_id and d.post_id = k.post_id
            """.formatted(ViewEventStore.FRESH_KEYS);

    // Signed-in viewers' stored views and impressions: a view moves its post to the top of the
    // viewer's history with its own watched time; watched time adds to the viewer's day.
    private static final String NOTE_APPEARANCES = """
            with incoming as (
                select t.i, t.viewer_id, t.post_id, t.received_at::timestamptz as received_at, t.is_view, t.watched_ms
                from unnest(?::int[], ?::text[], ?::bigint[], ?::text[], ?::boolean[], ?::bigint[])
                     as t(i, viewer_id, post_id, received_at, is_view, watched_ms)
            ), recent as (
                insert into recently_viewed as r (viewer_id, post_id, viewed_at, watched_ms)
                select distinct on (viewer_id, post_id) viewer_id, post_id, received_at, watched_ms
                from incoming where is_view order by viewer_id, post_id, i desc
                on conflict (viewer_id, post_id) do update set viewed_at = excluded.viewed_at, watched_ms = excluded.watched_ms
                returning viewer_id, xmax = 0 as added
            ), viewer_days as (
                insert into viewer_watch_days as v (viewer_id, day, post_id, watched_ms)
                select viewer_id, (received_at at time zone 'UTC')::date, post_id, sum(watched_ms)
                from incoming where watched_ms is not null
                group by 1, 2, 3 order by 1, 2, 3
                on conflict (viewer_id, day, post_id) do update set watched_ms = v.watched_ms + excluded.watched_ms
                returning 1
            )
            select distinct viewer_id from recent where added
            """;

    // Keeps each named viewer's newest entries, forgetting the oldest beyond the limit.
    private static final String TRIM_RECENTLY_VIEWED = """
            delete from recently_viewed r
            using (select viewer_id, post_id from (
                       select viewer_id, post_id,
                              row_number() over (partition by viewer_id order by viewed_at desc, post_id desc) as place
                       from recently_viewed where viewer_id = any(?)) ranked
                   where place > ?) old
            where r.viewer_id = old.viewer_id and r.post_id = old.post_id
            """;

    private final int recentlyViewedMax;

    public WatchingStore(int recentlyViewedMax) {
        this.recentlyViewedMax = recentlyViewedMax;
    }

    /** Whether the event feeds a signed-in viewer's progress, history or watch time. */
    static boolean feedsViewer(Event event) {
        return event.signedInViewer() != null && (event.kind() == Kind.VIEW || event.viewerWatchMs() != null);
    }

    /**
     * Writes the reports (whose keys must be distinct); returns which were stored now (false: stored
     * before), tells each signed-in viewer's stored report whether the post is completed for them, and
     * adds to {@code historyGrew} the viewers with a new post in their history (only they may now be
     * over the cap: a post already there only moved to the top).
     */
    boolean[] writeReports(Connection c, List<Event> reports, Set<String> historyGrew) throws SQLException {
        int n = reports.size();
        boolean[] stored = new boolean[n];
        try (PreparedStatement ps = c.prepareStatement(WRITE_REPORTS)) {
            int p = 1;
            ps.setObject(p++, UUID.randomUUID()); // this write's id
            ps.setArray(p++, c.createArrayOf("int4", indexes(n)));
            ps.setArray(p++, array(c, UUID.class, reports, Event::dedupeKey));
            ps.setArray(p++, array(c, String.class, reports, e -> e.receivedAt().toString()));
            ps.setArray(p++, array(c, Long.class, reports, Event::postId));
            ps.setArray(p++, array(c, String.class, reports, Event::artistId));
            ps.setArray(p++, array(c, String.class, reports, Event::signedInViewer));
            ps.setArray(p++, array(c, Long.class, reports, Event::positionMs));
            ps.setArray(p++, array(c, Long.class, reports, Event::mediaDurationMs));
            ps.setArray(p++, array(c, Long.class, reports, Event::playedMs));
            ps.setArray(p++, array(c, Long.class, reports, Event::watchTimeMs));
            ps.setArray(p, array(c, Boolean.class, reports, Event::reachesCompletion));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    stored[i] = true;
                    boolean completed = rs.getBoolean(2);
                    if (!rs.wasNull()) {
                        reports.get(i).storedCompletion(completed);
                    }
                    if (rs.getBoolean(3)) {
                        historyGrew.add(reports.get(i).signedInViewer());
                    }
                }
            }
        }
        return stored;
    }

    /**
     * Adds stored views and watched appearances of signed-in viewers ({@link #feedsViewer}) to their
     * history and watch time; adds to {@code historyGrew} the viewers with a new post in their history.
     */
    void noteAppearances(Connection c, List<Event> stored, Set<String> historyGrew) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(NOTE_APPEARANCES)) {
            ps.setArray(1, c.createArrayOf("int4", indexes(stored.size())));
            ps.setArray(2, array(c, String.class, stored, Event::signedInViewer));
            ps.setArray(3, array(c, Long.class, stored, Event::postId));
            ps.setArray(4, array(c, String.class, stored, e -> e.receivedAt().toString()));
            ps.setArray(5, array(c, Boolean.class, stored, e -> e.kind() == Kind.VIEW));
            ps.setArray(6, array(c, Long.class, stored, Event::viewerWatchMs));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    historyGrew.add(rs.getString(1));
                }
            }
        }
    }

    /**
     * Forgets the oldest history entries of these viewers beyond {@code VTS_RECENTLY_VIEWED_MAX}. It
     * reads each viewer's whole history, so it is asked only for viewers whose history grew.
     */
    void trimRecentlyViewed(Connection c, Set<String> viewers) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(TRIM_RECENTLY_VIEWED)) {
            ps.setArray(1, c.createArrayOf("text", new TreeSet<>(viewers).toArray()));
            ps.setInt(2, recentlyViewedMax);
            ps.executeUpdate();
        }
    }

    private static Integer[] indexes(int n) {
        Integer[] index = new Integer[n];
        for (int i = 0; i < n; i++) {
            index[i] = i;
        }
        return index;
    }

    private static final java.util.Map<Class<?>, String> SQL_TYPES = java.util.Map.of(
            UUID.class, "uuid", String.class, "text", Long.class, "int8", Boolean.class, "bool");

    /** One value per event as a typed array, so the driver's own encoder for the type applies. */
    private static <T> Array array(Connection c, Class<T> type, List<Event> events, Function<Event, ? extends T> value)
            throws SQLException {
        @SuppressWarnings("unchecked")
        T[] values = (T[]) java.lang.reflect.Array.newInstance(type, events.size());
        for (int i = 0; i < values.length; i++) {
            values[i] = value.apply(events.get(i));
        }
        return c.createArrayOf(SQL_TYPES.get(type), values);
    }
}
