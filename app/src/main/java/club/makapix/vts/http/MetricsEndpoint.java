package club.makapix.vts.http;

import club.makapix.vts.config.Settings;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code GET /metrics} (Prometheus text): on the HTTP port with the rest, or on a port of its own
 * ({@code VTS_METRICS_PORT}) so that only the monitoring network reaches it; behind a bearer token
 * when {@code VTS_METRICS_TOKEN} is set. A separate port is served by the JDK's own small HTTP server:
 * one route, no Jetty needed.
 */
public final class MetricsEndpoint implements AutoCloseable {
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry metrics;
    private final byte[] token;
    private HttpServer ownPort;

    public MetricsEndpoint(Settings.MetricsEndpoint settings, PrometheusMeterRegistry metrics) {
        this.metrics = metrics;
        this.token = settings.token() == null ? null : settings.token().getBytes(StandardCharsets.UTF_8);
    }

    /** Serves {@code /metrics} on the main HTTP server. */
    void register(Javalin app) {
        app.get("/metrics", ctx -> {
            if (!allowed(ctx.header("Authorization"))) {
                throw new ApiError(401, "unauthorized", "the metrics token is required (Authorization: Bearer <token>)");
            }
            ctx.contentType(CONTENT_TYPE).result(metrics.scrape());
        });
    }

    /** Serves {@code /metrics} alone on {@code port} (0: a free one); returns the port. */
    public int listen(String bindAddress, int port) throws IOException {
        ownPort = HttpServer.create(new InetSocketAddress(bindAddress, port), 16);
        ownPort.createContext("/", this::handle);
        ownPort.start();
        return ownPort.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            int status;
            byte[] body;
            String type;
            if (!"/metrics".equals(exchange.getRequestURI().getPath()) || !"GET".equals(exchange.getRequestMethod())) {
                status = 404;
                type = "application/json";
                body = "{\"error\":\"only GET /metrics is served here\",\"code\":\"not_found\"}".getBytes(StandardCharsets.UTF_8);
            } else if (!allowed(exchange.getRequestHeaders().getFirst("Authorization"))) {
                status = 401;
                type = "application/json";
                body = "{\"error\":\"the metrics token is required (Authorization: Bearer <token>)\",\"code\":\"unauthorized\"}"
                        .getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                type = CONTENT_TYPE;
                body = metrics.scrape().getBytes(StandardCharsets.UTF_8);
            }
            exchange.getResponseHeaders().set("Content-Type", type);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private boolean allowed(String authorization) {
        if (token == null) {
            return true;
        }
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        return MessageDigest.isEqual(token, authorization.substring(7).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        if (ownPort != null) {
            ownPort.stop(0);
        }
    }
}
