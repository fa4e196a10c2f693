package club.makapix.vts.pipeline;

/**
 * The post must exist; its artist is kept on the event (for self-views and the artist's stats), and
 * its duration (the most an appearance can be watched).
 */
public final class ResolvePost implements Stage {
    private final PostCatalogue posts;

    public ResolvePost(PostCatalogue posts) {
        this.posts = posts;
    }

    @Override
    public Verdict apply(Event event) {
        PostCatalogue.Artwork post = posts.artwork(event.postId());
        if (post == null) {
            return Verdict.stop(Reason.POST_NOT_FOUND, "post " + event.postId() + " does not exist");
        }
        event.artistId = post.artistId();
        event.postDurationSeconds = post.durationSeconds();
        return Verdict.pass();
    }
}
