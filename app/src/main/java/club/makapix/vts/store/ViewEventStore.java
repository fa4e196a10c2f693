package club.makapix.vts.store;

import club.makapix.vts.pipeline.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.sql.DataSource;

/**
 * The {@code view_events} and {@code event_keys} tables: writes a batch of events in one statement
 * (one round trip), and keeps daily partitions ahead of time.
 */
public final class ViewEventStore {
    /**
     * The one rule of "stored once", as a CTE for the statements that store events: the keys of
     * {@code incoming} that {@code event_keys} did not have, taken in key order (the same in every
     * writer, so two batches sharing keys wait for each other in one direction only, never in a deadlock).
     */
    static final String FRESH_KEYS = """
            fresh as (
                insert into event_keys (event_key, received_at)
                select event_key, received_at from incoming where event_key is not null
                order by event_key
                on conflict do nothing
                returning event_key
            )""";

    /** SQLSTATE of "no partition of relation found for row". */
    static final String NO_PARTITION = "23514";

    /**
     * A column of {@code view_events} filled from an event: its name, how its values travel (a typed
     * Java array, so the driver's fast encoders apply, of a JDBC element type, as an SQL array type),
     * the cast back to the column's type, and the value. The statement below is derived from this
     * list, so a column is named once.
     */
    private record Column(String name, Class<?> javaType, String elementType, String sqlArray, String cast,
                          Function<Event, Object> value) {
        static Column text(String name, Function<Event, Object> value) {
            return new Column(name, String.class, "text", "text[]", "", value);
        }

        static Column castFromText(String name, String cast, Function<Event, Object> value) {
            return new Column(name, String.class, "text", "text[]", "::" + cast, value);
        }

        /** An empty array of this column's Java type, for {@code n} values. */
        Object[] array(int n) {
            return (Object[]) java.lang.reflect.Array.newInstance(javaType, n);
        }
    }

    private static final List<Column> COLUMNS = List.of(
            Column.castFromText("received_at", "timestamptz", e -> e.receivedAt().toString()),
            new Column("event_key", UUID.class, "uuid", "uuid[]", "", Event::dedupeKey),
            new Column("post_id", Long.class, "int8", "bigint[]", "", Event::postId),
            Column.text("artist_id", Event::artistId),
            Column.text("door", e -> e.door().label()),
            Column.text("kind", e -> e.kind().label()),
            Column.text("viewer_id", Event::viewerId),
            Column.text("player_key", Event::playerKey),
            Column.castFromText("client_time", "timestamptz", e -> e.clientTime() == null ? null : e.clientTime().toString()),
            Column.text("timezone", Event::timezone),
            Column.text("channel", Event::channel),
            Column.text("channel_context", Event::channelContext),
            new Column("play_order", Integer.class, "int4", "int[]", "::smallint", Event::playOrder),
            Column.text("playlist_id", Event::playlistId),
            new Column("dwell_ms", Integer.class, "int4", "int[]", "", Event::dwellMs),
            Column.text("country", Event::country),
            Column.text("device", Event::device),
            Column.text("ip_hash", Event::ipHash),
            Column.text("referrer_domain", Event::referrerDomain),
            Column.castFromText("local_time", "timestamp", e -> e.localTime() == null ? null : e.localTime().toString()),
            new Column("watch_time_ms", Long.class, "int8", "bigint[]", "", Event::watchTimeMs),
            new Column("continues_appearance", Boolean.class, "bool", "boolean[]", "", Event::continuesAppearance));

    // Rows arrive as parallel arrays, numbered by i, with whether each may count. An event whose key
    // is already in event_keys is not stored; a countable view counts only if its (day, post, viewer)
    // is new in daily_viewers. Unique keys go in in key order, the same in every writer: two batches
    // sharing keys then wait for each other in one direction only, never in a deadlock (PostgreSQL
    // breaks those after deadlock_timeout, a 1 s stall and a retry; the bench met several a run).
    private static final String INSERT = """
            with incoming as (
                select t.i, t.countable, %s
                from unnest(?::int[], ?::boolean[], %s) as t(i, countable, %s)
            ), %s, kept as (
                select *, (received_at at time zone 'UTC')::date as day from incoming
                where event_key is null or event_key in (select event_key from fresh)
            ), first_views as (
                insert into daily_viewers (day, post_id, viewer_id, artist_id)
                select day, post_id, viewer_id, artist_id from kept where kind = 'view' and countable
                order by day, post_id, viewer_id
                on conflict do nothing
                returning day, post_id, viewer_id
            ), decided as (
                select k.*, case when k.kind = 'view'
                                 then k.countable and exists (select 1 from first_views f
                                              where f.day = k.day and f.post_id = k.post_id and f.viewer_id = k.viewer_id)
                                 else k.countable end as counted
                from kept k
            ), stored as (
                insert into view_events (%s, counted)
                select %s, counted from decided
            )
            select i, counted from decided
            """.formatted(
            join(c -> "t." + c.name() + c.cast() + " as " + c.name()),
            join(c -> "?::" + c.sqlArray()),
            join(Column::name),
            FRESH_KEYS,
            join(Column::name),
            join(Column::name));

    private static String join(Function<Column, String> part) {
        return COLUMNS.stream().map(part).collect(Collectors.joining(", "));
    }

    /** Per event of a batch: whether it was stored now (false: stored before), and whether it counted. */
    public record Written(boolean[] stored, boolean[] counted) {}

    private final DataSource dataSource;

    public ViewEventStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Creates the missing daily partitions from {@code first} to {@code last} (UTC days). */
    public int ensurePartitions(LocalDate first, LocalDate last) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("select vts_ensure_view_event_partitions(?, ?)")) {
            ps.setObject(1, first);
            ps.setObject(2, last);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Writes the events (whose keys must be distinct) in one transaction. {@code mayCount[i]} says
     * whether event i may count (the caller leaves only one view per viewer, post and day in a batch).
     */
    public Written insert(Connection c, List<Event> events, boolean[] mayCount) throws SQLException {
        int n = events.size();
        Integer[] index = new Integer[n];
        Boolean[] countable = new Boolean[n];
        Object[][] values = new Object[COLUMNS.size()][];
        for (int col = 0; col < COLUMNS.size(); col++) {
            values[col] = COLUMNS.get(col).array(n);
        }
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            index[i] = i;
            countable[i] = mayCount[i];
            for (int col = 0; col < COLUMNS.size(); col++) {
                values[col][i] = COLUMNS.get(col).value().apply(e);
            }
        }
        boolean[] stored = new boolean[n];
        boolean[] counted = new boolean[n];
        try (PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setArray(1, c.createArrayOf("int4", index));
            ps.setArray(2, c.createArrayOf("bool", countable));
            for (int col = 0; col < COLUMNS.size(); col++) {
                ps.setArray(col + 3, c.createArrayOf(COLUMNS.get(col).elementType(), values[col]));
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    stored[i] = true;
                    counted[i] = rs.getBoolean(2);
                }
            }
        }
        return new Written(stored, counted);
    }

}
