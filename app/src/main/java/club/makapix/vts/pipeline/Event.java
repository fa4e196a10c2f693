package club.makapix.vts.pipeline;

import java.time.Instant;
import java.util.UUID;

/**
 * One event on its way through the pipeline. A door creates it with what it knows for sure (how it
 * came, when, who is authenticated, the raw payload); stages fill in the rest or stop it.
 */
public final class Event {
    // set by the door
    private final Door door;
    private final Instant receivedAt;
    private final long deadlineNanos;
    private final String authenticatedPlayerKey;
    private final String topicPlayerKey;
    private final byte[] payload;

    // set by stages
    long postId;
    Kind kind;
    Instant clientTime;
    String timezone;
    String channel;
    String channelContext;
    Integer playOrder;
    String playlistId;
    Integer dwellMs;
    UUID eventId;
    String payloadPlayerKey;
    boolean requestAck;
    String viewerId;
    String artistId;
    UUID dedupeKey;
    boolean counted = true;

    private Event(Door door, Instant receivedAt, long deadlineNanos, String authenticatedPlayerKey, String topicPlayerKey,
                  byte[] payload) {
        this.door = door;
        this.receivedAt = receivedAt;
        this.deadlineNanos = deadlineNanos;
        this.authenticatedPlayerKey = authenticatedPlayerKey;
        this.topicPlayerKey = topicPlayerKey;
        this.payload = payload;
    }

    /** A player's raw view payload, as published on its view topic by an authenticated player. */
    public static Event fromPlayer(Door door, Instant receivedAt, long deadlineNanos, String authenticatedPlayerKey,
                                   String topicPlayerKey, byte[] payload) {
        return new Event(door, receivedAt, deadlineNanos, authenticatedPlayerKey, topicPlayerKey, payload);
    }

    public Door door() { return door; }
    public Instant receivedAt() { return receivedAt; }
    /** {@link System#nanoTime()} after which the event may no longer be stored: its client has given up. */
    public long deadlineNanos() { return deadlineNanos; }
    public String authenticatedPlayerKey() { return authenticatedPlayerKey; }
    public String topicPlayerKey() { return topicPlayerKey; }
    public byte[] payload() { return payload; }
    public long postId() { return postId; }
    public Kind kind() { return kind; }
    public Instant clientTime() { return clientTime; }
    public String timezone() { return timezone; }
    public String channel() { return channel; }
    public String channelContext() { return channelContext; }
    public Integer playOrder() { return playOrder; }
    public String playlistId() { return playlistId; }
    public Integer dwellMs() { return dwellMs; }
    public UUID eventId() { return eventId; }
    public String payloadPlayerKey() { return payloadPlayerKey; }
    /** The player that sent it, once identified; {@code null} for web events. */
    public String playerKey() { return authenticatedPlayerKey; }
    public boolean requestAck() { return requestAck; }
    public String viewerId() { return viewerId; }
    public String artistId() { return artistId; }
    /** What makes a resend recognisable; {@code null} when the event carries nothing stable. */
    public UUID dedupeKey() { return dedupeKey; }
    public boolean counted() { return counted; }
}
