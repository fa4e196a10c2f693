package club.makapix.vts.pipeline;


/**
 * The key in the payload must be the key in the topic and the authenticated one; the player must be
 * registered, not revoked, and have an owner, who becomes the viewer; its device class is {@code player}.
 */
public final class IdentifyPlayer implements Stage {
    private final PlayerRegistry players;

    public IdentifyPlayer(PlayerRegistry players) {
        this.players = players;
    }

    @Override
    public Verdict apply(Event event) {
        String key = event.playerKey();
        if (!key.equals(event.payloadPlayerKey()) || (event.topicPlayerKey() != null && !key.equals(event.topicPlayerKey()))) {
            return Verdict.stop(Reason.PLAYER_KEY_MISMATCH, "player_key in the payload must be the player's own key");
        }
        PlayerRegistry.ActivePlayer player = players.active(key);
        if (player == null) {
            return Verdict.stop(Reason.PLAYER_NOT_REGISTERED, "player is not registered");
        }
        if (player.ownerId() == null) {
            return Verdict.stop(Reason.PLAYER_NO_OWNER, "player has no owner yet");
        }
        event.viewerId = player.ownerId();
        event.device = "player";
        return Verdict.pass();
    }
}
