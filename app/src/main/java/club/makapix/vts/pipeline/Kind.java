package club.makapix.vts.pipeline;

/** A deliberate look at an artwork, or passive exposure during playback. Never summed. */
public enum Kind {
    VIEW("view"),
    IMPRESSION("impression");

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
