package club.makapix.vts.pipeline;

/**
 * Who saw a web event: the user named by the viewer token, else an anonymous visitor known only by
 * the keyed hash of the address. (A player's viewer is its owner: {@link IdentifyPlayer}.)
 */
public final class IdentifyViewer implements Stage {
    @Override
    public Verdict apply(Event event) {
        String subject = event.origin().viewerSubject();
        if (subject != null) {
            event.viewerId = subject;
        } else if (event.ipHash() != null) {
            event.viewerId = "anon:" + event.ipHash();
        }
        return Verdict.pass();
    }
}
