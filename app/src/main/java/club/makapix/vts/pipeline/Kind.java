package club.makapix.vts.pipeline;

/**
 * A deliberate look at an artwork, passive exposure during playback (never summed with views), or a
 * watch report: where a viewer's playback of a video is, and what they played since their last one.
 */
public enum Kind {
    VIEW("view"),
    IMPRESSION("impression"),
    WATCH("watch");

    private final String label;

    Kind(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
