package club.makapix.vts.store;

import club.makapix.vts.pipeline.Event;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import javax.sql.DataSource;

/**
 * The {@code failed_events} table: an event the database refused for its content, kept with the
 * refusal for someone to look at (why did it pass the doors' checks?). Best effort, after the event
 * was already answered as invalid: keeping it must never hold the writer.
 */
final class FailedEvents {
    private static final int MAX_ERROR = 500;

    private final DataSource dataSource;

    FailedEvents(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    void keep(Event event, SQLException refusal) throws SQLException {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("""
                     insert into failed_events (failed_at, door, kind, post_id, sqlstate, error, payload)
                     values (?, ?, ?, ?, ?, ?, ?)""")) {
            ps.setTimestamp(1, Timestamp.from(event.receivedAt()));
            ps.setString(2, event.door().label());
            ps.setString(3, event.kind() == null ? null : event.kind().label());
            ps.setObject(4, event.postId() == 0 ? null : event.postId());
            ps.setString(5, refusal.getSQLState());
            String message = refusal.getMessage() == null ? "" : refusal.getMessage().replace('\u0000', ' ');
            ps.setString(6, message.length() > MAX_ERROR ? message.substring(0, MAX_ERROR) : message);
            ps.setBytes(7, payload(event));
            ps.executeUpdate();
        }
    }

    /** What the client sent: a player's payload as it came, a web event's JSON as parsed. */
    private static byte[] payload(Event event) {
        if (event.playerPayload() != null) {
            return event.playerPayload();
        }
        return event.webBody() == null ? null : event.webBody().toString().getBytes(StandardCharsets.UTF_8);
    }
}
