package club.makapix.vts.pipeline;

/** The posts events may be about, and whose they are. */
public interface PostCatalogue {
    /** The post's artist, or null if the post does not exist. */
    String artistOf(long postId);
}
