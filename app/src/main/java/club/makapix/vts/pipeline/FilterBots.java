package club.makapix.vts.pipeline;

/**
 * Crawlers, headless browsers, automation and scripted clients are accepted (a 204: nothing to
 * retry) but never counted nor stored; each is counted in metrics by its kind.
 */
public final class FilterBots implements Stage {
    @Override
    public Verdict apply(Event event) {
        if (event.robot != null) {
            return Verdict.stop(event.robot, "automated clients are not counted");
        }
        return Verdict.pass();
    }
}
