package club.makapix.vts.http;

import club.makapix.vts.mqtt.ConnectedPlayers;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.PostDirectory;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import club.makapix.vts.rollup.Rollup;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;

/** Registering and revoking players, creating and deleting posts (admin token only). */
final class AdminRoutes {
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
        app.put("/v1/admin/posts/{post_id}", this::putPost);
        app.delete("/v1/admin/posts/{post_id}", this::deletePost);
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
        long postId = JsonBody.postId(ctx);
        JsonBody body = JsonBody.of(ctx, json);
        String artist = body.requiredIdentifier("artist_id");
        String title = body.optionalText("title", 500);
        Integer duration = body.optionalInt("duration_s", 0, 86_400);
        boolean created = posts.upsert(new PostDirectory.CatalogueEntry(postId, artist, title, duration));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("post_id", postId);
        out.put("artist_id", artist);
        out.put("title", title);
        out.put("duration_s", duration);
        ctx.status(created ? 201 : 200).json(out);
    }

    private void deletePost(Context ctx) {
        if (!posts.delete(JsonBody.postId(ctx))) {
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
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("player_key", key);
        out.put("owner_id", owner);
        ctx.status(created ? 201 : 200).json(out);
    }

    private void deletePlayer(Context ctx) {
        String key = JsonBody.identifier("player_key", ctx.pathParam("player_key"));
        boolean revoked = players.revoke(key);
        connected.disconnect(key);
        if (!revoked) {
            throw ApiError.notFound("player_not_registered", "no such player");
        }
        ctx.status(204);
    }
}
