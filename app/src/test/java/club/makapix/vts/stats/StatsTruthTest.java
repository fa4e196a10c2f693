package club.makapix.vts.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.GeoFixture;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.ServerProcess;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestSettings;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The stats API against the ground truth of a known history sent through the real doors, for
 * several posts, artists and date ranges: before the rollup (all raw), after a rollup in the middle
 * of the history (daily rows up to the watermark, raw after; watch sessions and viewers' progress
 * go on across it), after the rest was sent, after rolling it up, after rerunning it, after a late
 * event, after the rollup process was killed mid-way and run again, and after retention dropped the
 * raw partitions. Exact figures (watch time, screen time, completions and completion rates among
 * them) must be exact; unique viewers over a range within 1 %.
 */
class StatsTruthTest {
    static final LocalDate TODAY = LocalDate.now(ZoneOffset.UTC);
    static final LocalDate FIRST = TODAY.minusDays(40);
    static final LocalDate LAST = FIRST.plusDays(32); // 33 days of history; the test clock's "today"
    static final LocalDate MIDDLE = FIRST.plusDays(16); // "today" of the rollup in the middle of the history
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newHttpClient();

    record Range(LocalDate from, LocalDate to) {}

    static final List<Range> RANGES = List.of(
            new Range(FIRST, LAST),                               // everything
            new Range(FIRST.minusDays(3), FIRST.plusDays(1)),      // starting before the data
            new Range(FIRST.plusDays(10), FIRST.plusDays(16)),     // a week
            new Range(FIRST.plusDays(20), FIRST.plusDays(20)),     // one day
            new Range(LAST.minusDays(2), LAST),                    // across the watermark
            new Range(LAST, LAST));                                // today: raw only

    @Test
    @Timeout(600)
    void numbersEqualTheTruthBeforeAndAfterRollupsCrashesAndRetention() throws Exception {
        TestDatabase db = TestDatabase.create();
        Path work = Files.createTempDirectory("vts-truth");
        Path geo = GeoFixture.writeTo(work);
        TestClock clock = new TestClock(History.noon(FIRST));
        Map<String, String> settings = History.serverSettings(geo);
        settings.put("VTS_STATS_CACHE_S", "0");
        settings.put("VTS_RAW_RETENTION_DAYS", "60");
        History history;
        try (RunningServer vts = RunningServer.start(db, settings, clock)) {
            History.putPosts(vts.admin);
            history = History.start(vts, clock);
            Truth truth = history.truth();
            String admin = vts.server.adminToken();

            // the first half, checked raw and rolled up; then the rest, whose watching goes on from it
            history.days(FIRST, MIDDLE);
            assertMatchesTruth(vts.httpPort(), admin, truth, "before any rollup");
            Map<String, Object> middle = rollup(vts.httpPort(), admin, MIDDLE.minusDays(1));
            assertEquals(MIDDLE.minusDays(1).toString(), middle.get("watermark"), middle.toString());
            assertEquals(16, middle.get("days_rolled"));
            assertMatchesTruth(vts.httpPort(), admin, truth, "after a rollup in the middle of the history");
            history.days(MIDDLE.plusDays(1), LAST);
            assertCovered(history.coverage());
            assertMatchesTruth(vts.httpPort(), admin, truth, "after the rest of the history, half rolled up");

            Map<String, Object> rolled = rollup(vts.httpPort(), admin, LAST.minusDays(1));
            assertEquals(LAST.minusDays(1).toString(), rolled.get("watermark"), rolled.toString());
            assertEquals(16, rolled.get("days_rolled"));
            assertMatchesTruth(vts.httpPort(), admin, truth, "after the rollup");

            Map<String, String> before = answers(vts.httpPort(), admin);
            Map<String, Object> again = rollup(vts.httpPort(), admin, LAST.minusDays(1));
            assertEquals(0, again.get("days_rolled"), again.toString());
            assertEquals(before, answers(vts.httpPort(), admin), "rerunning the rollup changes nothing");

            // a late event for a day already rolled up is not lost
            LocalDate lateDay = LAST.minusDays(3);
            history.day(History.noon(lateDay).plusSeconds(7 * 3600));
            clock.set(History.noon(LAST).plusSeconds(3600));
            Map<String, Object> late = rollup(vts.httpPort(), admin, LAST.minusDays(1));
            assertEquals(1, late.get("days_rolled_again"), late.toString());
            assertMatchesTruth(vts.httpPort(), admin, truth, "after late events were rolled up");
        }
        Truth truth = history.truth();

        // the rollup in a server process, killed mid-way: every day is all there or not at all
        truncateRollup(db);
        int http = Ports.free();
        String token = "truth-admin-" + UUID.randomUUID();
        Map<String, String> env = processSettings(db, work, http, token, "60");
        long fullMillis;
        try (ServerProcess p = ServerProcess.start(env, Path.of("target", "truth", "rollup-timing.log"))) {
            p.awaitReady(Duration.ofSeconds(90));
            long start = System.nanoTime();
            rollup(http, token, TODAY.minusDays(1));
            fullMillis = (System.nanoTime() - start) / 1_000_000;
            assertMatchesTruth(http, token, truth, "after a rollup by a server process");
        }
        truncateRollup(db);
        boolean killedMidway = false;
        for (double fraction : new double[] {0.5, 0.25, 0.75, 0.1}) {
            try (ServerProcess p = ServerProcess.start(env, Path.of("target", "truth", "killed-" + fraction + ".log"))) {
                p.awaitReady(Duration.ofSeconds(90));
                CompletableFuture<HttpResponse<String>> running = HTTP.sendAsync(rollupRequest(http, token, TODAY.minusDays(1)),
                        HttpResponse.BodyHandlers.ofString());
                Thread.sleep(Math.max(20, (long) (fullMillis * fraction)));
                p.kill();
                running.exceptionally(e -> null);
            }
            LocalDate watermark = assertEachDayWhollyRolledUpOrNot(db);
            if (watermark != null && watermark.isBefore(LAST) && !watermark.isBefore(FIRST)) {
                killedMidway = true;
                break;
            }
        }
        assertTrue(killedMidway, "no kill landed in the middle of the rollup (a full rollup took " + fullMillis + " ms)");
        try (ServerProcess p = ServerProcess.start(env, Path.of("target", "truth", "after-kill.log"))) {
            p.awaitReady(Duration.ofSeconds(90));
            rollup(http, token, TODAY.minusDays(1));
            assertMatchesTruth(http, token, truth, "after a killed rollup was run again");
        }

        // retention: raw partitions of rolled-up days go; the numbers stay
        try (ServerProcess p = ServerProcess.start(processSettings(db, work, http, token, "3"),
                Path.of("target", "truth", "retention.log"))) {
            p.awaitReady(Duration.ofSeconds(90));
            Map<String, Object> result = rollup(http, token, TODAY.minusDays(1));
            assertTrue(((Number) result.get("partitions_dropped")).intValue() >= 33, result.toString());
            assertEquals(0, db.count("select count(*) from view_events where received_at < ?::date",
                    TODAY.minusDays(3).toString()));
            assertMatchesTruth(http, token, truth, "after retention dropped the raw events");
            long lifetime = truth.expected(e -> e.postId() == 101, FIRST, LAST).get("views") instanceof Long v ? v : -1;
            Map<String, Object> counter = get(http, null, "/v1/posts/101/counter");
            assertEquals(lifetime, ((Number) counter.get("views")).longValue(), "the public counter");
        }
    }

    /** The history exercised every rule of the watch reports, more than once. */
    static void assertCovered(Map<String, Integer> coverage) {
        List<String> rules = List.of("report on the single route", "report in a batch", "resent", "robot's report",
                "signed-in viewer's report", "anonymous viewer's report", "artist's own report", "position past the length",
                "played past the length", "played past 24 h", "played past the wall clock", "played at the wall-clock limit",
                "the post's duration over the report's", "report without a length", "start", "completion",
                "completion on a later day than the start", "report without a session_id");
        for (String rule : rules) {
            assertTrue(coverage.getOrDefault(rule, 0) >= 2, "the history's watch reports: " + rule + " in " + coverage);
        }
    }

    static Map<String, String> processSettings(TestDatabase db, Path work, int http, String token, String retentionDays)
            throws Exception {
        Map<String, String> env = TestSettings.base(db, work.resolve("data"), http, Ports.free());
        env.put("VTS_ADMIN_TOKEN", token);
        env.put("VTS_STATS_CACHE_S", "0");
        env.put("VTS_RAW_RETENTION_DAYS", retentionDays);
        return env;
    }

    static void truncateRollup(TestDatabase db) throws Exception {
        try (var c = db.connect(); var s = c.createStatement()) {
            s.execute("truncate daily_post_stats, daily_artist_stats, rollup_days, rollup_state");
        }
    }

    /** After a crash: rows exist for exactly the days up to the watermark, each day complete. */
    static LocalDate assertEachDayWhollyRolledUpOrNot(TestDatabase db) {
        var w = db.rows("select watermark from rollup_state");
        LocalDate watermark = w.isEmpty() ? null : ((java.sql.Date) w.get(0).get("watermark")).toLocalDate();
        for (LocalDate d = FIRST; !d.isAfter(LAST); d = d.plusDays(1)) {
            boolean rolled = watermark != null && !d.isAfter(watermark);
            long rows = db.count("select count(*) from daily_post_stats where day = ?::date", d.toString());
            long days = db.count("select count(*) from rollup_days where day = ?::date", d.toString());
            long expectedPosts = db.count("""
                    select count(*) from (
                        select post_id from view_events where received_at >= ?::date and received_at < ?::date + 1
                        union
                        select post_id from daily_watch where day = ?::date) watched""", d.toString(), d.toString(), d.toString());
            assertEquals(rolled ? expectedPosts : 0, rows, "daily rows of " + d + " with watermark " + watermark);
            assertEquals(rolled ? 1 : 0, days, "rollup_days of " + d + " with watermark " + watermark);
        }
        return watermark;
    }

    /** Every range, every artist (with its page of posts) and a few posts, against the truth. */
    static void assertMatchesTruth(int http, String token, Truth truth, String when) throws Exception {
        List<String> wrong = new ArrayList<>();
        for (Range r : RANGES) {
            String q = "?from=" + r.from + "&to=" + r.to;
            for (String artist : History.POSTS.keySet()) {
                Map<String, Object> got = get(http, token, "/v1/artists/" + artist + "/stats" + q + "&per_page=50");
                compare(wrong, "artist " + artist + " " + r, truth.expected(e -> e.artist().equals(artist), r.from, r.to), got);
                Map<Long, long[]> rows = truth.perPost(e -> e.artist().equals(artist), r.from, r.to);
                Map<Long, long[]> watching = truth.perPostWatchTime(e -> e.artist().equals(artist), r.from, r.to);
                for (Object o : (List<?>) got.get("posts")) {
                    Map<?, ?> row = (Map<?, ?>) o;
                    long postId = ((Number) row.get("post_id")).longValue();
                    long[] want = rows.getOrDefault(postId, new long[3]);
                    String where = "artist " + artist + " " + r + " post " + row.get("post_id");
                    exact(wrong, where + " views", want[0], row.get("views"));
                    exact(wrong, where + " impressions", want[1], row.get("impressions"));
                    approx(wrong, where + " unique_viewers", want[2], row.get("unique_viewers"));
                    Map<String, Object> wantWatch = new LinkedHashMap<>();
                    Truth.putWatchTime(wantWatch, watching.getOrDefault(postId, new long[5]));
                    @SuppressWarnings("unchecked")
                    Map<String, Object> gotRow = (Map<String, Object>) row;
                    compare(wrong, where, wantWatch, gotRow);
                }
            }
            for (long post : List.of(101L, 203L, 303L)) {
                compare(wrong, "post " + post + " " + r, truth.expected(e -> e.postId() == post, r.from, r.to),
                        get(http, token, "/v1/posts/" + post + "/stats" + q));
            }
        }
        assertEquals(List.of(), wrong, when);
    }

    static void compare(List<String> wrong, String where, Map<String, Object> want, Map<String, Object> got) {
        for (Map.Entry<String, Object> field : want.entrySet()) {
            Object actual = got.get(field.getKey());
            if (field.getKey().equals("unique_viewers")) {
                approx(wrong, where + " unique_viewers", (Long) field.getValue(), actual);
            } else if (!java.util.Objects.equals(normalise(field.getValue()), normalise(actual))) {
                wrong.add(where + " " + field.getKey() + ": expected " + field.getValue() + " but got " + actual);
            }
        }
    }

    static void exact(List<String> wrong, String where, long want, Object got) {
        if (((Number) got).longValue() != want) {
            wrong.add(where + ": expected " + want + " but got " + got);
        }
    }

    /** Within 1 % (small sets are exact anyway). */
    static void approx(List<String> wrong, String where, long want, Object got) {
        long actual = ((Number) got).longValue();
        if (Math.abs(actual - want) > 0.01 * want) {
            wrong.add(where + ": expected " + want + " (within 1 %) but got " + actual);
        }
    }

    /** JSON numbers as longs when whole, so a count compares equal whatever its Java type; else as doubles (seconds). */
    static Object normalise(Object value) {
        if (value instanceof Number n) {
            return n.doubleValue() == Math.rint(n.doubleValue()) ? (Object) n.longValue() : (Object) n.doubleValue();
        }
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new java.util.TreeMap<>();
            m.forEach((k, v) -> out.put(k, normalise(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            return l.stream().map(StatsTruthTest::normalise).toList();
        }
        return value;
    }

    /** Every answer of every range, minus computed_at, to compare two moments. */
    static Map<String, String> answers(int http, String token) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        for (Range r : RANGES) {
            for (String artist : History.POSTS.keySet()) {
                String path = "/v1/artists/" + artist + "/stats?from=" + r.from + "&to=" + r.to;
                Map<String, Object> body = get(http, token, path);
                body.remove("computed_at");
                out.put(path, body.toString());
            }
        }
        return out;
    }

    static Map<String, Object> get(int http, String token, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + path));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> body = JSON.readValue(r.body(), Map.class);
        return body;
    }

    static HttpRequest rollupRequest(int http, String token, LocalDate through) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/v1/admin/rollup"))
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofString("{\"through\":\"" + through + "\"}")).build();
    }

    static Map<String, Object> rollup(int http, String token, LocalDate through) throws Exception {
        HttpResponse<String> r = HTTP.send(rollupRequest(http, token, through), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        @SuppressWarnings("unchecked")
        Map<String, Object> body = JSON.readValue(r.body(), Map.class);
        return body;
    }

}
