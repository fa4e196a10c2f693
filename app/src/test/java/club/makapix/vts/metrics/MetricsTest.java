package club.makapix.vts.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code /metrics} as Prometheus reads it: every VTS metric explained, HTTP requests by route and
 * status, latencies as histograms; and on a port of its own behind a token when so configured.
 */
class MetricsTest {
    static final Pattern HELP = Pattern.compile("^# HELP (vts_\\w+) ?(.*)$", Pattern.MULTILINE);

    @Test
    void everyVtsMetricHasAHelpTextAndRequestsAndLatenciesAreHistograms() throws Exception {
        try (RunningServer vts = RunningServer.start(TestDatabase.create(), Map.of())) {
            vts.admin.post(41, "artist-m");
            WebClient web = new WebClient(vts.httpPort());
            assertEquals(201, web.post("/v1/posts/41/views", null).statusCode());
            assertEquals(400, web.post("/v1/posts/41/views", "{\"intent\": 5}").statusCode());
            assertEquals(404, web.post("/v1/posts/999/views", null).statusCode());
            assertEquals(404, Admin.get(vts.httpPort(), "/no/such/route/" + System.nanoTime()).statusCode());

            String scrape = Admin.get(vts.httpPort(), "/metrics").body();
            Matcher help = HELP.matcher(scrape);
            int metrics = 0;
            while (help.find()) {
                metrics++;
                assertTrue(help.group(2).length() > 10, help.group(1) + " has no HELP text worth the name: '" + help.group(2) + "'");
            }
            assertTrue(metrics > 20, "the scrape should hold VTS's metrics; found " + metrics);
            for (String series : List.of(
                    "vts_http_requests_seconds_bucket{method=\"POST\",route=\"/v1/posts/{post_id}/views\",status=\"201\",le=\"+Inf\"}",
                    "vts_http_requests_seconds_count{method=\"POST\",route=\"/v1/posts/{post_id}/views\",status=\"400\"}",
                    "vts_http_requests_seconds_count{method=\"POST\",route=\"/v1/posts/{post_id}/views\",status=\"404\"}",
                    "vts_http_requests_seconds_count{method=\"GET\",route=\"unmatched\",status=\"404\"}",
                    "vts_write_seconds_bucket{le=\"+Inf\"}",
                    "vts_stage_seconds_bucket{stage=\"decode_web_event\",le=\"+Inf\"}")) {
                String name = series.substring(0, series.indexOf('{'));
                assertTrue(scrape.contains(series), "missing " + series + " among:\n"
                        + scrape.lines().filter(l -> l.startsWith(name)).limit(8).reduce("", (a, b) -> a + b + "\n"));
            }
            assertTrue(!scrape.contains("/no/such/route"), "a request's own path never becomes a label");
        }
    }

    @Test
    void metricsOnTheirOwnPortBehindAToken() throws Exception {
        String token = "metrics-token-for-prometheus";
        try (RunningServer vts = RunningServer.start(TestDatabase.create(),
                Map.of("VTS_METRICS_PORT", "0", "VTS_METRICS_TOKEN", token))) {
            int port = vts.server.metricsPort();
            assertTrue(port > 0 && port != vts.httpPort());
            assertEquals(404, Admin.get(vts.httpPort(), "/metrics").statusCode(), "not on the public port");
            assertEquals(401, Admin.get(port, "/metrics").statusCode());
            assertEquals(401, Admin.send(port, "GET", "/metrics", "wrong-token-of-some-length", null).statusCode());
            HttpResponse<String> scrape = Admin.send(port, "GET", "/metrics", token, null);
            assertEquals(200, scrape.statusCode());
            assertTrue(scrape.body().contains("vts_write_queue_depth"));
            assertEquals(404, Admin.send(port, "GET", "/health/live", token, null).statusCode(), "only /metrics there");
        }
    }
}
