package club.makapix.vts.store;

import club.makapix.vts.pipeline.PlayerRegistry;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * The {@code players} table: who may connect, whose they are, and their last known status.
 * Lookups are cached briefly; changes made through this node take effect at once.
 */
public final class PlayerDirectory implements PlayerRegistry {
    /** A registered player. {@code ownerId} is null until someone owns it. */
    public record Player(String key, String ownerId, String secretHash, boolean revoked) {}

    /** The latest status a player reported. */
    public record Status(String playerKey, String status, Instant at, Long currentPostId, String firmwareVersion) {}

    /** A player as an administrator sees it: everything but its secret. */
    public record PlayerDetails(String key, String ownerId, String status, Instant lastSeenAt, Long currentPostId,
                                String firmwareVersion, Instant registeredAt, Instant revokedAt) {}

    private record Verified(String secretHash, byte[] digest) {}

    private static final String SELECT_DETAILS = """
            select player_key, owner_id, status, last_seen_at, current_post_id, firmware_version, registered_at, revoked_at
            from players""";

    private final Jdbi jdbi;
    private final SecretHasher hasher;
    private final LoadingCache<String, Optional<Player>> cache;
    /** Secrets already checked against the slow hash, so a reconnect storm does not pay it again. */
    private final Map<String, Verified> verified = new ConcurrentHashMap<>();
    private final byte[] digestSalt = new byte[32];

    /** @param refresher runs the background reloads of cached players */
    public PlayerDirectory(Jdbi jdbi, SecretHasher hasher, Executor refresher) {
        this.jdbi = jdbi;
        this.hasher = hasher;
        new SecureRandom().nextBytes(digestSalt);
        // A player in use is reloaded in the background 30 s after it was loaded, so players cached
        // together (a reconnect storm) never make the pipeline wait on the database together; one
        // unused for 10 minutes is forgotten.
        this.cache = Caffeine.newBuilder()
                .maximumSize(200_000)
                .refreshAfterWrite(Duration.ofSeconds(30))
                .expireAfterWrite(Duration.ofMinutes(10))
                .executor(refresher)
                .build(this::load);
    }

    /**
     * The player, or {@code null} if it was never registered, as cached: reloaded in the background
     * once 30 s old, so it may be older by the time between two uses (at most 10 minutes).
     */
    public Player find(String key) {
        return cache.get(key).orElse(null);
    }

    @Override
    public ActivePlayer active(String playerKey) {
        Player player = find(playerKey);
        return player == null || player.revoked() ? null : new ActivePlayer(player.key(), player.ownerId());
    }

    /**
     * The player as the database has it now, for a connect: a revocation made on another node is
     * seen at once. The cached entry serves while the database cannot answer.
     */
    private Player findCurrent(String key) {
        Optional<Player> current;
        try {
            current = load(key);
        } catch (JdbiException e) {
            Optional<Player> cached = cache.getIfPresent(key);
            if (cached == null) {
                throw e;
            }
            return cached.orElse(null);
        }
        cache.put(key, current);
        return current.orElse(null);
    }

    private Optional<Player> load(String key) {
        return jdbi.withHandle(h -> h.createQuery(
                        "select player_key, owner_id, secret_hash, revoked_at is not null as revoked from players where player_key = :key")
                .bind("key", key)
                .map((rs, ctx) -> new Player(rs.getString(1), rs.getString(2), rs.getString(3), rs.getBoolean(4)))
                .findOne());
    }

    /** The player as the database has it now (revoked too), or {@code null} if it was never registered. */
    public PlayerDetails details(String key) {
        return jdbi.withHandle(h -> h.createQuery(SELECT_DETAILS + " where player_key = :key")
                .bind("key", key).map(PlayerDirectory::readDetails).findOne().orElse(null));
    }

    /** A page of the players with this status and owner (null: any), in key order. */
    public Page<PlayerDetails> list(String status, String ownerId, int offset, int limit) {
        Filters filters = new Filters().with("status", status).with("owner_id", ownerId);
        return Page.read(jdbi,
                h -> filters.bind(h.createQuery(SELECT_DETAILS + filters.where() + " order by player_key limit :limit offset :offset"))
                        .bind("limit", limit).bind("offset", offset).map(PlayerDirectory::readDetails).list(),
                h -> filters.bind(h.createQuery("select count(*) from players" + filters.where())).mapTo(Long.class).one());
    }

    private static PlayerDetails readDetails(ResultSet rs, StatementContext ctx) throws SQLException {
        return new PlayerDetails(rs.getString("player_key"), rs.getString("owner_id"), rs.getString("status"),
                instant(rs, "last_seen_at"), rs.getObject("current_post_id", Long.class), rs.getString("firmware_version"),
                instant(rs, "registered_at"), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp at = rs.getTimestamp(column);
        return at == null ? null : at.toInstant();
    }

    /** Why credentials were refused. */
    public enum Refusal { UNKNOWN_OR_REVOKED, WRONG_SECRET }

    /** The player the credentials prove, or why they do not; {@code player} is null when refused. */
    public record Admission(Player player, Refusal refusal) {}

    /**
     * Who presents these credentials, for every door (MQTT connect, HTTP without MQTT): a registered,
     * unrevoked player, as the database has it now (a revocation on another node counts at once), with
     * its secret, or with a client certificate the TLS layer verified ({@code certified}) in its place.
     */
    public Admission admit(String key, String secret, boolean certified) {
        Player player = findCurrent(key);
        if (player == null || player.revoked()) {
            return new Admission(null, Refusal.UNKNOWN_OR_REVOKED);
        }
        if (!certified && !checkSecret(player, secret)) {
            return new Admission(null, Refusal.WRONG_SECRET);
        }
        return new Admission(player, null);
    }

    /** Whether {@code secret} is this player's secret (slow the first time, by design). */
    private boolean checkSecret(Player player, String secret) {
        if (player.secretHash() == null || secret == null || secret.isEmpty()) {
            return false;
        }
        byte[] digest = digest(secret);
        Verified known = verified.get(player.key());
        if (known != null && known.secretHash.equals(player.secretHash()) && MessageDigest.isEqual(known.digest, digest)) {
            return true;
        }
        if (!hasher.verify(secret, player.secretHash())) {
            return false;
        }
        verified.put(player.key(), new Verified(player.secretHash(), digest));
        return true;
    }

    private byte[] digest(String secret) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(digestSalt);
            return sha.digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Registers a player or updates it (and un-revokes it). A null {@code secret} keeps the stored
     * one. Returns true when the player is new.
     */
    public boolean register(String key, String ownerId, String secret) {
        String hash = secret == null ? null : hasher.hash(secret);
        boolean created = jdbi.withHandle(h -> h.createQuery("""
                        insert into players (player_key, owner_id, secret_hash) values (:key, :owner, :hash)
                        on conflict (player_key) do update set owner_id = excluded.owner_id,
                            secret_hash = coalesce(excluded.secret_hash, players.secret_hash),
                            revoked_at = null, updated_at = now()
                        returning (xmax = 0) as created""")
                .bind("key", key).bind("owner", ownerId).bind("hash", hash)
                .mapTo(Boolean.class).one());
        forget(key);
        return created;
    }

    /** Revokes a player. Returns false if it was not registered (or already revoked). */
    public boolean revoke(String key) {
        int rows = jdbi.withHandle(h -> h.createUpdate(
                        "update players set revoked_at = now(), updated_at = now() where player_key = :key and revoked_at is null")
                .bind("key", key).execute());
        forget(key);
        return rows > 0;
    }

    /** Forgets what this node cached of the player: it changed (on another node, say). */
    public void forget(String key) {
        cache.invalidate(key);
        verified.remove(key);
    }

    /**
     * Writes the latest statuses in one batch. A status older than the one stored is left out: with
     * several nodes, each writes what it saw of a player, and the newest wins whichever writes last.
     */
    public void recordStatuses(Collection<Status> statuses) {
        if (statuses.isEmpty()) {
            return;
        }
        jdbi.useHandle(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    update players set status = :status, last_seen_at = :at,
                        current_post_id = coalesce(:post, current_post_id),
                        firmware_version = coalesce(:firmware, firmware_version)
                    where player_key = :key and (last_seen_at is null or last_seen_at <= :at)""");
            for (Status s : statuses) {
                batch.bind("status", s.status()).bind("at", s.at()).bind("post", s.currentPostId())
                        .bind("firmware", s.firmwareVersion()).bind("key", s.playerKey()).add();
            }
            batch.execute();
        });
    }
}
