package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.Metrics;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.HeadlessChromium;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The tracker (/vts.js) and its demo page in a real headless Chromium, against a real server and
 * PostgreSQL: views after the dwell time carrying their appearance's watched time, impressions per
 * appearance, beacons when the page hides, the offline queue across a server restart, and a video's
 * watch reports, progress and resume for a signed-in viewer.
 */
class TrackerBrowserTest {
    static final int DWELL_MS = 2500;
    static final String JWT_SECRET = "tracker-test-secret-that-is-long-enough-for-hs256";
    /** The demo's clip (demo.html, CLIP). */
    static final double CLIP_S = 24;
    static final String WATCH_RATE_LIMITED = "vts_dropped_total{reason=\"rate_limited\",stage=\"rate_limit_watch_reports\"}";
    static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Headless Chromium says "HeadlessChrome" in its user agent, and a browser under WebDriver has
     * navigator.webdriver = true: VTS rightly treats both as bots and stores nothing. To test the
     * path a person's browser takes, this one presents a desktop Chrome user agent and turns off the
     * AutomationControlled feature (which is what sets navigator.webdriver).
     */
    static final String DESKTOP_CHROME = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/156.0.0.0 Safari/537.36";

    static TestDatabase db;
    static int httpPort;
    static RunningServer vts;
    static Path profile;
    static ChromeDriver browser;

    /** Fixed port and keys, so a restarted server is the same server to the page. */
    static Map<String, String> settings() {
        return Map.of("VTS_HTTP_PORT", Integer.toString(httpPort),
                "VTS_VIEW_DWELL_MS", Integer.toString(DWELL_MS),
                // the demo carousel runs much faster than a real one; the 3 s limit would drop appearances
                "VTS_WEB_IMPRESSION_RATE_LIMIT_MS", "0",
                "VTS_IP_HASH_KEY", "tracker-test-ip-hash-key",
                "VTS_JWT_SECRET", JWT_SECRET,
                "VTS_ADMIN_TOKEN", "tracker-test-admin-token");
    }

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        httpPort = Ports.free();
        vts = RunningServer.start(db, settings());
        profile = Files.createTempDirectory("vts-chromium");
        ChromeOptions options = HeadlessChromium.options(profile, "1200,900");
        options.addArguments("--user-agent=" + DESKTOP_CHROME, "--disable-blink-features=AutomationControlled");
        browser = HeadlessChromium.start(options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        vts.close();
        try (Stream<Path> files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /** Each test starts with an empty outbox. */
    @BeforeEach
    void clearOutbox() {
        browser.get(base() + "/health/live");
        browser.executeScript("localStorage.clear()");
    }

    @Test
    void scriptIsServedAsJavaScriptWithTheServersDwellTimeAndAShortCache() {
        HttpResponse<String> script = Admin.get(httpPort, "/vts.js");
        assertEquals(200, script.statusCode());
        assertEquals("text/javascript; charset=utf-8", script.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("public, max-age=300", script.headers().firstValue("Cache-Control").orElseThrow());
        assertTrue(script.body().contains("const serverDefaults = {\"dwellMs\": " + DWELL_MS + "};"));
    }

    @Test
    void aViewPerAppearanceAfterTheDwellTimeSentWhenItEndsWithItsWatchedTime() throws Exception {
        createPosts(101, 102, 103, 104, 105, 106);
        Instant opened = Instant.now();
        browser.get(base() + "/demo?posts=101,102,103,104&carousel=105,106&interval=60000");
        assertEquals(DWELL_MS, ((Number) browser.executeScript("return VTS.config.dwellMs")).intValue(),
                "the dwell time comes from the server's setting");
        assertEquals(false, browser.executeScript("return navigator.webdriver"), "the page must see a person's browser");

        // after the dwell time each visible artwork's view waits in the outbox while its appearance lasts
        await("a held view of each visible artwork", () -> heldViews().equals(List.of(101L, 102L, 103L)));
        assertEquals(0, views(101) + views(102) + views(103) + views(104), "nothing leaves while the artworks are seen");
        screenshot("demo.png");

        // scrolling away ends the three appearances: their views leave, with the time they were seen
        Instant scrolled = Instant.now();
        browser.executeScript("document.querySelector('[data-vts-post=\"104\"]').scrollIntoView({block: 'center'})");
        await("a view of each artwork scrolled away from", () -> views(101) == 1 && views(102) == 1 && views(103) == 1);
        assertFalse(firstReceived(101, 102, 103).isBefore(opened.plusMillis(DWELL_MS)), "no view before the dwell time");
        long seen = Duration.between(opened, scrolled).toMillis();
        for (long post : new long[] {101, 102, 103}) {
            Map<String, Object> row = db.rows("select counted, dwell_ms, watch_time_ms, timezone, local_time, device "
                    + "from view_events where post_id = ?", post).get(0);
            assertEquals(true, row.get("counted"));
            assertEquals(DWELL_MS, row.get("dwell_ms"));
            long watched = ((Number) row.get("watch_time_ms")).longValue();
            assertTrue(watched >= DWELL_MS && watched <= seen, "watched " + watched + " ms of at most " + seen);
            assertNotNull(row.get("timezone"));
            assertNotNull(row.get("local_time"));
            assertEquals("desktop", row.get("device"));
        }

        // the artwork below the fold: its view waits for the dwell time, then for its appearance to end (here: the page goes)
        await("a held view of the artwork scrolled to", () -> heldViews().equals(List.of(104L)));
        assertEquals(0, views(104));
        browser.executeScript("window.scrollTo(0, 0)"); // a second appearance of the first three
        await("held views of the second appearance", () -> heldViews().equals(List.of(101L, 102L, 103L)));
        browser.get("about:blank"); // the page goes: every appearance ends, by beacon
        await("the views of the last appearances", () -> views(104) == 1 && views(101) == 2);
        assertFalse(firstReceived(104).isBefore(scrolled.plusMillis(DWELL_MS)), "it too waited for the dwell time");
        assertEquals(List.of(1L, 1L, 1L, 1L), List.of(counted(101), counted(102), counted(103), counted(104)),
                "a second appearance carries its watched time, but the day's view counts once");
        long watched101 = db.count("select sum(watch_time_ms) from view_events where post_id = 101");
        assertTrue(watched101 >= 2L * DWELL_MS, "two appearances watched: " + watched101);

        // the stats add the appearances' watched time up
        JsonNode stats = JSON.readTree(Admin.send(httpPort, "GET", "/v1/posts/101/stats", "tracker-test-admin-token", null).body());
        assertEquals(1, stats.path("views").asLong());
        assertEquals(watched101 / 1000.0, stats.path("watch_time_s").asDouble(), 0.001, stats.toString());
        assertEquals(watched101 / 2000.0, stats.path("avg_watch_time_s").asDouble(), 0.001, stats.toString());
    }

    @Test
    void aViewHeldByAPageThatDiedIsSentByTheNextWithTheTimeSavedUntilThen() throws Exception {
        createPosts(151);
        browser.get(base() + "/demo?posts=&carousel=");
        // what a tab that crashed in the middle of an appearance leaves: a held view, last saved a minute ago
        browser.executeScript("localStorage.setItem('vts:outbox', JSON.stringify([{event_id: crypto.randomUUID(), "
                + "post_id: 151, intent: 'view', dwell_ms: 2500, watched_ms: 7000, automation: false, "
                + "_held: 'a-page-that-died', _saved: Date.now() - 60000}]))");
        browser.navigate().refresh();
        await("the dead page's view", () -> views(151) == 1);
        assertEquals(7000L, db.count("select watch_time_ms from view_events where post_id = 151"));
        await("an empty outbox", () -> outboxSize() == 0);
    }

    @Test
    void carouselRecordsOneImpressionPerAppearance() throws Exception {
        createPosts(201, 202, 203);
        browser.get(base() + "/demo?posts=&carousel=201,202,203&interval=400&stop_after=7");
        await("seven impressions", () -> impressions(201) + impressions(202) + impressions(203) == 7);
        Thread.sleep(2500); // the last artwork stays on screen: no impression may follow it
        assertEquals(List.of(3L, 2L, 2L), List.of(impressions(201), impressions(202), impressions(203)));
        assertEquals(0, views(201) + views(202) + views(203), "playback is not a view");
        assertEquals(Map.of("channel", "demo", "channel_context", "carousel", "play_order", 0, "playlist_id", "demo-carousel"),
                db.rows("select channel, channel_context, play_order::int as play_order, playlist_id from view_events "
                        + "where post_id = 202 limit 1").get(0));
    }

    @Test
    void pendingEventsLeaveByBeaconWhenThePageGoesAwayAndAreStoredOnce() throws Exception {
        createPosts(301);
        browser.get(base() + "/demo?posts=&carousel=");
        browser.executeScript("VTS.impression(301, {channel: 'demo'})");
        browser.get("about:blank"); // long before the batch delay: only the beacon can carry it now
        await("the impression, by beacon", () -> impressions(301) == 1);

        // it stayed in the outbox until answered: the next visit resends it, the server stores it once
        browser.get(base() + "/demo?posts=&carousel=");
        await("an empty outbox", () -> outboxSize() == 0);
        assertEquals(1, impressions(301));
    }

    @Test
    void eventsQueuedWhileTheServerIsDownArriveOnceItIsBack() throws Exception {
        createPosts(401, 402);
        browser.get(base() + "/demo?posts=&carousel=");
        vts.close();
        try {
            browser.executeScript("VTS.impression(401, {channel: 'demo'}); VTS.view(402)");
            await("a failed send", () -> browser.findElement(By.id("log")).getText()
                    .contains("server unreachable"));
            assertEquals(2, outboxSize(), "both events wait in localStorage");
            assertEquals(0, impressions(401) + views(402));
        } finally {
            vts = RunningServer.start(db, settings()); // same port, same database
        }

        browser.navigate().refresh(); // the new page finds the outbox and sends it
        await("both events", () -> impressions(401) == 1 && views(402) == 1);
        await("an empty outbox", () -> outboxSize() == 0);
        Thread.sleep(1500);
        assertEquals(List.of(1L, 1L), List.of(impressions(401), views(402)), "stored exactly once");
    }

    @Test
    void videoReportsWhilePlayingAndOnPauseAndResumesWhereTheViewerStopped() throws Exception {
        createPosts(501);
        String token = WebClient.token(JWT_SECRET, "viewer-501", null);
        double rateLimitedBefore = Metrics.value(httpPort, WATCH_RATE_LIMITED);
        openVideo(501, token);
        assertEquals(404, progressResponse(token, 501).statusCode(), "nothing watched yet");
        play();

        // a report every 10 s while it plays
        await("a report while playing", Duration.ofSeconds(40), () -> progress(token, 501) != null);
        JsonNode first = progress(token, 501);
        assertEquals(CLIP_S, first.path("duration_s").asDouble(), 0.01);
        assertTrue(first.path("position_s").asDouble() > 5, first.toString());
        assertTrue(first.path("played_s").asDouble() > 5, first.toString());
        assertEquals(false, first.path("completed").asBoolean());

        // …and one on pause, at the place it stopped
        double paused = pause();
        await("the report on pause", () -> Math.abs(position(token, 501) - paused) < 0.01);
        JsonNode onPause = progress(token, 501);
        assertTrue(onPause.path("played_s").asDouble() >= first.path("played_s").asDouble(), onPause.toString());
        await("every report answered for", () -> outboxSize() == 0);

        // the next visit resumes there before anything plays
        openVideo(501, token);
        await("the resume", () -> Math.abs(currentTime() - paused) < 0.01);
        assertEquals(true, browser.executeScript("return document.getElementById('clip').paused"));
        screenshot("video.png");

        // played to the end: completed, and the visit after that starts over
        play();
        await("the report at the end", Duration.ofSeconds(40), () -> position(token, 501) > CLIP_S - 0.01);
        assertEquals(true, progress(token, 501).path("completed").asBoolean());
        openVideo(501, token);
        await("the tracker's decision: a finished video starts over", () -> log().contains("post 501 was finished: starting over"));
        assertEquals(0.0, currentTime());

        assertEquals(rateLimitedBefore, Metrics.value(httpPort, WATCH_RATE_LIMITED), "no report was over the rate limit");
        JsonNode stats = JSON.readTree(Admin.send(httpPort, "GET", "/v1/posts/501/stats", "tracker-test-admin-token", null).body());
        assertTrue(stats.path("watch_time_s").asDouble() > 15, "the played time is the artist's watch time: " + stats);
    }

    @Test
    void aPlayingVideoReportsWhenThePageGoesWithItsViewersTokenAndTheReportIsStoredOnce() throws Exception {
        createPosts(502);
        String token = WebClient.token(JWT_SECRET, "viewer-502", null);
        openVideo(502, null);
        browser.executeScript("VTS.setViewerToken(arguments[0])", token); // signed in after the page loaded
        play();
        await("playback under way", () -> currentTime() > 1.5);
        browser.get("about:blank"); // gone before any 10 s report: only the one sent on leaving can tell
        await("the report sent on leaving", () -> progress(token, 502) != null);
        JsonNode left = progress(token, 502);
        assertTrue(left.path("position_s").asDouble() > 1.5, left.toString());
        assertTrue(left.path("played_s").asDouble() > 1, left.toString());

        // it stayed in the outbox until answered: the next page sends it again, the server keeps it once
        openVideo(502, token);
        await("an empty outbox", () -> outboxSize() == 0);
        assertEquals(left.path("played_s").asDouble(), progress(token, 502).path("played_s").asDouble(), 0.0001);
        await("the resume", () -> Math.abs(currentTime() - left.path("position_s").asDouble()) < 0.01);
    }

    @Test
    void quickPausesAreMergedOrSpacedAndAReportRefusedForTheRateLimitIsSentAgain() throws Exception {
        createPosts(504);
        String token = WebClient.token(JWT_SECRET, "viewer-504", null);
        double rateLimitedBefore = Metrics.value(httpPort, WATCH_RATE_LIMITED);
        openVideo(504, token);
        for (int i = 0; i < 3; i++) { // three reports within a few seconds: the server would take one per 5 s
            play();
            double from = currentTime();
            await("playback under way", () -> currentTime() > from + 0.5);
            pause();
        }
        double paused = currentTime();
        await("the last place stored", () -> Math.abs(position(token, 504) - paused) < 0.01);
        await("every report answered for", () -> outboxSize() == 0);
        assertEquals(rateLimitedBefore, Metrics.value(httpPort, WATCH_RATE_LIMITED), "none over the rate limit");

        // another device of the viewer has just reported this post when a report of this page leaves: the
        // server answers rate_limited, and the tracker keeps the report and sends it again 6 s later
        String statuses = "JSON.stringify((window.statuses || []).filter((r) => r.event_id === 'ec0d3c51-0000-4000-8000-000000000504')"
                + ".map((r) => r.status))";
        assertEquals(200, Admin.send(httpPort, "POST", "/v1/posts/504/watch", token, "{\"position_s\": 1}").statusCode());
        browser.executeScript("window.statuses = []; addEventListener('vts:result', (e) => statuses.push(e.detail));"
                + "localStorage.removeItem('vts:watch-sent');" // what this page knows of its own reports: none lately
                + "localStorage.setItem('vts:outbox', JSON.stringify([{type: 'watch', event_id: 'ec0d3c51-0000-4000-8000-000000000504',"
                + " post_id: 504, position_s: 3.25, played_s: 0, session_id: 'session-504', automation: false, _viewer: 'viewer-504'}]));"
                + "VTS.flush()");
        await("the report sent again and stored", Duration.ofSeconds(30), () -> position(token, 504) == 3.25);
        await("every report answered for", () -> outboxSize() == 0);
        String answers = (String) browser.executeScript("return " + statuses);
        assertTrue(answers.endsWith("\"accepted\"]"), answers);
        // that it was refused first depends on the two reports arriving within 5 s: nearly always, but not on a
        // machine too loaded to keep that; then the path above is not what this test ran
        Assumptions.assumeTrue(answers.equals("[\"rate_limited\",\"accepted\"]"), "not refused first: " + answers);
    }

    @Test
    void eventsOfAViewerWhoseTokenIsRefusedWaitForAFreshTokenAndNeverGoAnonymously() throws Exception {
        createPosts(505);
        long hourAgo = Instant.now().minusSeconds(3600).getEpochSecond();
        String expired = WebClient.signedToken(com.nimbusds.jose.JWSAlgorithm.HS256, JWT_SECRET,
                "{\"sub\":\"viewer-505\",\"exp\":" + hourAgo + "}");
        openVideo(505, expired);
        await("the tracker told the page", () -> log().contains("viewer token refused")); // by the resume request
        play();
        await("playback under way", () -> currentTime() > 0.5);
        double paused = pause();
        await("the report in the outbox", () -> outboxReports() == 1);
        browser.executeScript("VTS.flush()"); // nothing may go: not with the refused token, nor without one
        String fresh = WebClient.token(JWT_SECRET, "viewer-505", null);
        assertEquals(404, progressResponse(fresh, 505).statusCode());
        assertEquals(0, db.count("select (select count(*) from view_events where post_id = 505) "
                + "+ (select count(*) from daily_watch where post_id = 505)"), "not sent anonymously either");

        browser.executeScript("VTS.setViewerToken(arguments[0])", fresh);
        await("the report, with the fresh token", () -> Math.abs(position(fresh, 505) - paused) < 0.01);
        await("every event answered for", () -> outboxSize() == 0);
    }

    @Test
    void anAnonymousViewersReportsCountAsWatchTimeWithoutProgressAndNoResumeIsAsked() throws Exception {
        createPosts(503);
        openVideo(503, null);
        play();
        await("playback under way", () -> currentTime() > 1);
        double paused = pause();
        assertTrue(paused > 1);
        await("the report on pause, answered", () -> outboxSize() == 0);
        assertFalse(log().contains("post 503 resumed") || log().contains("post 503 was finished"), "no viewer, no saved place");
        JsonNode stats = JSON.readTree(Admin.send(httpPort, "GET", "/v1/posts/503/stats", "tracker-test-admin-token", null).body());
        assertTrue(stats.path("watch_time_s").asDouble() > 0.5, stats.toString());
    }

    // ---- helpers ----

    /** The demo page with post {@code post} as its video, signed in with {@code token} (or not). */
    static void openVideo(long post, String token) {
        browser.get(base() + "/demo?posts=&carousel=&video=" + post + (token == null ? "" : "&token=" + token));
    }

    /** What the demo page says happened (its last ten lines). */
    static String log() {
        return browser.findElement(By.id("log")).getText();
    }

    static void play() {
        browser.executeAsyncScript("const done = arguments[arguments.length - 1];"
                + "document.getElementById('clip').play().then(() => done(null), (e) => done(String(e)))");
    }

    /** Pauses the video; where it stopped. */
    static double pause() {
        return ((Number) browser.executeScript("const v = document.getElementById('clip'); v.pause(); "
                + "return Math.round(v.currentTime * 1000) / 1000")).doubleValue();
    }

    static double currentTime() {
        return ((Number) browser.executeScript("return Math.round(document.getElementById('clip').currentTime * 1000) / 1000"))
                .doubleValue();
    }

    static HttpResponse<String> progressResponse(String token, long post) {
        return Admin.send(httpPort, "GET", "/v1/me/progress/" + post, token, null);
    }

    /** The viewer's saved place in the post, or null when there is none. */
    static JsonNode progress(String token, long post) {
        HttpResponse<String> response = progressResponse(token, post);
        if (response.statusCode() == 404) {
            return null;
        }
        assertEquals(200, response.statusCode(), response.body());
        try {
            return JSON.readTree(response.body());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static double position(String token, long post) {
        JsonNode p = progress(token, post);
        return p == null ? -1 : p.path("position_s").asDouble();
    }


    static String base() {
        return "http://127.0.0.1:" + httpPort;
    }

    static void createPosts(long... ids) {
        for (long id : ids) {
            vts.admin.post(id, "artist-demo");
        }
    }

    static long views(long post) {
        return db.count("select count(*) from view_events where post_id = ? and kind = 'view'", post);
    }

    static long counted(long post) {
        return db.count("select count(*) from view_events where post_id = ? and kind = 'view' and counted", post);
    }

    /** The posts of the views waiting in the outbox for their appearance to end, in order. */
    static List<Long> heldViews() {
        @SuppressWarnings("unchecked")
        List<Long> held = (List<Long>) browser.executeScript("return JSON.parse(localStorage.getItem('vts:outbox') || '[]')"
                + ".filter((e) => e._held).map((e) => e.post_id).sort((a, b) => a - b)");
        return held;
    }

    static long impressions(long post) {
        return db.count("select count(*) from view_events where post_id = ? and kind = 'impression'", post);
    }

    static Instant firstReceived(long... posts) {
        Long[] ids = Arrays.stream(posts).boxed().toArray(Long[]::new);
        return db.rows("select min(received_at) as first from view_events where post_id = any(?)", (Object) ids)
                .stream().map(r -> ((Timestamp) r.get("first")).toInstant()).findFirst().orElseThrow();
    }

    static long outboxReports() {
        return (Long) browser.executeScript("return JSON.parse(localStorage.getItem('vts:outbox') || '[]')"
                + ".filter((e) => e.type === 'watch').length");
    }

    static long outboxSize() {
        return (Long) browser.executeScript("return JSON.parse(localStorage.getItem('vts:outbox') || '[]').length");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        await(what, Duration.ofSeconds(20), condition);
    }

    static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        Eventually.until(timeout, condition, () -> "timed out waiting for " + what);
    }

    static void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
