package club.makapix.vts.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDateTime;
import java.util.UUID;

/**
 * One event on its way through the pipeline. A door creates it from an {@link Origin} and the raw
 * body (a player's payload, or a web event's JSON); stages fill in the rest or stop it.
 */
public final class Event {
    private final Origin origin;
    private final String topicPlayerKey;
    private final byte[] playerPayload;
    private final JsonNode webBody;
    private InetAddress address;

    // set by stages
    long postId;
    Kind kind;
    Instant clientTime;
    String timezone;
    LocalDateTime localTime;
    String channel;
    String channelContext;
    Integer playOrder;
    String playlistId;
    Integer dwellMs;
    /** How long the client says this appearance was watched, as sent (not yet capped). */
    Long watchedMs;
    UUID eventId;
    String payloadPlayerKey;
    boolean requestAck;
    String viewerId;
    String artistId;
    /** The post's playing time in seconds; null for a still image or when unknown. */
    Integer postDurationSeconds;
    UUID dedupeKey;
    String country;
    String ipHash;
    String device;
    String referrerDomain;
    boolean countable = true;
    /** The tracker saw a browser driven by a program ({@code navigator.webdriver}). */
    boolean automationReported;
    /** Why the client is a robot, as {@link ClassifyDevice} decided; null for people and players. */
    Reason robot;
    /** The rate-limit slot this event took, to give back if it is not stored after all. */
    String rateSlot;
    String rateSlotHolder;
    /** What the event adds to the artists' watch time ({@link CreditWatchTime}); null: nothing. */
    Long watchTimeMs;
    /** A player's event that follows its previous one of the same post: the same appearance goes on. */
    boolean continuesAppearance;
    /** What the event adds to its viewer's own watch time, self-views included; null: nothing. */
    Long viewerWatchMs;
    // a watch report's (contract §5), as MeasureWatchReport and CreditWatchTime clamp them
    Long positionMs;
    /** The media's length: the post's registered duration, else the report's; null when unknown. */
    Long mediaDurationMs;
    Long playedMs;
    String sessionId;
    /** The report's position reaches VTS_COMPLETE_AT_PERCENT of the duration. */
    boolean reachesCompletion;
    /** Whether the viewer has completed the post, as stored with this report (it stays true). */
    private boolean completed;

    private Event(Origin origin, String topicPlayerKey, byte[] playerPayload, long pathPostId, JsonNode webBody) {
        this.origin = origin;
        this.topicPlayerKey = topicPlayerKey;
        this.playerPayload = playerPayload;
        this.webBody = webBody;
        this.postId = pathPostId;
        this.address = origin.address();
    }

    /** A player's raw view payload; {@code topicPlayerKey} is the key in the MQTT topic (null over HTTP). */
    public static Event fromPlayer(Origin origin, String topicPlayerKey, byte[] payload) {
        return new Event(origin, topicPlayerKey, payload, 0, null);
    }

    /**
     * A web event: {@code pathPostId} from the URL (0 in a batch, where the body names it), and the
     * body (null = no body, which means a view).
     */
    public static Event fromWeb(Origin origin, long pathPostId, JsonNode body) {
        return new Event(origin, null, null, pathPostId, body);
    }

    /** A watch report sent to its own route ({@code POST /v1/posts/{id}/watch}); null body = no fields. */
    public static Event watchReport(Origin origin, long pathPostId, JsonNode body) {
        Event event = new Event(origin, null, null, pathPostId, body);
        event.kind = Kind.WATCH;
        return event;
    }

    public Origin origin() { return origin; }
    public Door door() { return origin.door(); }
    public Instant receivedAt() { return origin.receivedAt(); }
    public long deadlineNanos() { return origin.deadlineNanos(); }
    /** The player that sent it, once authenticated; null for web events. */
    public String playerKey() { return origin.playerKey(); }
    public String topicPlayerKey() { return topicPlayerKey; }
    public byte[] playerPayload() { return playerPayload; }
    public JsonNode webBody() { return webBody; }
    /** The client's address until a stage reduced it to {@link #ipHash()}; null after. */
    public InetAddress address() { return address; }
    void forgetAddress() { address = null; }
    public long postId() { return postId; }
    public Kind kind() { return kind; }
    public Instant clientTime() { return clientTime; }
    public String timezone() { return timezone; }
    public LocalDateTime localTime() { return localTime; }
    public String channel() { return channel; }
    public String channelContext() { return channelContext; }
    public Integer playOrder() { return playOrder; }
    public String playlistId() { return playlistId; }
    public Integer dwellMs() { return dwellMs; }
    public Long watchedMs() { return watchedMs; }
    public UUID eventId() { return eventId; }
    public String payloadPlayerKey() { return payloadPlayerKey; }
    public boolean requestAck() { return requestAck; }
    /** Who saw it: the player's owner, the token's user, or an anonymous keyed hash. */
    public String viewerId() { return viewerId; }
    public String artistId() { return artistId; }
    public Integer postDurationSeconds() { return postDurationSeconds; }
    /** What makes a resend recognisable; null when the event carries nothing stable. */
    public UUID dedupeKey() { return dedupeKey; }
    public String country() { return country; }
    public String ipHash() { return ipHash; }
    public String device() { return device; }
    public String referrerDomain() { return referrerDomain; }
    /**
     * Whether it may count (not a self-view). A countable view still counts only if it is the
     * viewer's first of the post that UTC day, which the writer decides.
     */
    public boolean countable() { return countable; }
    public Long watchTimeMs() { return watchTimeMs; }
    public boolean continuesAppearance() { return continuesAppearance; }
    /** The signed-in viewer (JWT {@code sub}) whose progress and history this event feeds; null for anyone else. */
    public String signedInViewer() { return origin.viewerSubject(); }
    public Long viewerWatchMs() { return viewerWatchMs; }
    public Long positionMs() { return positionMs; }
    public Long mediaDurationMs() { return mediaDurationMs; }
    public Long playedMs() { return playedMs; }
    public String sessionId() { return sessionId; }
    public boolean reachesCompletion() { return reachesCompletion; }
    public boolean completed() { return completed || reachesCompletion; }

    /** The writer's word on a signed-in viewer's report: whether the post is completed for them now. */
    public void storedCompletion(boolean completed) {
        this.completed = completed;
    }
}
