package club.makapix.vts.http;

import club.makapix.vts.metrics.LatencyBuckets;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code vts_http_requests_seconds{method,route,status}}: every HTTP request, by the route that took it
 * (its path pattern, such as {@code /v1/posts/{post_id}/views}, never the request's own path, so the
 * series stay few), and the status it got; a histogram with {@link LatencyBuckets#HTTP}.
 */
final class RequestMetrics {
    /** A series' labels; timers are found by it, so a request builds no meter and sorts no tags. */
    private record Series(HandlerType method, String route, int status) {}

    private final MeterRegistry metrics;
    private final Map<Series, Timer> timers = new ConcurrentHashMap<>();

    RequestMetrics(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    /** Javalin's request logger: called once a request is answered, asynchronous ones included. */
    void record(Context ctx, Float executionTimeMs) {
        Timer timer = timers.computeIfAbsent(new Series(ctx.method(), route(ctx), ctx.statusCode()),
                s -> Timer.builder("vts_http_requests_seconds")
                        .description("HTTP requests by method, route (its pattern) and status, as long as each took")
                        .tag("method", s.method().name())
                        .tag("route", s.route())
                        .tag("status", Integer.toString(s.status()))
                        .serviceLevelObjectives(LatencyBuckets.HTTP)
                        .register(metrics));
        timer.record(Math.round(executionTimeMs * 1_000_000.0), TimeUnit.NANOSECONDS);
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
