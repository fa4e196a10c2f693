package club.makapix.vts.store;

import club.makapix.vts.pipeline.Event;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The {@code view_events} and {@code event_keys} tables: writes a batch of events in one statement
 * (one round trip, one transaction), and keeps daily partitions ahead of time.
 */
public final class ViewEventStore {
    /** SQLSTATE of "no partition of relation found for row". */
    static final String NO_PARTITION = "23514";

    // Rows arrive as parallel arrays, numbered by i. An event whose key is already in event_keys is
    // not stored; a countable view counts only if its (day, post, viewer) is new in daily_viewers.
    // Unique keys go in in key order, the same in every writer: two batches sharing keys then wait
    // for each other in one direction only, never in a deadlock (PostgreSQL breaks those after
    // deadlock_timeout, a 1 s stall and a retry; the bench met several a run).
    private static final String INSERT = """
            with incoming as (
                select * from unnest(?::int[], ?::text[], ?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::text[],
                                     ?::boolean[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                                     ?::int[], ?::text[], ?::int[], ?::text[], ?::text[], ?::text[], ?::text[],
                                     ?::text[])
                    as t(i, received_at, event_key, post_id, artist_id, door, kind, countable, viewer_id, player_key,
                         client_time, timezone, channel, channel_context, play_order, playlist_id, dwell_ms, country,
                         device, ip_hash, referrer_domain, local_time)
            ), fresh as (
                insert into event_keys (event_key, received_at)
                select event_key, received_at::timestamptz from incoming where event_key is not null
                order by event_key
                on conflict do nothing
                returning event_key
            ), kept as (
                select *, (received_at::timestamptz at time zone 'UTC')::date as day from incoming
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
                insert into view_events (received_at, event_key, post_id, artist_id, door, kind, counted, viewer_id,
                                         player_key, client_time, timezone, channel, channel_context, play_order,
                                         playlist_id, dwell_ms, country, device, ip_hash, referrer_domain, local_time)
                select received_at::timestamptz, event_key, post_id, artist_id, door, kind, counted, viewer_id,
                       player_key, client_time::timestamptz, timezone, channel, channel_context, play_order::smallint,
                       playlist_id, dwell_ms, country, device, ip_hash, referrer_domain, local_time::timestamp
                from decided
            )
            select i, counted from decided
            """;

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
    public Written insert(List<Event> events, boolean[] mayCount) throws SQLException {
        int n = events.size();
        Integer[] index = new Integer[n];
        String[] receivedAt = new String[n];
        UUID[] keys = new UUID[n];
        Long[] postIds = new Long[n];
        String[] artists = new String[n];
        String[] doors = new String[n];
        String[] kinds = new String[n];
        Boolean[] countable = new Boolean[n];
        String[] viewers = new String[n];
        String[] players = new String[n];
        String[] clientTimes = new String[n];
        String[] timezones = new String[n];
        String[] channels = new String[n];
        String[] contexts = new String[n];
        Integer[] playOrders = new Integer[n];
        String[] playlists = new String[n];
        Integer[] dwell = new Integer[n];
        String[] countries = new String[n];
        String[] devices = new String[n];
        String[] ipHashes = new String[n];
        String[] referrers = new String[n];
        String[] localTimes = new String[n];
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            index[i] = i;
            receivedAt[i] = e.receivedAt().toString();
            keys[i] = e.dedupeKey();
            postIds[i] = e.postId();
            artists[i] = e.artistId();
            doors[i] = e.door().label();
            kinds[i] = e.kind().label();
            countable[i] = mayCount[i];
            viewers[i] = e.viewerId();
            players[i] = e.playerKey();
            clientTimes[i] = e.clientTime() == null ? null : e.clientTime().toString();
            timezones[i] = e.timezone();
            channels[i] = e.channel();
            contexts[i] = e.channelContext();
            playOrders[i] = e.playOrder();
            playlists[i] = e.playlistId();
            dwell[i] = e.dwellMs();
            countries[i] = e.country();
            devices[i] = e.device();
            ipHashes[i] = e.ipHash();
            referrers[i] = e.referrerDomain();
            localTimes[i] = e.localTime() == null ? null : e.localTime().toString();
        }
        Object[][] columns = {index, receivedAt, keys, postIds, artists, doors, kinds, countable, viewers, players,
                clientTimes, timezones, channels, contexts, playOrders, playlists, dwell, countries, devices, ipHashes,
                referrers, localTimes};
        String[] types = {"int4", "text", "uuid", "int8", "text", "text", "text", "bool", "text", "text", "text", "text",
                "text", "text", "int4", "text", "int4", "text", "text", "text", "text", "text"};
        boolean[] stored = new boolean[n];
        boolean[] counted = new boolean[n];
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (int i = 0; i < columns.length; i++) {
                Array array = c.createArrayOf(types[i], columns[i]);
                ps.setArray(i + 1, array);
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
