package club.makapix.vts.bench;

import club.makapix.vts.durability.StreamingPlayer;
import club.makapix.vts.protocol.ViewEvent;
import club.makapix.vts.support.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What the players were acknowledged against what the database holds, event by event. A stored
 * row is matched to the event sent by its {@code event_id}, or for a keyless event by player +
 * post + timestamp, the same identity the server dedupes it by.
 *
 * @param sent              events the players sent (each counted once, however often resent)
 * @param acknowledged      events that got a successful PUBACK
 * @param stored            events stored at least once
 * @param lost              acknowledged but not stored
 * @param doubled           stored more than once
 * @param storedNotSent     stored rows that match no event sent
 * @param neverAcknowledged sent but not acknowledged by the end (stored or not)
 */
record Reconciliation(long sent, long acknowledged, long stored, long lost, long doubled, long storedNotSent,
                      long neverAcknowledged) {

    /** A keyless event's identity. */
    private record Keyless(String playerKey, long postId, Instant clientTime) {}

    static Reconciliation of(List<StreamingPlayer> players, TestDatabase db) throws SQLException {
        Map<UUID, UUID> byEventId = new HashMap<>();
        Map<Keyless, UUID> byKeyless = new HashMap<>();
        Set<UUID> acknowledged = new HashSet<>();
        for (StreamingPlayer p : players) {
            for (Map.Entry<UUID, ViewEvent> sent : p.sentEvents().entrySet()) {
                ViewEvent e = sent.getValue();
                if (e.eventId() != null) {
                    byEventId.put(e.eventId(), sent.getKey());
                } else {
                    byKeyless.put(new Keyless(p.key(), e.postId(), e.clientTime()), sent.getKey());
                }
            }
            acknowledged.addAll(p.ackedAt().keySet());
        }
        Map<UUID, Integer> timesStored = new HashMap<>();
        long storedNotSent = 0;
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false); // so that the rows come in pages, not all at once
            s.setFetchSize(10_000);
            try (ResultSet rs = s.executeQuery("select event_key, player_key, post_id, client_time from view_events")) {
                while (rs.next()) {
                    UUID id = byEventId.get(rs.getObject("event_key", UUID.class));
                    if (id == null) {
                        OffsetDateTime clientTime = rs.getObject("client_time", OffsetDateTime.class);
                        id = clientTime == null ? null
                                : byKeyless.get(new Keyless(rs.getString("player_key"), rs.getLong("post_id"), clientTime.toInstant()));
                    }
                    if (id == null) {
                        storedNotSent++;
                    } else {
                        timesStored.merge(id, 1, Integer::sum);
                    }
                }
            }
        }
        long sent = byEventId.size() + byKeyless.size();
        long lost = acknowledged.stream().filter(id -> !timesStored.containsKey(id)).count();
        long doubled = timesStored.values().stream().filter(n -> n > 1).count();
        return new Reconciliation(sent, acknowledged.size(), timesStored.size(), lost, doubled, storedNotSent,
                sent - acknowledged.size());
    }

    /** The phase's rows: what was acknowledged and stored, then lost and doubled with their target, 0. */
    void addTo(ResultTable table, String phase) {
        table.add(phase + ": acknowledged", acknowledged, "events", String.format(Locale.ROOT,
                "of %,d sent (%,d never acknowledged); %,d stored", sent, neverAcknowledged, stored));
        table.add(phase + ": lost", lost, "events", "0", lost == 0, "acknowledged, not stored");
        table.add(phase + ": doubled", doubled, "events", "0", doubled == 0, "stored more than once");
        table.add(phase + ": stored, never sent", storedNotSent, "rows", "0", storedNotSent == 0,
                "rows that match no event sent");
    }
}
