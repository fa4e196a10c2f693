package club.makapix.vts.durability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.ServerProcess;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestSettings;
import club.makapix.vts.support.WebClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Contract §5: a watch report is answered only once durable, so one answered before a {@code kill -9}
 * is there after the restart. Signed-in watchers report as fast as they can, each report carrying an
 * event id and one played second; the server process is SIGKILLed mid-stream and started again; each
 * watcher resends what was not answered. Then every answered report is stored, and each viewer's
 * progress holds exactly one second per distinct report: nothing lost, nothing doubled.
 */
class WatchReportCrashTest {
    static final int WATCHERS = 6;
    static final String ADMIN_TOKEN = "watch-crash-admin-token";
    static final String SECRET = "watch-crash-secret-long-enough-for-hs256!";

    @Test
    @Timeout(150)
    void reportsAnsweredBeforeKillNineArePresentAfterTheRestartAndResendsCountOnce() throws Exception {
        TestDatabase db = TestDatabase.create();
        int httpPort = Ports.free();
        Map<String, String> settings = TestSettings.base(db, Files.createTempDirectory("vts-watch-crash"), httpPort, Ports.free());
        settings.put("VTS_ADMIN_TOKEN", ADMIN_TOKEN);
        settings.put("VTS_JWT_SECRET", SECRET);
        settings.put("VTS_WATCH_REPORT_LIMIT_MS", "0"); // as fast as they can: the limit is not under test
        Path logs = Path.of("target", "watch-crash");

        List<Watcher> watchers = new ArrayList<>();
        ServerProcess server = ServerProcess.start(settings, logs.resolve("server-before-kill.log"));
        try {
            server.awaitReady(Duration.ofSeconds(60));
            Admin admin = new Admin(httpPort, ADMIN_TOKEN);
            for (int i = 0; i < WATCHERS; i++) {
                admin.send("PUT", "/v1/admin/posts/" + (700 + i), "{\"artist_id\":\"artist-crash\",\"duration_s\":86400}");
                watchers.add(new Watcher("watcher-" + i, 700 + i, httpPort));
            }
            watchers.forEach(Watcher::start);
            Eventually.until(Duration.ofSeconds(60), () -> answered(watchers).size() >= 300,
                    () -> "300 answered reports before the crash; have " + answered(watchers).size());
            server.kill();
            Set<UUID> answeredBeforeKill = answered(watchers);

            server = ServerProcess.start(settings, logs.resolve("server-after-kill.log"));
            server.awaitReady(Duration.ofSeconds(60));
            Eventually.until(Duration.ofSeconds(30), () -> answered(watchers).size() > answeredBeforeKill.size() + WATCHERS * 5,
                    () -> "the watchers report again after the restart");
            watchers.forEach(w -> w.stopNew.set(true));
            for (Watcher w : watchers) {
                w.join(30_000);
                assertTrue(!w.isAlive() && w.pending == null, w.viewer + " still has a report no one answered");
            }

            Set<UUID> stored = new HashSet<>();
            db.rows("select event_key from event_keys").forEach(row -> stored.add((UUID) row.get("event_key")));
            Set<UUID> lost = new HashSet<>(answeredBeforeKill);
            lost.removeAll(stored);
            assertEquals(Set.of(), lost, "answered before the kill, missing after it");
            for (Watcher w : watchers) {
                assertTrue(stored.containsAll(w.sent), w.viewer + ": a report answered after the restart is missing");
                long playedMs = db.count("select played_ms from watch_progress where viewer_id = ?", w.viewer);
                assertEquals(w.sent.size() * 1000L, playedMs, w.viewer + ": one played second per distinct report, each once");
            }
        } finally {
            watchers.forEach(w -> w.stopNew.set(true));
            for (Watcher w : watchers) {
                w.join(5_000);
            }
            server.close();
        }
    }

    static Set<UUID> answered(List<Watcher> watchers) {
        Set<UUID> all = new HashSet<>();
        watchers.forEach(w -> all.addAll(w.answered));
        return all;
    }

    /** One signed-in viewer watching one post: a report after another, each resent until answered. */
    static final class Watcher extends Thread {
        private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final String viewer;
        final long post;
        final URI uri;
        final String token;
        final AtomicBoolean stopNew = new AtomicBoolean();
        final Set<UUID> answered = ConcurrentHashMap.newKeySet();
        /** Every distinct report it sent: each must end up stored once. */
        final Set<UUID> sent = ConcurrentHashMap.newKeySet();
        volatile UUID pending;

        Watcher(String viewer, long post, int httpPort) {
            super("watcher-" + viewer);
            setDaemon(true);
            this.viewer = viewer;
            this.post = post;
            this.uri = URI.create("http://127.0.0.1:" + httpPort + "/v1/posts/" + post + "/watch");
            this.token = WebClient.token(SECRET, viewer, null);
        }

        @Override
        public void run() {
            int position = 0;
            while (pending != null || !stopNew.get()) {
                if (pending == null) {
                    pending = UUID.randomUUID();
                    sent.add(pending);
                    position++;
                }
                String body = "{\"position_s\": " + position + ", \"played_s\": 1, \"session_id\": \"s\", \"event_id\": \"" + pending + "\"}";
                try {
                    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(15))
                            .header("Authorization", "Bearer " + token).header("User-Agent", WebClient.FIREFOX)
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) {
                        answered.add(pending);
                        pending = null;
                        continue;
                    }
                } catch (IOException e) {
                    // the server is down: send it again in a moment
                } catch (InterruptedException e) {
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }
}
