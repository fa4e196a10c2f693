package club.makapix.vts.http;

import club.makapix.vts.pipeline.CountingRules;
import club.makapix.vts.pipeline.Door;
import club.makapix.vts.pipeline.Event;
import club.makapix.vts.pipeline.MeasureWatchReport;
import club.makapix.vts.pipeline.Origin;
import club.makapix.vts.pipeline.Outcome;
import club.makapix.vts.pipeline.Pipeline;
import club.makapix.vts.pipeline.Reason;
import club.makapix.vts.pipeline.Verdict;
import club.makapix.vts.protocol.Ack;
import club.makapix.vts.store.PlayerDirectory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jdbi.v3.core.JdbiException;

/**
 * The HTTP door (contract §2, §5): single views, watch reports, batches, the existing site's route,
 * and players without MQTT. Every event goes through the same pipeline as MQTT's; this class only turns
 * requests into events and outcomes into statuses.
 */
final class IngestRoutes {
    static final int MAX_BATCH = 500;

    private final Pipeline webDoor;
    private final Pipeline playerDoor;
    private final PlayerDirectory players;
    private final ClientAddress addresses;
    private final ViewerTokens tokens;
    private final ObjectMapper json;
    private final long timeoutNanos;
    private final Clock clock;

    IngestRoutes(Pipeline webDoor, Pipeline playerDoor, PlayerDirectory players, ClientAddress addresses, ViewerTokens tokens,
                 ObjectMapper json, Duration timeout, Clock clock) {
        this.webDoor = webDoor;
        this.playerDoor = playerDoor;
        this.players = players;
        this.addresses = addresses;
        this.tokens = tokens;
        this.json = json;
        this.timeoutNanos = timeout.toNanos();
        this.clock = clock;
    }

    void register(Javalin app) {
        app.post("/v1/posts/{post_id}/views", this::single);
        app.post("/v1/posts/{post_id}/watch", this::watch);
        app.post("/post/{post_id}/view", this::single);
        app.post("/v1/events", this::batch);
        app.post("/v1/player/views", this::player);
    }

    private void single(Context ctx) {
        long postId = PathParams.postId(ctx);
        byte[] body = BoundedBody.read(ctx, HttpServer.MAX_BODY_BYTES);
        Event event = Event.fromWeb(webOrigin(ctx), postId, body.length == 0 ? null : JsonBody.parse(body, json));
        ctx.future(() -> webDoor.submit(event).thenAccept(outcome -> {
            if (CountingRules.countedView(event, outcome)) {
                ctx.status(201).json(Map.of("status", "counted"));
            } else if (outcome.status() == Outcome.Status.STORED || outcome.reason().accepted()) {
                ctx.status(204);
            } else {
                fail(ctx, outcome);
            }
        }));
    }

    /**
     * A watch report (contract §5): 200 with where the viewer stands once it is durable, or once it is
     * found already stored or accepted without storing (a robot); the usual errors otherwise.
     */
    private void watch(Context ctx) {
        long postId = PathParams.postId(ctx);
        byte[] body = BoundedBody.read(ctx, HttpServer.MAX_BODY_BYTES);
        Event event = Event.watchReport(webOrigin(ctx), postId, body.length == 0 ? null : JsonBody.parse(body, json));
        ctx.future(() -> webDoor.submit(event).thenAccept(outcome -> {
            if (outcome.status() == Outcome.Status.STORED || outcome.reason().accepted()) {
                ctx.status(200).json(watchAnswer(event));
            } else {
                fail(ctx, outcome);
            }
        }));
    }

    /** {@code {"post_id", "position_s", "duration_s", "progress_percent", "completed", "played_s"}}. */
    private static Map<String, Object> watchAnswer(Event event) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("post_id", event.postId());
        out.put("position_s", ViewerRoutes.seconds(event.positionMs()));
        out.put("duration_s", ViewerRoutes.seconds(event.mediaDurationMs()));
        out.put("progress_percent", MeasureWatchReport.progressPercent(event.positionMs(), event.mediaDurationMs()));
        out.put("completed", event.completed());
        out.put("played_s", ViewerRoutes.seconds(event.playedMs() == null ? 0L : event.playedMs()));
        return out;
    }

    private void batch(Context ctx) {
        JsonNode root = JsonBody.parse(BoundedBody.read(ctx, HttpServer.MAX_BODY_BYTES), json);
        JsonNode events = root.get("events");
        if (!root.isObject() || events == null || !events.isArray()) {
            throw ApiError.invalid("the body must be {\"events\": [ … ]}");
        }
        if (events.isEmpty() || events.size() > MAX_BATCH) {
            throw ApiError.invalid("a batch holds 1 to " + MAX_BATCH + " events");
        }
        Origin origin = webOrigin(ctx);
        List<Event> accepted = new ArrayList<>(events.size());
        List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(events.size());
        for (JsonNode item : events) {
            Event event = null;
            if (!item.isObject() || !item.path("event_id").isTextual()) {
                outcomes.add(CompletableFuture.completedFuture(Outcome.stopped(
                        Verdict.stop(Reason.INVALID_PAYLOAD, "each event in a batch is an object with an event_id"))));
            } else {
                event = Event.fromWeb(origin, 0, item);
                outcomes.add(webDoor.submit(event));
            }
            accepted.add(event);
        }
        ctx.future(() -> CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenAccept(done -> {
            List<Map<String, Object>> results = new ArrayList<>(outcomes.size());
            for (int i = 0; i < outcomes.size(); i++) {
                Outcome outcome = outcomes.get(i).join();
                if (outcome.status() == Outcome.Status.UNAVAILABLE) {
                    // the stored ones are safe: retrying the whole batch stores the rest once
                    fail(ctx, outcome);
                    return;
                }
                results.add(result(events.get(i).path("event_id").asText(null), accepted.get(i), outcome));
            }
            ctx.status(200).json(Map.of("results", results));
        }));
    }

    private static Map<String, Object> result(String eventId, Event event, Outcome outcome) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("event_id", eventId);
        String status;
        if (outcome.status() == Outcome.Status.STORED) {
            status = CountingRules.countedView(event, outcome) ? "counted" : "accepted"; // a stored watch report: accepted
        } else {
            status = switch (outcome.reason()) {
                case DUPLICATE -> "duplicate";
                case RATE_LIMITED -> "rate_limited";
                case POST_NOT_FOUND -> "post_not_found";
                case INVALID_PAYLOAD -> "invalid";
                default -> outcome.reason().accepted() ? "accepted" : "invalid";
            };
            if (!outcome.reason().accepted()) {
                r.put("error", outcome.message());
            }
        }
        r.put("status", status);
        return r;
    }

    /** A player without MQTT: {@code Authorization: Bearer <player_key>:<secret>}, the MQTT payload as body. */
    private void player(Context ctx) {
        String credentials = Access.bearer(ctx);
        int colon = credentials == null ? -1 : credentials.indexOf(':');
        if (colon < 1) {
            throw new ApiError(401, "player_not_registered", "Authorization must be Bearer <player_key>:<secret>");
        }
        String key = credentials.substring(0, colon);
        PlayerDirectory.Admission admission;
        try {
            admission = players.admit(key, credentials.substring(colon + 1), false);
        } catch (JdbiException e) {
            // the database is away and this player is not remembered: like any event that cannot be made durable, retry
            ctx.header("Retry-After", "1");
            throw new ApiError(503, Reason.PROCESSING_ERROR.label(), "the player directory is unavailable; retry");
        }
        if (admission.refusal() != null) {
            throw new ApiError(401, "player_not_registered", "unknown player or wrong secret");
        }
        byte[] payload = BoundedBody.read(ctx, HttpServer.MAX_BODY_BYTES);
        Event event = Event.fromPlayer(Origin.player(Door.HTTP, clock.instant(), addresses.of(ctx), key, timeoutNanos), null,
                payload);
        ctx.future(() -> playerDoor.submit(event).thenAccept(outcome -> {
            if (outcome.status() == Outcome.Status.STORED) {
                ctx.status(201).contentType("application/json").result(Ack.ok().encode());
            } else if (outcome.reason() == Reason.DUPLICATE) {
                ctx.status(200).contentType("application/json")
                        .result(Ack.failure(outcome.reason().errorCode(), outcome.message()).encode());
            } else {
                fail(ctx, outcome);
            }
        }));
    }

    private Origin webOrigin(Context ctx) {
        String subject = null;
        if (ctx.header("Authorization") != null) {
            String token = Access.bearer(ctx);
            if (token == null) {
                throw new ApiError(401, "invalid_token", "Authorization must be Bearer <JWT>");
            }
            subject = tokens.verify(token).subject();
        }
        return Origin.web(clock.instant(), addresses.of(ctx), ctx.userAgent(), ctx.header("Referer"), subject, timeoutNanos);
    }


    /** An outcome that is an error for the client: its status, code and message. */
    private static void fail(Context ctx, Outcome outcome) {
        int status = switch (outcome.reason()) {
            case INVALID_PAYLOAD -> 400;
            case PLAYER_NOT_REGISTERED -> 401;
            case PLAYER_KEY_MISMATCH, PLAYER_NO_OWNER -> 403;
            case POST_NOT_FOUND -> 404;
            case RATE_LIMITED -> 429;
            default -> 503;
        };
        if (status == 429 || status == 503) {
            ctx.header("Retry-After", Long.toString(Math.max(1, (outcome.retryAfterMillis() + 999) / 1000)));
        }
        ctx.status(status).json(HttpServer.error(outcome.message(), outcome.reason().label()));
    }
}
