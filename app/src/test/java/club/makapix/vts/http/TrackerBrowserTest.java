package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import club.makapix.vts.support.Admin;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The tracker (/vts.js) and its demo page in a real headless Chromium, against a real server and
 * PostgreSQL: views after the dwell time, impressions per appearance, beacons when the page hides,
 * and the offline queue across a server restart.
 */
class TrackerBrowserTest {
    static final int DWELL_MS = 2500;
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
    void viewAfterTheDwellTimeOncePerVisibleArtworkAndBelowTheFoldOnlyOnceScrolledTo() throws Exception {
        createPosts(101, 102, 103, 104, 105, 106);
        Instant opened = Instant.now();
        browser.get(base() + "/demo?posts=101,102,103,104&carousel=105,106&interval=60000");
        assertEquals(DWELL_MS, ((Number) browser.executeScript("return VTS.config.dwellMs")).intValue(),
                "the dwell time comes from the server's setting");
        assertEquals(false, browser.executeScript("return navigator.webdriver"), "the page must see a person's browser");
        assertEquals(0, views(101) + views(102) + views(103));

        await("a view of each visible artwork", () -> views(101) == 1 && views(102) == 1 && views(103) == 1);
        Instant firstView = firstReceived(101, 102, 103);
        assertFalse(firstView.isBefore(opened.plusMillis(DWELL_MS)), "no view before the dwell time: " + firstView);
        Thread.sleep(DWELL_MS); // time for any extra view to show up
        assertEquals(List.of(1L, 1L, 1L, 0L), List.of(views(101), views(102), views(103), views(104)));
        Map<String, Object> row = db.rows("select counted, dwell_ms, timezone, local_time, device from view_events "
                + "where post_id = 101").get(0);
        assertEquals(true, row.get("counted"));
        assertEquals(DWELL_MS, row.get("dwell_ms"));
        assertNotNull(row.get("timezone"));
        assertNotNull(row.get("local_time"));
        assertEquals("desktop", row.get("device"));
        screenshot("demo.png");

        Instant scrolled = Instant.now();
        browser.executeScript("document.querySelector('[data-vts-post=\"104\"]').scrollIntoView({block: 'center'})");
        await("a view of the artwork scrolled into sight", () -> views(104) == 1);
        assertFalse(firstReceived(104).isBefore(scrolled.plusMillis(DWELL_MS)), "it too waited for the dwell time");
        Thread.sleep(1500);
        assertEquals(List.of(1L, 1L, 1L, 1L), List.of(views(101), views(102), views(103), views(104)));
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

    // ---- helpers ----

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

    static long impressions(long post) {
        return db.count("select count(*) from view_events where post_id = ? and kind = 'impression'", post);
    }

    static Instant firstReceived(long... posts) {
        Long[] ids = Arrays.stream(posts).boxed().toArray(Long[]::new);
        return db.rows("select min(received_at) as first from view_events where post_id = any(?)", (Object) ids)
                .stream().map(r -> ((Timestamp) r.get("first")).toInstant()).findFirst().orElseThrow();
    }

    static long outboxSize() {
        return (Long) browser.executeScript("return JSON.parse(localStorage.getItem('vts:outbox') || '[]').length");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out waiting for " + what);
            }
            Thread.sleep(100);
        }
    }

    static void screenshot(String name) throws Exception {
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
    }
}
