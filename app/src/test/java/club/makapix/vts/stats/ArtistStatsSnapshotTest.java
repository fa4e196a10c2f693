package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An artist's stats answer (totals, breakdowns and the page of posts) is read from one snapshot:
 * while impressions stream in, the totals always equal the sum of the posts' rows. Read in two
 * snapshots, an event committed between them made the two disagree.
 */
class ArtistStatsSnapshotTest {
    static final LocalDate DAY = LocalDate.of(2026, 4, 1);
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    @Timeout(120)
    void totalsAndPostRowsAgreeWhileEventsArrive() throws Exception {
        try (RunningServer vts = RunningServer.start(TestDatabase.create(),
                Map.of("VTS_STATS_CACHE_S", "0", "VTS_WEB_IMPRESSION_RATE_LIMIT_MS", "0"), new TestClock(History.noon(DAY)))) {
            vts.admin.post(31, "cleo");
            vts.admin.post(32, "cleo");
            WebClient web = new WebClient(vts.httpPort());
            AtomicBoolean sending = new AtomicBoolean(true);
            Thread sender = new Thread(() -> {
                while (sending.get()) {
                    String events = "{\"events\":[" + impression(31) + "," + impression(32) + "]}";
                    assertEquals(200, web.post("/v1/events", events).statusCode());
                }
            }, "impressions");
            sender.start();

            HttpClient http = HttpClient.newHttpClient();
            HttpRequest call = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + vts.httpPort()
                    + "/v1/artists/cleo/stats?from=" + DAY + "&to=" + DAY)).header("Authorization", "Bearer " + vts.server.adminToken()).build();
            List<String> disagreements = new ArrayList<>();
            long first = -1;
            long last = 0;
            for (int i = 0; i < 150; i++) {
                JsonNode answer = JSON.readTree(http.send(call, HttpResponse.BodyHandlers.ofString()).body());
                long total = answer.path("impressions").asLong();
                long rows = 0;
                for (JsonNode post : answer.path("posts")) {
                    rows += post.path("impressions").asLong();
                }
                if (total != rows) {
                    disagreements.add("totals " + total + ", rows " + rows);
                }
                first = first < 0 ? total : first;
                last = total;
            }
            sending.set(false);
            sender.join();

            assertTrue(last > first, "impressions must arrive while the stats are read, or nothing was tested");
            assertEquals(0, disagreements.size(), disagreements.size() + " of 150 answers had totals and post rows from different "
                    + "moments, e.g. " + disagreements.subList(0, Math.min(5, disagreements.size())));
        }
    }

    private static String impression(long post) {
        return "{\"post_id\":" + post + ",\"event_id\":\"" + UUID.randomUUID() + "\",\"intent\":\"impression\",\"channel\":\"all\"}";
    }
}
