package club.makapix.vts.http;

import club.makapix.vts.mqtt.ConnectedPlayers;
import club.makapix.vts.store.Page;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.PlayerDirectory.PlayerDetails;
import club.makapix.vts.store.PostDirectory;
import club.makapix.vts.store.PostDirectory.CatalogueEntry;
import club.makapix.vts.store.PostDirectory.Post;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import club.makapix.vts.rollup.Rollup;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Registering, revoking and reading players; creating, deleting, reading and bulk-loading posts
 * (admin token only).
 */
final class AdminRoutes {
    /** The most posts one catalogue load writes (one statement). */
    private static final int MAX_CATALOGUE_LOAD = 1_000;
    private static final int DEFAULT_PER_PAGE = 20;
    private static final int MAX_PER_PAGE = 100;

    private final Access access;
    private final PlayerDirectory players;
    private final PostDirectory posts;
    private final ConnectedPlayers connected;
    private final Rollup rollup;
    private final ObjectMapper json;

    AdminRoutes(Access access, PlayerDirectory players, PostDirectory posts, ConnectedPlayers connected, Rollup rollup,
                ObjectMapper json) {
        this.access = access;
        this.rollup = rollup;
        this.players = players;
        this.posts = posts;
        this.connected = connected;
        this.json = json;
    }

    void register(Javalin app) {
        app.before("/v1/admin/*", access::requireAdminToken);
        app.get("/v1/admin/posts", this::listPosts);
        app.put("/v1/admin/posts", this::loadCatalogue);
        app.get("/v1/admin/posts/{post_id}", this::getPost);
        app.put("/v1/admin/posts/{post_id}", this::putPost);
        app.delete("/v1/admin/posts/{post_id}", this::deletePost);
        app.get("/v1/admin/players", this::listPlayers);
        app.get("/v1/admin/players/{player_key}", this::getPlayer);
        app.put("/v1/admin/players/{player_key}", this::putPlayer);
        app.delete("/v1/admin/players/{player_key}", this::deletePlayer);
        app.post("/v1/admin/rollup", this::rollUp);
    }

    /** Rolls up now, through the given day (default: the last complete one); 409 if another node is at it. */
    private void rollUp(Context ctx) throws SQLException {
        LocalDate through = rollup.lastCompleteDay();
        JsonBody body = JsonBody.optional(ctx, json);
        String day = body == null ? null : body.optionalText("through", 10);
        if (day != null) {
            through = StatsRoutes.date("through", day);
        }
        Rollup.Result result = rollup.runThrough(through);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("watermark", result.watermark() == null ? null : result.watermark().toString());
        out.put("days_rolled", result.daysRolled());
        out.put("days_rolled_again", result.daysRolledAgain());
        out.put("events", result.events());
        out.put("partitions_dropped", result.partitionsDropped());
        if (result.busy()) {
            out.put("error", "another node is rolling up now");
            out.put("code", "rollup_busy");
        }
        ctx.status(result.busy() ? 409 : 200).json(out);
    }

    private void putPost(Context ctx) {
        CatalogueEntry post = catalogueEntry(PathParams.postId(ctx), JsonBody.of(ctx, json));
        boolean created = posts.upsert(post);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("post_id", post.postId());
        out.put("artist_id", post.artistId());
        out.put("title", post.title());
        out.put("duration_s", post.durationSeconds());
        ctx.status(created ? 201 : 200).json(out);
    }

    /** Writes many posts at once, all or none: one bad or repeated entry and nothing is written. */
    private void loadCatalogue(Context ctx) {
        List<JsonBody> entries = JsonBody.of(ctx, json).objects("posts", MAX_CATALOGUE_LOAD);
        List<CatalogueEntry> load = new ArrayList<>(entries.size());
        Map<Long, Integer> indexByPostId = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            long postId = entries.get(i).requiredPositiveLong("post_id");
            Integer earlier = indexByPostId.putIfAbsent(postId, i);
            if (earlier != null) {
                throw ApiError.invalid("posts[" + i + "].post_id: " + postId + " is already in posts[" + earlier + "]");
            }
            load.add(catalogueEntry(postId, entries.get(i)));
        }
        PostDirectory.Written written = posts.upsertAll(load);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("created", written.created());
        out.put("updated", written.updated());
        ctx.json(out);
    }

    /** What a post is written with: the same checks for one post and for every entry of a catalogue load. */
    private static CatalogueEntry catalogueEntry(long postId, JsonBody body) {
        return new CatalogueEntry(postId, body.requiredIdentifier("artist_id"), body.optionalText("title", 500),
                body.optionalInt("duration_s", 0, 86_400));
    }

    private void getPost(Context ctx) {
        Post post = posts.find(PathParams.postId(ctx));
        if (post == null) {
            throw ApiError.notFound("post_not_found", "no such post");
        }
        ctx.json(postJson(post));
    }

    private void listPosts(Context ctx) {
        String artist = identifierFilter(ctx, "artist_id");
        PageRequest page = pageRequest(ctx);
        ctx.json(pageJson(posts.list(artist, page.offset(), page.limit()), AdminRoutes::postJson));
    }

    private static Map<String, Object> postJson(Post post) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("post_id", post.postId());
        out.put("artist_id", post.artistId());
        out.put("title", post.title());
        out.put("duration_s", post.durationSeconds());
        out.put("created_at", post.createdAt().toString());
        out.put("updated_at", post.updatedAt().toString());
        return out;
    }

    private void deletePost(Context ctx) {
        if (!posts.delete(PathParams.postId(ctx))) {
            throw ApiError.notFound("post_not_found", "no such post");
        }
        ctx.status(204);
    }

    private void putPlayer(Context ctx) {
        String key = JsonBody.identifier("player_key", ctx.pathParam("player_key"));
        JsonBody body = JsonBody.of(ctx, json);
        String owner = body.optionalIdentifier("owner_id");
        String secret = body.optionalText("secret", 256);
        if (secret != null && secret.length() < 8) {
            throw ApiError.invalid("secret must be at least 8 characters");
        }
        boolean created = players.register(key, owner, secret);
        connected.changed(key);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("player_key", key);
        out.put("owner_id", owner);
        ctx.status(created ? 201 : 200).json(out);
    }

    private void deletePlayer(Context ctx) {
        String key = JsonBody.identifier("player_key", ctx.pathParam("player_key"));
        boolean revoked = players.revoke(key);
        connected.revoked(key);
        if (!revoked) {
            throw ApiError.notFound("player_not_registered", "no such player");
        }
        ctx.status(204);
    }

    private void getPlayer(Context ctx) {
        PlayerDetails player = players.details(JsonBody.identifier("player_key", ctx.pathParam("player_key")));
        if (player == null) {
            throw ApiError.notFound("player_not_registered", "no such player");
        }
        ctx.json(playerJson(player));
    }

    private void listPlayers(Context ctx) {
        String status = filter(ctx, "status");
        String owner = identifierFilter(ctx, "owner_id");
        PageRequest page = pageRequest(ctx);
        ctx.json(pageJson(players.list(status, owner, page.offset(), page.limit()), this::playerJson));
    }

    /** {@code connected}: whether this node's broker has a connection of the player now. */
    private Map<String, Object> playerJson(PlayerDetails player) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("player_key", player.key());
        out.put("owner_id", player.ownerId());
        out.put("status", player.status());
        out.put("last_seen_at", isoOrNull(player.lastSeenAt()));
        out.put("current_post_id", player.currentPostId());
        out.put("firmware_version", player.firmwareVersion());
        out.put("registered_at", isoOrNull(player.registeredAt()));
        out.put("revoked_at", isoOrNull(player.revokedAt()));
        out.put("connected", connected.isConnected(player.key()));
        return out;
    }

    private static String isoOrNull(Instant at) {
        return at == null ? null : at.toString();
    }

    /** A listing's filter: null (no filter) when the parameter is missing or empty, as in {@code ?status=}. */
    private static String filter(Context ctx, String name) {
        String value = ctx.queryParam(name);
        return value == null || value.isBlank() ? null : value;
    }

    private static String identifierFilter(Context ctx, String name) {
        String value = filter(ctx, name);
        return value == null ? null : JsonBody.identifier(name, value);
    }

    private static <T> Map<String, Object> pageJson(Page<T> page, Function<T, Map<String, Object>> itemJson) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("items", page.items().stream().map(itemJson).toList());
        out.put("total", page.total());
        return out;
    }

    private record PageRequest(int offset, int limit) {}

    /** {@code page} (from 1) and {@code per_page} (1 to 100, default 20) as the rows to skip and to read. */
    private static PageRequest pageRequest(Context ctx) {
        int page = StatsRoutes.intParam(ctx, "page", 1, 1, StatsRoutes.MAX_PAGE);
        int perPage = StatsRoutes.intParam(ctx, "per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE);
        return new PageRequest((page - 1) * perPage, perPage);
    }
}
