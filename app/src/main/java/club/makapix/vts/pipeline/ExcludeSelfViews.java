package club.makapix.vts.pipeline;

/** The artist's own views and impressions are stored but never counted. */
public final class ExcludeSelfViews implements Stage {
    @Override
    public Verdict apply(Event event) {
        if (event.viewerId() != null && event.viewerId().equals(event.artistId())) {
            event.counted = false;
        }
        return Verdict.pass();
    }
}
