package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.GeoFixture;
import club.makapix.vts.support.HeadlessChromium;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.Select;

/**
 * The dashboard (/dashboard) in a real headless Chromium, against a real server and PostgreSQL
 * holding a known history sent through the real doors ({@link History}): what an artist sees
 * after signing in is the API's answer and the history's truth (totals, the Chart.js charts' data,
 * the sortable, paged table, the downloaded CSV), and someone else's numbers, a bad token and an
 * empty range each get a clear message. Watching (contract §5) is checked the same way over the
 * history, and to the word over a small known watching of its own ({@link #sendDorasWatching}).
 */
class DashboardBrowserTest {
    /** The last day of the history is today: the page's presets count back from the browser's today (UTC). */
    static final LocalDate LAST = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate FIRST = LAST.minusDays(7); // eight days: more than the 7-day preset, quick to send
    static final Map<Long, String> TITLES = Map.of(101L, "Harbour at dawn", 102L, "Pixel fox",
            103L, "<i>Night</i> tram, \"late\"", 104L, "Lighthouse", 105L, "Moss garden");
    /** Posts of ana's nobody saw: her table then has two pages of ten, and they are in her CSV with zeros. */
    static final List<Long> QUIET_POSTS = List.of(106L, 107L, 108L, 109L, 110L, 111L, 112L);
    /** dora's posts, outside the history: watched for known times on the last day only. */
    static final long REEL = 401;
    static final long LOOP = 402;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static TestDatabase db;
    static RunningServer vts;
    static History history;
    static Path work;
    static Path downloads;
    static ChromeDriver browser;

    @BeforeAll
    static void start() throws Exception {
        db = TestDatabase.create();
        work = Files.createTempDirectory("vts-dashboard");
        downloads = Files.createDirectories(work.resolve("downloads"));
        TestClock clock = new TestClock(History.noon(FIRST));
        vts = RunningServer.start(db, History.serverSettings(GeoFixture.writeTo(work)), clock);
        History.POSTS.forEach((artist, posts) -> posts.forEach(p -> putPost(p, artist, TITLES.get(p))));
        QUIET_POSTS.forEach(p -> putPost(p, "ana", "Study " + (p - 105)));
        history = History.sendThrough(vts, clock, FIRST, LAST);
        sendDorasWatching(clock);
        clock.set(History.noon(LAST).plusSeconds(3600));

        ChromeOptions options = HeadlessChromium.options(work.resolve("profile"), "1280,1000");
        options.addArguments("--lang=en-US");
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
        browser = HeadlessChromium.start(options);
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (vts != null) {
            vts.close();
        }
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    /**
     * Each test starts signed out, on a fresh page. On a busy machine the previous test's page may
     * still be signing in while the storage is cleared, so it is cleared and reloaded until it stays so.
     */
    @BeforeEach
    void signedOut() throws InterruptedException {
        browser.get(base() + "/dashboard");
        Eventually.until(Duration.ofSeconds(20), () -> {
            browser.executeScript("sessionStorage.clear()");
            browser.navigate().refresh();
            return "signed-out".equals(state());
        }, () -> "the dashboard still signed in after its storage was cleared: " + state());
        browser.manage().logs().get(LogType.BROWSER); // the console from here on
    }

    @Test
    void pageScriptsAndChartJsAreServedWithTheirTypesAndCacheHeaders() throws Exception {
        HttpResponse<String> page = Admin.get(vts.httpPort(), "/dashboard");
        assertEquals(200, page.statusCode());
        assertEquals("text/html;charset=utf-8", header(page, "Content-Type").replace(" ", "")); // Jetty drops the space
        assertEquals("no-cache", header(page, "Cache-Control"));
        assertTrue(header(page, "Content-Security-Policy").startsWith("default-src 'self';"));

        HttpResponse<String> chartJs = Admin.get(vts.httpPort(), "/assets/chart.umd.js");
        assertEquals(200, chartJs.statusCode());
        assertEquals("text/javascript; charset=utf-8", header(chartJs, "Content-Type"));
        assertEquals("public, max-age=86400", header(chartJs, "Cache-Control"));
        assertEquals(webjarChartJs(), chartJs.body(), "Chart.js exactly as its WebJar ships it");

        for (String name : List.of("main.js", "session.js", "api.js", "charts.js", "posts-table.js", "format.js")) {
            HttpResponse<String> script = Admin.get(vts.httpPort(), "/assets/dashboard/" + name);
            assertEquals(200, script.statusCode(), name);
            assertEquals("text/javascript; charset=utf-8", header(script, "Content-Type"), name);
            assertEquals("public, max-age=300", header(script, "Cache-Control"), name);
        }
        HttpResponse<String> css = Admin.get(vts.httpPort(), "/assets/dashboard/dashboard.css");
        assertEquals("text/css; charset=utf-8", header(css, "Content-Type"));
        assertEquals("nosniff", header(css, "X-Content-Type-Options"));
        assertEquals(404, Admin.get(vts.httpPort(), "/assets/dashboard/missing.js").statusCode());
    }

    @Test
    void anArtistSeesTotalsAndChartsEqualToTheApiAndTheTruth() throws Exception {
        signIn(token("ana"));
        assertEquals("ana", browser.findElement(By.id("artist")).getDomProperty("value"), "the artist id is the token's sub");
        assertEquals("true", browser.findElement(By.cssSelector("[data-days='30']")).getDomAttribute("aria-pressed"));

        clickAndAwaitRender(By.cssSelector("[data-days='7']"));
        assertEquals(LAST.minusDays(6).toString(), browser.findElement(By.id("from")).getDomProperty("value"));
        assertEquals(LAST.toString(), browser.findElement(By.id("to")).getDomProperty("value"));
        assertShowsTheNumbers("ana", LAST.minusDays(6), LAST);

        chooseRange(FIRST, LAST);
        assertEquals("false", browser.findElement(By.cssSelector("[data-days='7']")).getDomAttribute("aria-pressed"));
        assertShowsTheNumbers("ana", FIRST, LAST);

        List<String> elsewhere = strings(browser.executeScript(
                "return performance.getEntriesByType('resource').map(e => e.name)"
                        + ".filter(url => !url.startsWith(location.origin + '/'))"));
        assertEquals(List.of(), elsewhere, "the page loads nothing from elsewhere");
        List<String> errors = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue())
                .map(LogEntry::getMessage).toList();
        assertEquals(List.of(), errors, "no errors or policy violations in the console");

        screenshot("dashboard.png", 1280);
        screenshot("dashboard-narrow.png", 420);
    }

    @Test
    void thePostsTableSortsOnHeaderClicksAndPages() throws Exception {
        signIn(token("ana"));
        chooseRange(FIRST, LAST);
        long before = renders();
        new Select(browser.findElement(By.id("per-page"))).selectByVisibleText("10");
        awaitRenders(before + 1);

        String q = "?from=" + FIRST + "&to=" + LAST + "&per_page=10";
        assertEquals(apiPostIds(q + "&sort=-views"), tablePostIds(), "most viewed first");
        assertEquals("descending", sortOf("views"));
        assertEquals("Page 1 of 2 · 12 posts", browser.findElement(By.id("page-info")).getText());
        WebElement night = browser.findElement(By.cssSelector("#posts-rows tr[data-post-id='103'] td:nth-child(2)"));
        assertEquals(TITLES.get(103L), night.getText(), "a title is text, never markup");

        clickAndAwaitRender(By.cssSelector("th[data-sort='impressions'] button"));
        assertEquals(apiPostIds(q + "&sort=-impressions"), tablePostIds());
        assertEquals("descending", sortOf("impressions"));
        assertEquals(null, sortOf("views"));
        List<Long> impressions = tableColumn(4);
        assertEquals(impressions.stream().sorted(Comparator.reverseOrder()).toList(), impressions);

        clickAndAwaitRender(By.cssSelector("th[data-sort='impressions'] button"));
        assertEquals(apiPostIds(q + "&sort=impressions"), tablePostIds(), "a second click: fewest first");
        assertEquals("ascending", sortOf("impressions"));

        clickAndAwaitRender(By.cssSelector("th[data-sort='post_id'] button"));
        assertEquals(List.of(101L, 102L, 103L, 104L, 105L, 106L, 107L, 108L, 109L, 110L), tablePostIds());
        clickAndAwaitRender(By.id("next-page"));
        assertEquals(List.of(111L, 112L), tablePostIds());
        assertEquals("Page 2 of 2 · 12 posts", browser.findElement(By.id("page-info")).getText());
        assertEquals(false, browser.findElement(By.id("next-page")).isEnabled());

        Map<Long, long[]> truth = history.truth().perPost(e -> e.artist().equals("ana"), FIRST, LAST);
        Map<Long, long[]> watching = history.truth().perPostWatchTime(e -> e.artist().equals("ana"), FIRST, LAST);
        Map<Long, Map<?, ?>> api = apiRows("ana", q + "&sort=post_id");
        clickAndAwaitRender(By.id("previous-page"));
        for (WebElement row : browser.findElements(By.cssSelector("#posts-rows tr"))) {
            long post = Long.parseLong(row.getDomAttribute("data-post-id"));
            long[] want = truth.getOrDefault(post, new long[3]);
            List<WebElement> cells = row.findElements(By.tagName("td"));
            assertEquals(want[0], number(cells.get(2).getText()), "views of " + post);
            assertEquals(want[1], number(cells.get(3).getText()), "impressions of " + post);
            long[] watched = watching.getOrDefault(post, new long[2]);
            assertEquals(watched[0] / 1000.0, exactSeconds(cells.get(5).findElement(By.tagName("time"))), 0.0005,
                    "watch time of " + post);
            assertTrue(cells.get(5).getText().matches(IN_WORDS), cells.get(5).getText());
            assertEquals(completionCells(api.get(post)), List.of(cells.get(6).getText(), cells.get(7).getText()),
                    "completions of " + post);
        }
    }

    @Test
    void theCsvDownloadSavesEveryPostsRow() throws Exception {
        signIn(token("ana"));
        chooseRange(FIRST, LAST);
        Path file = downloads.resolve("ana-" + FIRST + "-" + LAST + ".csv");
        Files.deleteIfExists(file);
        browser.findElement(By.id("download-csv")).click();
        await("the downloaded CSV", () -> Files.exists(file));

        String csv = Files.readString(file);
        assertEquals(apiGet(token("ana"), "/v1/artists/ana/stats.csv?from=" + FIRST + "&to=" + LAST + "&sort=-views").body(), csv,
                "the file is the API's CSV");
        List<Map<String, String>> rows = csvRows(csv);
        assertEquals(12, rows.size(), "every post, not just one page");
        Map<Long, long[]> truth = history.truth().perPost(e -> e.artist().equals("ana"), FIRST, LAST);
        List<String> wrong = new ArrayList<>();
        for (Map<String, String> row : rows) {
            long post = Long.parseLong(row.get("post_id"));
            long[] want = truth.getOrDefault(post, new long[3]);
            StatsTruthTest.exact(wrong, "views of " + post, want[0], Long.parseLong(row.get("views")));
            StatsTruthTest.exact(wrong, "impressions of " + post, want[1], Long.parseLong(row.get("impressions")));
            StatsTruthTest.approx(wrong, "unique viewers of " + post, want[2], Long.parseLong(row.get("unique_viewers")));
            assertEquals(TITLES.getOrDefault(post, "Study " + (post - 105)), row.get("title"));
        }
        assertEquals(List.of(), wrong);
        List<Long> views = rows.stream().map(r -> Long.parseLong(r.get("views"))).toList();
        assertEquals(views.stream().sorted(Comparator.reverseOrder()).toList(), views, "in the table's order");
    }

    @Test
    void anotherArtistsNumbersABadTokenAndAnEmptyRangeGetClearMessages() throws Exception {
        signIn(token("ana"));
        WebElement artist = browser.findElement(By.id("artist"));
        artist.clear();
        artist.sendKeys("ben");
        browser.findElement(By.cssSelector("#controls button[type='submit']")).click();
        await("the 403 message", () -> state().equals("forbidden"));
        assertTrue(notice().contains("“ben” is another artist"), notice());
        assertEquals(false, browser.findElement(By.id("report")).isDisplayed(), "none of ana's numbers stay beside ben's name");
        screenshot("dashboard-forbidden.png", 1280);

        artist.clear();
        artist.sendKeys("ana");
        chooseRange(FIRST.minusDays(20), FIRST.minusDays(11));
        await("the empty-range message", () -> state().equals("empty"));
        assertEquals("No views or impressions for ana from " + FIRST.minusDays(20) + " to " + FIRST.minusDays(11)
                + ". Try a longer range.", notice());

        browser.findElement(By.id("sign-out")).click();
        browser.findElement(By.id("token")).sendKeys(WebClient.token("not-the-server-secret-but-long-enough-for-hs256", "ana", null));
        browser.findElement(By.cssSelector("#sign-in-form button")).click();
        await("the 401 message", () -> state().equals("unauthorized"));
        assertTrue(notice().startsWith("Your token was not accepted"), notice());
        assertEquals(true, browser.findElement(By.id("token")).isDisplayed(), "back to signing in");
        assertEquals(null, browser.executeScript("return sessionStorage.getItem('vts:dashboard:token')"), "the bad token is forgotten");
    }

    @Test
    void theAdminTokenReadsAnyArtistOnceTheIdIsGiven() throws Exception {
        browser.findElement(By.id("token")).sendKeys(vts.server.adminToken());
        browser.findElement(By.cssSelector("#sign-in-form button")).click();
        await("the ask for an artist id", () -> notice().startsWith("Enter the id of the artist"));
        browser.findElement(By.id("artist")).sendKeys("ben");
        chooseRange(FIRST, LAST);
        assertShowsTheNumbers("ben", FIRST, LAST);

        browser.navigate().refresh(); // the tab keeps the token and the artist
        awaitRenders(1);
        assertEquals("ben", browser.findElement(By.id("artist")).getDomProperty("value"));
    }

    @Test
    void watchTimeScreenTimeAndTheDailyWatchChartShowKnownFiguresInWords() throws Exception {
        signIn(token("dora"));
        chooseRange(LAST.minusDays(1), LAST);

        assertEquals("3 h 24 min", text("total-watch-time"),
                "3 h 10 min + 55 s in browsers, 65 s on a player, 12 min 10 s of watch reports");
        assertEquals("1 min 5 s", text("total-screen-time"));
        assertEquals("1 h 4 min", text("average-watch-time"), "11,520 s over three watched appearances (reports are none)");

        Map<String, Object> chart = chart("watch-chart");
        assertEquals(List.of(LAST.minusDays(1).toString(), LAST.toString()), chart.get("labels"));
        assertEquals(Map.of("Watch time", List.of(0.0, 12_250.0)), seconds(chart), "seconds per day, as the API gives them");
        assertEquals(List.of(List.of(LAST.minusDays(1).toString(), "0 s", "—"), List.of(LAST.toString(), "3 h 24 min", "1 h 4 min")),
                browser.executeScript("return [...document.querySelectorAll('#watch-numbers tbody tr')]"
                        + ".map(tr => [...tr.cells].map(td => td.textContent))"), "the chart's numbers");

        Map<Long, List<String>> rows = postRows();
        assertEquals(List.of("4 min 10 s", "3 h 20 min"), List.of(rows.get(REEL).get(5), rows.get(LOOP).get(5)),
                "the reel: 55 s in a browser, 65 s on a player, 130 s of reports; the loop: 3 h 10 min and 10 min of reports");
        Map<Long, Map<?, ?>> api = apiRows("dora", "?from=" + LAST.minusDays(1) + "&to=" + LAST);
        for (long post : List.of(REEL, LOOP)) {
            assertEquals(completionCells(api.get(post)), rows.get(post).subList(6, 8), "completions of " + post);
        }
    }

    /** Completions and completion rates of real watch reports: signed-in viewers reaching 80 % of a post with a duration. */
    @Test
    void thePostsTableShowsTheCompletionsAndCompletionRatesOfWatchReports() throws Exception {
        String range = "?from=" + LAST.minusDays(1) + "&to=" + LAST;
        Map<Long, Map<?, ?>> api = apiRows("dora", range);
        assertEquals(Map.of("completions", 3, "completion_rate", 0.75), completions(api.get(REEL)), "three of the reel's four starts");
        assertEquals(Map.of("completions", 0, "completion_rate", 0.0), completions(api.get(LOOP)), "the loop's one start");
        assertEquals(Map.of("completions", 3, "completion_rate", 0.6),
                completions(StatsTruthTest.get(vts.httpPort(), token("dora"), "/v1/artists/dora/stats" + range)), "dora's posts");

        signIn(token("dora"));
        chooseRange(LAST.minusDays(1), LAST);
        Map<Long, List<String>> rows = postRows();
        assertEquals(List.of("3", "75%"), rows.get(REEL).subList(6, 8));
        assertEquals(List.of("0", "0%"), rows.get(LOOP).subList(6, 8), "none completed is 0%, not \"—\"");
    }

    static Map<String, Object> completions(Map<?, ?> stats) {
        Map<String, Object> out = new TreeMap<>();
        out.put("completions", stats.get("completions"));
        out.put("completion_rate", stats.get("completion_rate"));
        return out;
    }

    // ---- what the page shows, against the API and the truth ----

    /** Totals and every chart equal the API's answer, and the API's answer equals the truth. */
    static void assertShowsTheNumbers(String artist, LocalDate from, LocalDate to) throws Exception {
        String token = vts.server.adminToken();
        Map<String, Object> api = StatsTruthTest.get(vts.httpPort(), token, "/v1/artists/" + artist + "/stats?from=" + from + "&to=" + to);
        List<String> wrong = new ArrayList<>();
        StatsTruthTest.compare(wrong, artist + " " + from + ".." + to,
                history.truth().expected(e -> e.artist().equals(artist), from, to), api);
        assertEquals(List.of(), wrong, "the API against the truth");
        assertTrue(((Number) api.get("views")).longValue() > 0, "a range with views");

        assertEquals(number(api.get("views")), number(text("total-views")));
        assertEquals(number(api.get("impressions")), number(text("total-impressions")));
        assertEquals(number(api.get("unique_viewers")), number(text("total-unique")));

        List<?> daily = (List<?>) api.get("daily");
        Map<String, Object> chart = chart("daily-chart");
        assertEquals(daily.stream().map(d -> ((Map<?, ?>) d).get("date")).toList(), chart.get("labels"));
        Map<String, List<Long>> series = series(chart);
        assertEquals(List.of("Views", "Impressions", "Unique viewers"), List.copyOf(series.keySet()));
        assertEquals(column(daily, "views"), series.get("Views"));
        assertEquals(column(daily, "impressions"), series.get("Impressions"));
        assertEquals(column(daily, "unique_viewers"), series.get("Unique viewers"));

        assertEquals(((Number) api.get("watch_time_s")).doubleValue(), exactSeconds(By.id("total-watch-time")), 0.0005);
        Object screenTime = ((Map<?, ?>) api.get("watch_time_by_source")).get("player");
        assertEquals(screenTime == null ? 0 : ((Number) screenTime).doubleValue(), exactSeconds(By.id("total-screen-time")), 0.0005);
        if (api.get("avg_watch_time_s") instanceof Number average) {
            assertEquals(average.doubleValue(), exactSeconds(By.id("average-watch-time")), 0.0005);
        } else {
            assertEquals("—", text("average-watch-time"), "nothing watched, no average");
        }
        for (String card : List.of("total-watch-time", "total-screen-time", "average-watch-time")) {
            assertTrue(text(card).matches(IN_WORDS), card + " in words: " + text(card));
        }
        Map<String, Object> watchChart = chart("watch-chart");
        assertEquals(chart.get("labels"), watchChart.get("labels"));
        assertEquals(Map.of("Watch time", daily.stream().map(d -> ((Number) ((Map<?, ?>) d).get("watch_time_s")).doubleValue()).toList()),
                seconds(watchChart));

        assertEquals(StatsTruthTest.normalise(api.get("views_by_country")), byKey(chart("country-chart"), 0,
                label -> label.equals("Unknown") ? "unknown" : code(label)));
        assertEquals(StatsTruthTest.normalise(api.get("views_by_device")), byKey(chart("device-chart"), 0, DashboardBrowserTest::key));
        Map<String, Object> channels = chart("channel-chart");
        assertEquals(List.of("Impressions", "Views"), List.copyOf(series(channels).keySet()));
        assertEquals(StatsTruthTest.normalise(api.get("impressions_by_channel")), byKey(channels, 0, DashboardBrowserTest::key));
        assertEquals(StatsTruthTest.normalise(api.get("views_by_channel")), byKey(channels, 1, DashboardBrowserTest::key));
        assertTrue(browser.findElement(By.id("daily-chart")).getSize().getHeight() > 200, "the daily chart has room");
    }

    /** A Chart.js chart's labels and datasets, as Chart.js holds them for the canvas. */
    static Map<String, Object> chart(String canvas) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) browser.executeScript("""
                const chart = Chart.getChart(document.getElementById(arguments[0]));
                return chart && {labels: chart.data.labels,
                                 datasets: chart.data.datasets.map(d => ({label: d.label, data: d.data}))};""", canvas);
        assertTrue(data != null, "a chart is drawn on #" + canvas);
        return data;
    }

    static Map<String, List<Long>> series(Map<String, Object> chart) {
        Map<String, List<Long>> out = new LinkedHashMap<>();
        for (Object d : (List<?>) chart.get("datasets")) {
            Map<?, ?> dataset = (Map<?, ?>) d;
            out.put((String) dataset.get("label"), ((List<?>) dataset.get("data")).stream().map(DashboardBrowserTest::number).toList());
        }
        return out;
    }

    /** One dataset of a chart as {key: value}, the label turned back into the API's key. */
    static Map<Object, Object> byKey(Map<String, Object> chart, int dataset, java.util.function.Function<String, String> keyOf) {
        List<String> labels = strings(chart.get("labels"));
        List<Long> values = List.copyOf(series(chart).values()).get(dataset);
        Map<Object, Object> out = new TreeMap<>();
        for (int i = 0; i < labels.size(); i++) {
            if (values.get(i) > 0) { // the channel chart shows every channel in both datasets
                out.put(keyOf.apply(labels.get(i)), values.get(i));
            }
        }
        return out;
    }

    /** "Germany (DE)" → "DE". */
    static String code(String label) {
        Matcher m = Pattern.compile("\\(([A-Z]{2})\\)$").matcher(label);
        assertTrue(m.find(), "a country label names its code: " + label);
        return m.group(1);
    }

    /** "No channel" → "none", "By user" → "by_user", "Desktop" → "desktop". */
    static String key(String label) {
        return label.equals("No channel") ? "none" : label.toLowerCase().replace(' ', '_');
    }

    static List<Long> column(List<?> rows, String field) {
        return rows.stream().map(r -> number(((Map<?, ?>) r).get(field))).toList();
    }

    /** A duration as the page writes it: "3 h 12 min", "1,204 h", "4 min 5 s", "12 s", or "—" for none. */
    static final String IN_WORDS = "[\\d,]+ h( \\d+ min)?|\\d+ min( \\d+ s)?|\\d+ s|—";

    /** A chart's datasets as seconds (Chart.js holds the API's figures). */
    static Map<String, List<Double>> seconds(Map<String, Object> chart) {
        Map<String, List<Double>> out = new LinkedHashMap<>();
        for (Object d : (List<?>) chart.get("datasets")) {
            Map<?, ?> dataset = (Map<?, ?>) d;
            out.put((String) dataset.get("label"), ((List<?>) dataset.get("data")).stream()
                    .map(v -> ((Number) v).doubleValue()).toList());
        }
        return out;
    }

    /** The exact seconds a {@code <time>} carries in its datetime (an HTML duration, "PT12.345S"). */
    static double exactSeconds(By time) {
        return exactSeconds(browser.findElement(time));
    }

    static double exactSeconds(WebElement time) {
        String datetime = time.getDomAttribute("datetime");
        assertTrue(datetime != null, "a datetime on " + time.getDomAttribute("id"));
        Matcher m = Pattern.compile("PT(\\d+(\\.\\d{1,3})?)S").matcher(datetime);
        assertTrue(m.matches(), "an HTML duration: " + datetime);
        return Double.parseDouble(m.group(1));
    }

    /** What the Completions and Completion rate cells must say for an API row: "—" for what it leaves out or has none of. */
    static List<String> completionCells(Map<?, ?> row) {
        Object completions = row.get("completions");
        Object rate = row.get("completion_rate");
        return List.of(completions == null ? "—" : String.format(java.util.Locale.ROOT, "%,d", number(completions)),
                rate == null ? "—" : Math.round(((Number) rate).doubleValue() * 100) + "%");
    }

    /** The table's rows, by post: each cell's text. */
    static Map<Long, List<String>> postRows() {
        Map<Long, List<String>> rows = new TreeMap<>();
        for (WebElement row : browser.findElements(By.cssSelector("#posts-rows tr"))) {
            rows.put(Long.parseLong(row.getDomAttribute("data-post-id")),
                    row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList());
        }
        return rows;
    }

    /** The API's per-post rows of an artist, by post. */
    static Map<Long, Map<?, ?>> apiRows(String artist, String query) throws Exception {
        Map<String, Object> answer = StatsTruthTest.get(vts.httpPort(), vts.server.adminToken(), "/v1/artists/" + artist + "/stats" + query);
        Map<Long, Map<?, ?>> rows = new TreeMap<>();
        for (Object row : (List<?>) answer.get("posts")) {
            rows.put(number(((Map<?, ?>) row).get("post_id")), (Map<?, ?>) row);
        }
        return rows;
    }

    // ---- driving the page ----

    static void signIn(String token) throws Exception {
        browser.findElement(By.id("token")).sendKeys(token);
        browser.findElement(By.cssSelector("#sign-in-form button")).click();
        awaitRenders(1);
    }

    /** Sets the dates (as a date picker leaves them) and presses Show. */
    static void chooseRange(LocalDate from, LocalDate to) throws Exception {
        browser.executeScript("""
                for (const [id, value] of [['from', arguments[0]], ['to', arguments[1]]]) {
                  const input = document.getElementById(id);
                  input.value = value;
                  input.dispatchEvent(new Event('change'));
                }""", from.toString(), to.toString());
        long before = renders();
        String stateBefore = state();
        browser.findElement(By.cssSelector("#controls button[type='submit']")).click();
        await("the range shown", () -> renders() > before || (!state().equals("loading") && !state().equals(stateBefore)));
    }

    static void clickAndAwaitRender(By what) throws Exception {
        long before = renders();
        browser.findElement(what).click();
        awaitRenders(before + 1);
    }

    static void awaitRenders(long count) throws Exception {
        await("render " + count + " (state " + state() + ", notice " + notice() + ")",
                () -> renders() >= count && state().equals("ready"));
    }

    static long renders() {
        return Long.parseLong(browser.findElement(By.tagName("body")).getDomAttribute("data-renders"));
    }

    static String state() {
        return browser.findElement(By.tagName("body")).getDomAttribute("data-state");
    }

    static String notice() {
        return browser.findElement(By.id("notice")).getText();
    }

    static String text(String id) {
        return browser.findElement(By.id(id)).getText();
    }

    static String sortOf(String column) {
        return browser.findElement(By.cssSelector("th[data-sort='" + column + "']")).getDomAttribute("aria-sort");
    }

    static List<Long> tablePostIds() {
        return browser.findElements(By.cssSelector("#posts-rows tr")).stream()
                .map(r -> Long.parseLong(r.getDomAttribute("data-post-id"))).toList();
    }

    static List<Long> tableColumn(int n) {
        return browser.findElements(By.cssSelector("#posts-rows tr td:nth-child(" + n + ")")).stream()
                .map(td -> number(td.getText())).toList();
    }

    static List<Long> apiPostIds(String query) throws Exception {
        Map<String, Object> answer = StatsTruthTest.get(vts.httpPort(), token("ana"), "/v1/artists/ana/stats" + query);
        return ((List<?>) answer.get("posts")).stream().map(p -> number(((Map<?, ?>) p).get("post_id"))).toList();
    }

    /** The full page at this width, for a person to look at. */
    static void screenshot(String name, int width) throws Exception {
        browser.manage().window().setSize(new Dimension(width, 1000));
        long height = (Long) browser.executeScript("return document.documentElement.scrollHeight");
        browser.manage().window().setSize(new Dimension(width, (int) height + 140)); // + the window's own frame
        Path dir = Files.createDirectories(Path.of("target", "screenshots"));
        Files.copy(browser.getScreenshotAs(OutputType.FILE).toPath(), dir.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        browser.manage().window().setSize(new Dimension(1280, 1000));
    }

    // ---- small helpers ----

    /**
     * dora's known watching on the last day: 55 s of the reel (a minute long) and 3 h 10 min of the loop
     * (four hours long) in two signed-in browsers, a player showing the reel for three events 30 s apart
     * (65 s of screen time), and signed-in viewers' watch reports: four start the reel and three of them
     * reach 80 % of it (one at 50 s of 60, one at 58 s, one by a position past its end), one starts the
     * loop and stops at 10 min, and dora watches her own reel (which counts nowhere). The reports add
     * 30 + 22 (25 claimed 20 s after the previous: the wall clock allows 22) + 58 + 20 = 130 s to the reel
     * and 600 s to the loop, and are no watched appearances: 3 h 24 min 10 s (12,250 s) in all, over three
     * watched appearances of 3,840 s on average.
     */
    static void sendDorasWatching(TestClock clock) throws Exception {
        putPost(REEL, History.postJson("dora", "Reel", 60));
        putPost(LOOP, History.postJson("dora", "Loop", 4 * 3600));
        WebClient web = new WebClient(vts.httpPort());
        assertEquals(201, web.post("/v1/posts/" + REEL + "/views", "{\"watched_ms\": 55000}",
                "Authorization", "Bearer " + token("dora-fan-1")).statusCode());
        assertEquals(201, web.post("/v1/posts/" + LOOP + "/views", "{\"watched_ms\": 11400000}",
                "Authorization", "Bearer " + token("dora-fan-2")).statusCode());
        String player = UUID.randomUUID().toString();
        vts.admin.player(player, "dora-fan-3", "secret-dora");
        Instant shown = History.noon(LAST).plusSeconds(1800);
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), player, "secret-dora", null).subscribeAcks()) {
            for (int i = 0; i < 3; i++) {
                Instant at = shown.plusSeconds(30L * i);
                clock.set(at);
                p.publishView(("{\"post_id\": " + REEL + ", \"timestamp\": \"" + at + "\", \"timezone\": \"\","
                        + " \"intent\": \"artwork\", \"player_key\": \"" + player + "\", \"request_ack\": true}")
                        .getBytes(StandardCharsets.UTF_8));
                assertEquals(Ack.ok(), p.nextAck(10));
            }
        }
        Instant reports = History.noon(LAST).plusSeconds(2000);
        clock.set(reports);
        watch(web, "dora-fan-4", REEL, "{\"position_s\": 30, \"played_s\": 30, \"session_id\": \"a\"}", false);
        watch(web, "dora-fan-5", REEL, "{\"position_s\": 58, \"duration_s\": 600, \"played_s\": 58}", true);
        watch(web, "dora-fan-6", REEL, "{\"position_s\": 75}", true);
        watch(web, "dora-fan-7", REEL, "{\"position_s\": 20, \"played_s\": 20}", false);
        watch(web, "dora", REEL, "{\"position_s\": 60, \"played_s\": 60}", true);
        watch(web, "dora-fan-4", LOOP, "{\"position_s\": 600, \"played_s\": 600}", false);
        clock.set(reports.plusSeconds(20));
        Map<String, Object> second = watch(web, "dora-fan-4", REEL, "{\"position_s\": 50, \"played_s\": 25, \"session_id\": \"a\"}", true);
        assertEquals(22.0, ((Number) second.get("played_s")).doubleValue(), "20 s after the session's previous report: 22 s at most");
    }

    /** A signed-in viewer's watch report on the single route: 200, and whether the post is completed for them. */
    static Map<String, Object> watch(WebClient web, String viewer, long post, String body, boolean completed) throws Exception {
        HttpResponse<String> r = web.post("/v1/posts/" + post + "/watch", body, "Authorization", "Bearer " + token(viewer));
        assertEquals(200, r.statusCode(), r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> answer = StatsTruthTest.JSON.readValue(r.body(), Map.class);
        assertEquals(completed, answer.get("completed"), viewer + " " + body + ": " + r.body());
        return answer;
    }

    /** A post of the history, with a title when one is given (ben's and cleo's stay untitled) and its duration if it has one. */
    static void putPost(long post, String artist, String title) {
        putPost(post, History.postJson(post, artist, title));
    }

    static void putPost(long post, String json) {
        int status = vts.admin.send("PUT", "/v1/admin/posts/" + post, json).statusCode();
        assertTrue(status == 200 || status == 201, "PUT post " + post + ": " + status);
    }

    static String token(String artist) {
        return WebClient.token(History.JWT_SECRET, artist, null);
    }

    static String base() {
        return "http://127.0.0.1:" + vts.httpPort();
    }

    static HttpResponse<String> apiGet(String token, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base() + path))
                .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        return r;
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    static String webjarChartJs() throws IOException {
        String version;
        try (InputStream in = DashboardBrowserTest.class.getClassLoader()
                .getResourceAsStream("META-INF/maven/org.webjars.npm/chart.js/pom.properties")) {
            java.util.Properties p = new java.util.Properties();
            p.load(in);
            version = p.getProperty("version");
        }
        try (InputStream in = DashboardBrowserTest.class.getClassLoader()
                .getResourceAsStream("META-INF/resources/webjars/chart.js/" + version + "/dist/chart.umd.js")) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * The rows of a CSV file without line breaks inside fields, by its header. (Commons CSV's parser
     * needs a newer commons-io than the one the server's dependencies settle on.)
     */
    static List<Map<String, String>> csvRows(String csv) {
        List<List<String>> lines = csv.lines().map(DashboardBrowserTest::csvFields).toList();
        List<Map<String, String>> rows = new ArrayList<>();
        for (List<String> line : lines.subList(1, lines.size())) {
            Map<String, String> row = new LinkedHashMap<>();
            for (int i = 0; i < line.size(); i++) {
                row.put(lines.get(0).get(i), line.get(i));
            }
            rows.add(row);
        }
        return rows;
    }

    static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                field.append('"');
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == ',' && !quoted) {
                fields.add(field.toString());
                field.setLength(0);
            } else {
                field.append(c);
            }
        }
        fields.add(field.toString());
        return fields;
    }

    static long number(Object value) {
        return value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().replace(",", ""));
    }

    static List<String> strings(Object list) {
        return ((List<?>) list).stream().map(Object::toString).toList();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Eventually.until(Duration.ofSeconds(20), condition, () -> what);
    }
}
