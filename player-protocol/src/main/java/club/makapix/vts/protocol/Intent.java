package club.makapix.vts.protocol;

/** Why the player shows the artwork: someone asked for it, or automatic playback of a channel. */
public enum Intent {
    /** Someone asked for this artwork: a view. */
    ARTWORK("artwork"),
    /** Automatic playback: an impression. */
    CHANNEL("channel");

    private final String wire;

    Intent(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }
}
