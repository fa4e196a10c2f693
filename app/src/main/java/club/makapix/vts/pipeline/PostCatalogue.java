package club.makapix.vts.pipeline;

/** The posts events may be about: whose they are, and how long they play. */
public interface PostCatalogue {
    /** What the pipeline needs of a post; {@code durationSeconds} is null for a still image or when unknown. */
    record Artwork(String artistId, Integer durationSeconds) {}

    /** The post, or null if it does not exist. */
    Artwork artwork(long postId);
}
