package club.makapix.vts.store;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.jdbi.v3.core.Jdbi;

/**
 * The {@code posts} table: which artworks exist and whose they are. Lookups are cached (a missing
 * post only briefly, so a post created elsewhere is seen soon); a post in use is reloaded in the
 * background every minute, so posts cached together never make the pipeline wait together.
 */
public final class PostDirectory {
    private static final long FOUND_TTL = Duration.ofHours(1).toNanos();
    private static final long MISSING_TTL = Duration.ofSeconds(5).toNanos();

    private final Jdbi jdbi;
    private final LoadingCache<Long, Optional<String>> artists;

    /** @param refresher runs the background reloads of cached posts */
    public PostDirectory(Jdbi jdbi, Executor refresher) {
        this.jdbi = jdbi;
        this.artists = Caffeine.newBuilder()
                .maximumSize(500_000)
                .refreshAfterWrite(Duration.ofMinutes(1))
                .executor(refresher)
                .expireAfter(new Expiry<Long, Optional<String>>() {
                    @Override
                    public long expireAfterCreate(Long key, Optional<String> artist, long now) {
                        return artist.isPresent() ? FOUND_TTL : MISSING_TTL;
                    }

                    @Override
                    public long expireAfterUpdate(Long key, Optional<String> artist, long now, long current) {
                        return expireAfterCreate(key, artist, now);
                    }

                    @Override
                    public long expireAfterRead(Long key, Optional<String> artist, long now, long current) {
                        return current;
                    }
                })
                .build(this::load);
    }

    /** The post's artist, or {@code null} if the post does not exist. */
    public String artistOf(long postId) {
        return artists.get(postId).orElse(null);
    }

    private Optional<String> load(Long postId) {
        return jdbi.withHandle(h -> h.createQuery("select artist_id from posts where post_id = :id")
                .bind("id", postId).mapTo(String.class).findOne());
    }

    /** Creates or updates a post. Returns true when it is new. */
    public boolean upsert(long postId, String artistId, String title, Integer durationSeconds) {
        boolean created = jdbi.withHandle(h -> h.createQuery("""
                        insert into posts (post_id, artist_id, title, duration_s) values (:id, :artist, :title, :duration)
                        on conflict (post_id) do update set artist_id = excluded.artist_id, title = excluded.title,
                            duration_s = excluded.duration_s, updated_at = now()
                        returning (xmax = 0) as created""")
                .bind("id", postId).bind("artist", artistId).bind("title", title).bind("duration", durationSeconds)
                .mapTo(Boolean.class).one());
        artists.invalidate(postId);
        return created;
    }

    /** Deletes a post (its events stay). Returns false if it did not exist. */
    public boolean delete(long postId) {
        int rows = jdbi.withHandle(h -> h.createUpdate("delete from posts where post_id = :id").bind("id", postId).execute());
        artists.invalidate(postId);
        return rows > 0;
    }
}
