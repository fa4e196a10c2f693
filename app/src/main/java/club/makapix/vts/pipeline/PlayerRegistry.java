package club.makapix.vts.pipeline;

/** The players the pipeline accepts events from: registered, not revoked, and whose they are. */
public interface PlayerRegistry {
    /** A player that may send events; {@code ownerId} is null until someone owns it. */
    record ActivePlayer(String key, String ownerId) {}

    /** The player if it is registered and not revoked, else null. */
    ActivePlayer active(String playerKey);
}
