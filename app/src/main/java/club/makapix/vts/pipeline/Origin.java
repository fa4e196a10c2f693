package club.makapix.vts.pipeline;

import java.net.InetAddress;
import java.time.Instant;

/**
 * What a door knows for sure about an event before any stage looks at it.
 *
 * @param door          how it came in
 * @param receivedAt    when
 * @param deadlineNanos {@link System#nanoTime()} after which it may no longer be stored: its client gave up
 * @param address       the client's address (the socket's, or a trusted proxy's X-Forwarded-For);
 *                      never stored, reduced to a keyed hash by a stage
 * @param userAgent     the User-Agent header of a web client; null for players
 * @param referrer      the page that sent a web event (Referer header), if any
 * @param playerKey     the authenticated player, for player events
 * @param viewerSubject the authenticated viewer (JWT {@code sub}), for web events with a token
 */
public record Origin(Door door, Instant receivedAt, long deadlineNanos, InetAddress address, String userAgent,
                     String referrer, String playerKey, String viewerSubject) {

    public static Origin player(Door door, Instant receivedAt, InetAddress address, String playerKey, long timeoutNanos) {
        return new Origin(door, receivedAt, System.nanoTime() + timeoutNanos, address, null, null, playerKey, null);
    }

    public static Origin web(Instant receivedAt, InetAddress address, String userAgent, String referrer,
                             String viewerSubject, long timeoutNanos) {
        return new Origin(Door.HTTP, receivedAt, System.nanoTime() + timeoutNanos, address, userAgent, referrer, null,
                viewerSubject);
    }
}
