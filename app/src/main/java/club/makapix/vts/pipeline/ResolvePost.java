package club.makapix.vts.pipeline;


/** The post must exist; its artist is kept on the event (for self-views and the artist's stats). */
public final class ResolvePost implements Stage {
    private final PostCatalogue posts;

    public ResolvePost(PostCatalogue posts) {
        this.posts = posts;
    }

    @Override
    public Verdict apply(Event event) {
        String artist = posts.artistOf(event.postId());
        if (artist == null) {
            return Verdict.stop(Reason.POST_NOT_FOUND, "post " + event.postId() + " does not exist");
        }
        event.artistId = artist;
        return Verdict.pass();
    }
}
