package club.makapix.vts.http;

import club.makapix.vts.metrics.LatencyBuckets;
import io.javalin.http.Context;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * {@code vts_http_requests_seconds{method,route,status}}: every HTTP request, by the route that took it
 * (its path pattern, such as {@code /v1/posts/{post_id}/views}, never the request's own path, so the
 * series stay few), and the status it got; a histogram with {@link LatencyBuckets#HTTP}.
 */
final class RequestMetrics {
    private final MeterRegistry metrics;

    RequestMetrics(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** Javalin's request logger: called once a request is answered, asynchronous ones included. */
    void record(Context ctx, Float executionTimeMs) {
        Timer.builder("vts_http_requests_seconds")
                .description("HTTP requests by method, route (its pattern) and status, as long as each took")
                .tag("method", ctx.method().name())
                .tag("route", route(ctx))
                .tag("status", Integer.toString(ctx.statusCode()))
                .serviceLevelObjectives(LatencyBuckets.HTTP)
                .register(metrics)
                .record(Math.round(executionTimeMs * 1_000_000.0), TimeUnit.NANOSECONDS);
    }

    /** The matched route's pattern; requests no route took are one series. */
    private static String route(Context ctx) {
        try {
            String path = ctx.endpointHandlerPath();
            return path == null || path.isEmpty() ? "unmatched" : path;
        } catch (IllegalStateException e) {
            return "unmatched"; // no endpoint took it: Javalin has only its before-handlers to name
        }
    }
}
