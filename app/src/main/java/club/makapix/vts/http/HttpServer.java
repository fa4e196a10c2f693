package club.makapix.vts.http;

import club.makapix.vts.config.Settings;
import club.makapix.vts.mqtt.ConnectedPlayers;
import club.makapix.vts.pipeline.Doors;
import club.makapix.vts.rollup.Rollup;
import club.makapix.vts.stats.StatsCache;
import club.makapix.vts.stats.StatsReader;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.PostDirectory;
import club.makapix.vts.store.ViewerData;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: ingestion, stats and the dashboard, viewers' watching, the browser tracker,
 * administration, health and metrics.
 */
public final class HttpServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HttpServer.class);
    /** No request VTS serves needs more; larger bodies are refused with 413. */
    static final long MAX_BODY_BYTES = 1_000_000;

    private final Javalin app;

    /** What readiness checks: each named part must answer true. */
    public record Readiness(BooleanSupplier database, BooleanSupplier broker) {}

    /** What the routes serve; {@code metricsEndpoint} null when /metrics has a port of its own. */
    public record Parts(String adminToken, Doors doors, PlayerDirectory players, PostDirectory posts,
                        ConnectedPlayers connected, PrometheusMeterRegistry metrics, Readiness readiness,
                        StatsReader stats, StatsCache statsCache, Rollup rollup, ViewerData viewers,
                        MetricsEndpoint metricsEndpoint, Clock clock) {}

    /** How long an HTTP client waits for its event's outcome before a 503 says "retry". */
    public static final Duration EVENT_TIMEOUT = Duration.ofSeconds(10);

    public HttpServer(String bindAddress, int port, Settings.Web web, Parts parts) {
        ObjectMapper json = json();
        RequestMetrics requestMetrics = new RequestMetrics(parts.metrics());
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.requestLogger.http(requestMetrics::record);
            config.http.maxRequestSize = MAX_BODY_BYTES;
            config.jsonMapper(new JavalinJackson(json, false));
            config.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler(json)));
            if (!web.corsOrigins().isEmpty()) {
                config.bundledPlugins.enableCors(cors -> cors.addRule(rule -> {
                    if (web.corsOrigins().contains("*")) {
                        rule.anyHost();
                    } else {
                        web.corsOrigins().forEach(origin -> rule.allowHost(origin));
                    }
                    rule.exposeHeader("Retry-After");
                }));
            }
        });
        PrometheusMeterRegistry metrics = parts.metrics();
        Readiness readiness = parts.readiness();
        app.exception(ApiError.class, (e, ctx) -> ctx.status(e.status()).json(error(e.getMessage(), e.code())));
        app.exception(Exception.class, (e, ctx) -> {
            LOG.error("Request {} {} failed", ctx.method(), ctx.matchedPath(), e);
            ctx.status(500).json(error("internal error", "processing_error"));
        });
        app.error(HttpStatus.NOT_FOUND, ctx -> {
            String type = ctx.res().getContentType();
            if (type == null || !type.startsWith("application/json")) { // not one of our own JSON errors
                ctx.json(error("no such resource", "not_found"));
            }
        });
        app.error(HttpStatus.CONTENT_TOO_LARGE, ctx -> ctx.json(error("the body is larger than " + MAX_BODY_BYTES + " bytes", "payload_too_large")));
        app.error(HttpStatus.METHOD_NOT_ALLOWED, ctx -> ctx.json(error("method not allowed", "method_not_allowed")));

        ViewerTokens tokens = new ViewerTokens(web.jwtSecret(), web.jwtAdminRoles());
        Access access = new Access(parts.adminToken(), tokens);
        new AdminRoutes(access, parts.players(), parts.posts(), parts.connected(), parts.rollup(), json).register(app);
        new IngestRoutes(parts.doors().web(), parts.doors().players(), parts.players(), new ClientAddress(web.trustedProxies(), metrics), tokens, json,
                EVENT_TIMEOUT, parts.clock()).register(app);
        new ViewerRoutes(parts.viewers(), access).register(app);
        new StatsRoutes(parts.stats(), parts.statsCache(), parts.posts(), access, json, parts.clock()).register(app);
        new TrackerRoutes(web.viewDwell()).register(app);
        new DashboardRoutes().register(app);
        new HomePage().register(app);
        app.get("/health/live", ctx -> ctx.json(Map.of("status", "ok")));
        app.get("/health/ready", ctx -> {
            boolean db = readiness.database().getAsBoolean();
            boolean broker = readiness.broker().getAsBoolean();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("status", db && broker ? "ok" : "unavailable");
            out.put("database", db ? "ok" : "unavailable");
            out.put("broker", broker ? "ok" : "unavailable");
            ctx.status(db && broker ? 200 : 503).json(out);
        });
        if (web.benchEndpoints()) {
            // scripts/bench's hello-world reference: this HTTP stack's cost per request without any ingestion
            app.get("/bench/hello", ctx -> ctx.json(Map.of("status", "hello")));
            app.post("/bench/hello", ctx -> {
                BoundedBody.read(ctx, MAX_BODY_BYTES);
                ctx.status(201).json(Map.of("status", "hello"));
            });
        }
        if (parts.metricsEndpoint() != null) {
            parts.metricsEndpoint().register(app);
        }
        app.start(bindAddress, port);
    }

    /** The server's JSON: request bodies are one JSON value, each key once (see {@link JsonBody#parse}). */
    static ObjectMapper json() {
        return new ObjectMapper()
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    static Map<String, String> error(String message, String code) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("error", message);
        out.put("code", code);
        return out;
    }

    public int port() {
        return app.port();
    }

    @Override
    public void close() {
        app.stop();
    }
}
