package club.makapix.vts.protocol;

import java.time.Instant;
import java.util.UUID;

/**
 * One view event exactly as a p3a player publishes it on {@code {prefix}/{player_key}/view}.
 *
 * @param postId          the artwork shown
 * @param clientTime      when the player showed it; {@code null} when its clock was not synced
 *                        (it sends {@code 1970-01-01T00:00:00Z} then)
 * @param timezone        the player's time zone; may be empty
 * @param intent          artwork (a view) or channel (an impression)
 * @param playOrder       0 server, 1 created_at, 2 random; {@code null} when not sent
 * @param channel         free text such as {@code hashtag}; {@code null} when not sent
 * @param playerKey       must equal the key in the topic and the authenticated identity
 * @param channelUserSqid context of a {@code user}/{@code by_user} channel
 * @param channelHashtag  context of a {@code hashtag} channel
 * @param requestAck      whether the player wants an ack on its ack topic
 * @param eventId         optional idempotency key (VTS extension)
 * @param playlistId      optional playlist (VTS extension)
 * @param dwellMs         optional time on screen (VTS extension)
 * @param watchedMs       optional: how long this appearance was watched (contract §5), not yet capped
 */
public record ViewEvent(
        long postId,
        Instant clientTime,
        String timezone,
        Intent intent,
        Integer playOrder,
        String channel,
        String playerKey,
        String channelUserSqid,
        String channelHashtag,
        boolean requestAck,
        UUID eventId,
        String playlistId,
        Integer dwellMs,
        Long watchedMs) {

    /** The timestamp a player sends while its clock is not synced. */
    public static final Instant UNSYNCED = Instant.EPOCH;
}
