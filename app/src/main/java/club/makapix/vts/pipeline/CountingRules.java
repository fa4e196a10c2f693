package club.makapix.vts.pipeline;

/**
 * What may count: never the artist's own views or impressions, nor events without a known viewer.
 * Whether a view is the viewer's first of the post that UTC day (the only one that counts) is
 * decided by the writer, in the same transaction that stores it.
 */
public final class CountingRules implements Stage {
    @Override
    public Verdict apply(Event event) {
        if (event.viewerId() == null || event.viewerId().equals(event.artistId())) {
            event.countable = false;
        }
        return Verdict.pass();
    }
}
