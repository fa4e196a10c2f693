package club.makapix.vts.store;

import club.makapix.vts.pipeline.Event;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The {@code view_events} and {@code event_keys} tables: writes a batch of events in one statement
 * (one round trip, one transaction), and keeps daily partitions ahead of time.
 */
public final class ViewEventStore {
    /** SQLSTATE of "no partition of relation found for row". */
    static final String NO_PARTITION = "23514";

    // Rows arrive as parallel arrays; an event whose key is already in event_keys is not inserted.
    private static final String INSERT = """
            with incoming as (
                select * from unnest(?::text[], ?::uuid[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::boolean[],
                                     ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::int[],
                                     ?::text[], ?::int[])
                    as t(received_at, event_key, post_id, artist_id, door, kind, counted, viewer_id, player_key,
                         client_time, timezone, channel, channel_context, play_order, playlist_id, dwell_ms)
            ), fresh as (
                insert into event_keys (event_key, received_at)
                select event_key, received_at::timestamptz from incoming where event_key is not null
                on conflict do nothing
                returning event_key
            ), stored as (
                insert into view_events (received_at, event_key, post_id, artist_id, door, kind, counted, viewer_id,
                                         player_key, client_time, timezone, channel, channel_context, play_order,
                                         playlist_id, dwell_ms)
                select received_at::timestamptz, event_key, post_id, artist_id, door, kind, counted, viewer_id,
                       player_key, client_time::timestamptz, timezone, channel, channel_context, play_order::smallint,
                       playlist_id, dwell_ms
                from incoming
                where event_key is null or event_key in (select event_key from fresh)
                returning event_key
            )
            select event_key from stored where event_key is not null
            """;

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
     * Writes the events (whose keys must be distinct) in one transaction. Returns, per event, whether
     * it was stored now; false means an event with its key was stored before.
     */
    public boolean[] insert(List<Event> events) throws SQLException {
        int n = events.size();
        String[] receivedAt = new String[n];
        UUID[] keys = new UUID[n];
        Long[] postIds = new Long[n];
        String[] artists = new String[n];
        String[] doors = new String[n];
        String[] kinds = new String[n];
        Boolean[] counted = new Boolean[n];
        String[] viewers = new String[n];
        String[] players = new String[n];
        String[] clientTimes = new String[n];
        String[] timezones = new String[n];
        String[] channels = new String[n];
        String[] contexts = new String[n];
        Integer[] playOrders = new Integer[n];
        String[] playlists = new String[n];
        Integer[] dwell = new Integer[n];
        for (int i = 0; i < n; i++) {
            Event e = events.get(i);
            receivedAt[i] = e.receivedAt().toString();
            keys[i] = e.dedupeKey();
            postIds[i] = e.postId();
            artists[i] = e.artistId();
            doors[i] = e.door().label();
            kinds[i] = e.kind().label();
            counted[i] = e.counted();
            viewers[i] = e.viewerId();
            players[i] = e.playerKey();
            clientTimes[i] = text(e.clientTime());
            timezones[i] = e.timezone();
            channels[i] = e.channel();
            contexts[i] = e.channelContext();
            playOrders[i] = e.playOrder();
            playlists[i] = e.playlistId();
            dwell[i] = e.dwellMs();
        }
        Set<UUID> fresh = new HashSet<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            Object[][] columns = {receivedAt, keys, postIds, artists, doors, kinds, counted, viewers, players,
                    clientTimes, timezones, channels, contexts, playOrders, playlists, dwell};
            String[] types = {"text", "uuid", "int8", "text", "text", "text", "bool", "text", "text", "text", "text",
                    "text", "text", "int4", "text", "int4"};
            for (int i = 0; i < columns.length; i++) {
                Array array = c.createArrayOf(types[i], columns[i]);
                ps.setArray(i + 1, array);
            }
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fresh.add(rs.getObject(1, UUID.class));
                }
            }
        }
        boolean[] stored = new boolean[n];
        for (int i = 0; i < n; i++) {
            stored[i] = keys[i] == null || fresh.contains(keys[i]);
        }
        return stored;
    }

    private static String text(Instant t) {
        return t == null ? null : t.toString();
    }
}
