package club.makapix.vts.store;

import club.makapix.vts.pipeline.PostCatalogue;
import club.makapix.vts.pipeline.PostCatalogue.Artwork;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code posts} table: which artworks exist, whose they are and how long they play. Lookups are
 * cached (a missing post only briefly, so a post created elsewhere is seen soon); a post in use is
 * reloaded in the background every minute, so posts cached together never make the pipeline wait
 * together.
 */
public final class PostDirectory implements PostCatalogue {
    /** A post as an administrator writes it. {@code title} and {@code durationSeconds} may be null. */
    public record CatalogueEntry(long postId, String artistId, String title, Integer durationSeconds) {}

    /** A post as stored. */
    public record Post(long postId, String artistId, String title, Integer durationSeconds, Instant createdAt,
                       Instant updatedAt) {}

    /** How many posts a load created and how many it updated. */
    public record Written(int created, int updated) {}

    private static final String SELECT_POSTS = "select post_id, artist_id, title, duration_s, created_at, updated_at from posts";
    private static final long FOUND_TTL = Duration.ofHours(1).toNanos();
    private static final long MISSING_TTL = Duration.ofSeconds(5).toNanos();

    private final Jdbi jdbi;
    private final LoadingCache<Long, Optional<Artwork>> artworks;

    /** @param refresher runs the background reloads of cached posts */
    public PostDirectory(Jdbi jdbi, Executor refresher) {
        this.jdbi = jdbi;
        this.artworks = Caffeine.newBuilder()
                .maximumSize(500_000)
                .refreshAfterWrite(Duration.ofMinutes(1))
                .executor(refresher)
                .expireAfter(new Expiry<Long, Optional<Artwork>>() {
                    @Override
                    public long expireAfterCreate(Long key, Optional<Artwork> artwork, long now) {
                        return artwork.isPresent() ? FOUND_TTL : MISSING_TTL;
                    }

                    @Override
                    public long expireAfterUpdate(Long key, Optional<Artwork> artwork, long now, long current) {
                        return expireAfterCreate(key, artwork, now);
                    }

                    @Override
                    public long expireAfterRead(Long key, Optional<Artwork> artwork, long now, long current) {
                        return current;
                    }
                })
                .build(this::load);
    }

    @Override
    public Artwork artwork(long postId) {
        return artworks.get(postId).orElse(null);
    }

    /** The post's artist, or {@code null} if the post does not exist. */
    public String artistOf(long postId) {
        Artwork artwork = artwork(postId);
        return artwork == null ? null : artwork.artistId();
    }

    private Optional<Artwork> load(Long postId) {
        return jdbi.withHandle(h -> h.createQuery("select artist_id, duration_s from posts where post_id = :id")
                .bind("id", postId)
                .map((rs, ctx) -> new Artwork(rs.getString(1), rs.getObject(2, Integer.class))).findOne());
    }

    /** Creates or updates a post. Returns true when it is new. */
    public boolean upsert(CatalogueEntry post) {
        return upsertAll(List.of(post)).created() == 1;
    }

    /**
     * Creates or updates posts, all or none, in one statement (so one transaction). The post ids
     * must differ: a statement may not update one row twice.
     */
    public Written upsertAll(List<CatalogueEntry> posts) {
        // rows go in post id order, the same in every writer, so two loads sharing posts never deadlock
        List<Boolean> created = jdbi.withHandle(h -> h.createQuery("""
                        insert into posts (post_id, artist_id, title, duration_s)
                        select * from unnest(:ids, :artists, :titles, :durations) as t(post_id, artist_id, title, duration_s)
                        order by post_id
                        on conflict (post_id) do update set artist_id = excluded.artist_id, title = excluded.title,
                            duration_s = excluded.duration_s, updated_at = now()
                        returning (xmax = 0) as created""")
                .bindArray("ids", Long.class, posts.stream().map(CatalogueEntry::postId).toList())
                .bindArray("artists", String.class, posts.stream().map(CatalogueEntry::artistId).toList())
                .bindArray("titles", String.class, posts.stream().map(CatalogueEntry::title).toList())
                .bindArray("durations", Integer.class, posts.stream().map(CatalogueEntry::durationSeconds).toList())
                .mapTo(Boolean.class).list());
        artworks.invalidateAll(posts.stream().map(CatalogueEntry::postId).toList());
        int createdCount = (int) created.stream().filter(c -> c).count();
        return new Written(createdCount, created.size() - createdCount);
    }

    /** The post, or {@code null} if it does not exist. */
    public Post find(long postId) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_POSTS + " where post_id = :id")
                .bind("id", postId).map(PostDirectory::readPost).findOne().orElse(null));
    }

    /** A page of the artist's posts (null: everyone's), in post id order. */
    public Page<Post> list(String artistId, int offset, int limit) {
        Filters filters = new Filters().with("artist_id", artistId);
        return Page.read(jdbi,
                h -> filters.bind(h.createQuery(SELECT_POSTS + filters.where() + " order by post_id limit :limit offset :offset"))
                        .bind("limit", limit).bind("offset", offset).map(PostDirectory::readPost).list(),
                h -> filters.bind(h.createQuery("select count(*) from posts" + filters.where())).mapTo(Long.class).one());
    }

    private static Post readPost(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Post(rs.getLong("post_id"), rs.getString("artist_id"), rs.getString("title"),
                rs.getObject("duration_s", Integer.class), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    /** Deletes a post (its events stay). Returns false if it did not exist. */
    public boolean delete(long postId) {
        int rows = jdbi.withHandle(h -> h.createUpdate("delete from posts where post_id = :id").bind("id", postId).execute());
        artworks.invalidate(postId);
        return rows > 0;
    }
}
