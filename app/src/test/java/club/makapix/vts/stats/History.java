package club.makapix.vts.stats;

import club.makapix.vts.support.GeoFixture;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.TestClock;
import club.makapix.vts.support.WebClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;

/**
 * A known synthetic history sent through the real doors: three artists and their posts (some with a
 * registered duration), hundreds of web visitors (anonymous or signed in, in several countries, on
 * desktops, phones and tablets) and players over MQTT whose owners also browse the web, over 30+
 * days, with repeated views, impressions on several channels, the artists' own views and robots;
 * browsers' watched_ms (some beyond the post's duration or the 24 h cap), players showing an artwork
 * for a while (screen time), and watch reports (contract §5): sessions of signed-in and anonymous
 * viewers and of the artists themselves, on the single route and in /v1/events batches, some resent,
 * some clamped to the media's length or to the wall clock, some reaching 80 %. Everything the server
 * must count goes into {@link Truth}; the generator is seeded, so every run sends the same history.
 */
final class History {
    static final String JWT_SECRET = "history-secret-that-is-long-enough-for-hs256";
    static final Map<String, List<Long>> POSTS = Map.of(
            "ana", List.of(101L, 102L, 103L, 104L, 105L),
            "ben", List.of(201L, 202L, 203L, 204L),
            "cleo", List.of(301L, 302L, 303L));
    static final String[] CHANNELS = {"promoted", "hashtag", "all", "by_user"};
    /** The most a watched_ms or a played time counts for a post without a duration (contract §5). */
    static final long WATCH_CAP_MS = Duration.ofHours(24).toMillis();
    /** The posts registered with a duration (seconds): it caps watched_ms, and is the length of their watch reports. */
    static final Map<Long, Integer> DURATIONS = Map.of(101L, 60, 103L, 240, 203L, 30, 302L, 90, 303L, 120);
    /** Posts without a duration whose players report one (duration_s, now and then left out); the rest never do. */
    static final Map<Long, Integer> REPORTED_LENGTHS = Map.of(102L, 75, 201L, 50, 301L, 40);
    /** Watch reports of a session come in rounds this far apart (a player reports every ~10 s). */
    static final int ROUND_S = 10;

    /** A web visitor: anonymous (known by its address) or a signed-in user. */
    record Visitor(String viewer, String address, String country, String userAgent, String device, String token) {}

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore inFlight = new Semaphore(12);
    private final Random random = new Random(20261121);
    /** The watch reports' own draws, so the rest of the history is what it was before there were any. */
    private final Random watching = new Random(20261202);
    /** How often each rule of the watch reports came into play: the history must exercise them all. */
    private final Map<String, Integer> coverage = new java.util.TreeMap<>();
    private int sessionCount;
    private final Truth truth = new Truth();
    private final List<Visitor> visitors = new ArrayList<>();
    private final int httpPort;
    private final String mqttUri;
    private final TestClock clock;
    private final Map<String, String> playerSecrets;
    private final List<Long> allPosts = POSTS.values().stream().flatMap(List::stream).sorted().toList();
    /** When each player last showed each post, as the server received it: the previous event for screen time. */
    private final Map<String, Instant> lastShown = new java.util.HashMap<>();

    /**
     * What a server needs for the history: the fixture's countries, loopback as the trusted proxy
     * (X-Forwarded-For stands in for visitors elsewhere), the viewer-token secret, and no rate limits
     * (the truth counts every event sent). A mutable map: tests add their own.
     */
    static Map<String, String> serverSettings(java.nio.file.Path geoipDatabase) {
        Map<String, String> settings = new java.util.HashMap<>();
        settings.put("VTS_GEOIP_DB", geoipDatabase.toString());
        settings.put("VTS_TRUSTED_PROXIES", "127.0.0.1/32");
        settings.put("VTS_JWT_SECRET", JWT_SECRET);
        settings.put("VTS_PLAYER_RATE_LIMIT_MS", "0");
        settings.put("VTS_WEB_IMPRESSION_RATE_LIMIT_MS", "0");
        settings.put("VTS_WATCH_REPORT_LIMIT_MS", "0"); // it runs on the machine's clock; the reports are 10 s apart on the test's
        return settings;
    }

    /** The admin's PUT body of a post: its artist, a title when given, and its duration when it has one. */
    static String postJson(long post, String artist, String title) {
        return postJson(artist, title, DURATIONS.get(post));
    }

    /** The admin's PUT body of a post by {@code artist}, with a title and a duration in seconds when given. */
    static String postJson(String artist, String title, Integer durationS) {
        StringBuilder json = new StringBuilder("{\"artist_id\":\"" + artist + "\"");
        if (title != null) {
            json.append(",\"title\":\"").append(title.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        if (durationS != null) {
            json.append(",\"duration_s\":").append(durationS);
        }
        return json.append('}').toString();
    }

    /** Registers the history's posts (untitled, with their durations). */
    static void putPosts(club.makapix.vts.support.Admin admin) {
        POSTS.forEach((artist, posts) -> posts.forEach(p -> {
            int status = admin.send("PUT", "/v1/admin/posts/" + p, postJson(p, artist, null)).statusCode();
            if (status != 200 && status != 201) {
                throw new AssertionError("PUT post " + p + ": " + status);
            }
        }));
    }

    /** The most a watched_ms counts for the post: its duration, else 24 h. */
    static long watchCapMs(long post) {
        return DURATIONS.containsKey(post) ? DURATIONS.get(post) * 1000L : WATCH_CAP_MS;
    }

    /**
     * Registers the history's four players (owned by user-5, user-10, … who also browse) and sends
     * every day from {@code first} to {@code last} at noon. The posts must exist.
     */
    static History sendThrough(club.makapix.vts.support.RunningServer vts, TestClock clock, LocalDate first, LocalDate last)
            throws Exception {
        History history = start(vts, clock);
        history.days(first, last);
        return history;
    }

    /** Registers the history's four players (owned by user-5, user-10, … who also browse); sends nothing yet. */
    static History start(club.makapix.vts.support.RunningServer vts, TestClock clock) {
        Map<String, String> players = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            String key = UUID.randomUUID().toString();
            vts.admin.player(key, "user-" + (5 * i), "secret-" + key);
            players.put(key, "secret-" + key);
        }
        return new History(vts.httpPort(), vts.mqttUri(), clock, players);
    }

    /** Sends every day from {@code first} to {@code last}, each at noon. */
    void days(LocalDate first, LocalDate last) throws Exception {
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            day(noon(d));
        }
    }

    /** How often each rule of the watch reports came into play so far. */
    Map<String, Integer> coverage() {
        return coverage;
    }

    private History(int httpPort, String mqttUri, TestClock clock, Map<String, String> playerSecrets) {
        this.httpPort = httpPort;
        this.mqttUri = mqttUri;
        this.clock = clock;
        this.playerSecrets = playerSecrets;
        String[][] networks = {{"203.0.113.", "DE"}, {"198.51.100.", "CA"}, {"192.0.2.", "US"}, {"2001:db8::", "JP"},
                {"10.9.8.", "unknown"}};
        String[][] agents = {{WebClient.FIREFOX, "desktop"}, {WebClient.IPHONE, "mobile"}, {IPAD, "tablet"}};
        for (int i = 1; i <= 200; i++) {
            String[] net = networks[i % networks.length];
            String address = net[0] + (net[0].endsWith("::") ? Integer.toHexString(i) : Integer.toString(i % 190 + 1));
            String country = GeoFixture.UNKNOWN.contains(address) || net[1].equals("unknown") ? "unknown" : net[1];
            String[] agent = agents[i % agents.length];
            boolean signedIn = i % 5 == 0; // user-5, user-10, …: also the owners of the players below
            String viewer = signedIn ? "user-" + i : "anon-" + address; // the test's name; the server hashes the address
            visitors.add(new Visitor(viewer, address, country, agent[0], agent[1],
                    signedIn ? WebClient.token(JWT_SECRET, "user-" + i, null) : null));
        }
    }

    static final String IPAD = "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
            + "Version/17.5 Mobile/15E148 Safari/604.1";

    Truth truth() {
        return truth;
    }

    /** Sends one day of traffic at the given instant (the server's clock is set to it). */
    void day(Instant at) throws Exception {
        clock.set(at);
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        for (Visitor v : visitors) {
            if (random.nextInt(4) != 0) {
                continue;
            }
            int events = 1 + random.nextInt(3);
            for (int e = 0; e < events; e++) {
                long post = allPosts.get(random.nextInt(allPosts.size()));
                if (random.nextInt(10) < 7) {
                    sent.add(webView(v, post, at));
                    if (random.nextInt(7) == 0) {
                        sent.add(webView(v, post, at)); // the same viewer again today: stored, not counted
                    }
                } else {
                    sent.add(webImpression(v, post, at));
                }
            }
        }
        for (Map.Entry<String, List<Long>> artist : POSTS.entrySet()) {
            // the artist looking at their own work: stored, never counted
            sent.add(send(artist.getValue().get(0), "{\"intent\":\"view\",\"watched_ms\":30000}", WebClient.FIREFOX, "203.0.113.77",
                    WebClient.token(JWT_SECRET, artist.getKey(), null), 204));
        }
        sent.add(send(allPosts.get(random.nextInt(allPosts.size())), null, WebClient.GOOGLEBOT, "192.0.2.66", null, 204));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        players(at);
        watchReports(at.plusSeconds(3600));
        clock.set(at);
    }

    private CompletableFuture<Void> webView(Visitor v, long post, Instant at) {
        Long watched = watchedMs();
        truth.sent(new Truth.Sent(at, post, artistOf(post), v.viewer(), true, v.country(), v.device(), "web", "none", "none",
                watched == null ? null : Math.min(watched, watchCapMs(post)), false));
        return send(post, "{\"intent\":\"view\"" + watchedField(watched) + "}", v.userAgent(), v.address(), v.token(), -1);
    }

    private CompletableFuture<Void> webImpression(Visitor v, long post, Instant at) {
        String channel = CHANNELS[random.nextInt(CHANNELS.length)];
        int playOrder = random.nextInt(3);
        Long watched = watchedMs();
        truth.sent(new Truth.Sent(at, post, artistOf(post), v.viewer(), false, v.country(), v.device(), "web", channel,
                Integer.toString(playOrder), watched == null ? null : Math.min(watched, watchCapMs(post)), false));
        return send(post, "{\"intent\":\"impression\",\"channel\":\"" + channel + "\",\"play_order\":" + playOrder
                + watchedField(watched) + "}", v.userAgent(), v.address(), v.token(), 204);
    }

    /** A browser's watched_ms: none for a third of the events, now and then far beyond the cap. */
    private Long watchedMs() {
        int draw = random.nextInt(60);
        return draw < 20 ? null : draw == 20 ? 90L * 3_600_000 : (long) random.nextInt(180_000);
    }

    private static String watchedField(Long watchedMs) {
        return watchedMs == null ? "" : ",\"watched_ms\":" + watchedMs;
    }

    /**
     * Players over MQTT 3.1.1 from loopback (the fixture's NL); their owners are signed-in web users too.
     * Each sends three events at the firmware's 30 s cadence, often still showing the artwork before.
     */
    private void players(Instant at) throws Exception {
        int i = 0;
        for (Map.Entry<String, String> player : playerSecrets.entrySet()) {
            String owner = "user-" + (5 * ++i);
            try (Mqtt3Player p = Mqtt3Player.connect(mqttUri, player.getKey(), player.getValue(), null)) {
                long post = 0;
                for (int e = 0; e < 3; e++) {
                    if (e == 0 || random.nextBoolean()) {
                        post = allPosts.get(random.nextInt(allPosts.size()));
                    }
                    Instant shownAt = at.plusSeconds(30L * e);
                    clock.set(shownAt);
                    boolean view = e == 0;
                    String channel = view ? "artwork" : CHANNELS[random.nextInt(CHANNELS.length)];
                    int playOrder = random.nextInt(3);
                    p.publishView(("{\"post_id\": " + post + ", \"timestamp\": \"" + shownAt + "\", \"timezone\": \"\","
                            + " \"intent\": \"" + (view ? "artwork" : "channel") + "\", \"play_order\": " + playOrder
                            + ", \"channel\": \"" + channel + "\", \"player_key\": \"" + player.getKey() + "\","
                            + " \"event_id\": \"" + UUID.randomUUID() + "\"}").getBytes());
                    Instant previous = lastShown.put(player.getKey() + "|" + post, shownAt);
                    boolean continues = previous != null && !shownAt.isBefore(previous)
                            && !shownAt.isAfter(previous.plusSeconds(45));
                    truth.sent(new Truth.Sent(shownAt, post, artistOf(post), owner, view, GeoFixture.COUNTRY_OF.get("127.0.0.1"),
                            "player", "player", channel, Integer.toString(playOrder), continues ? 30_000L : 5_000L, continues));
                }
            }
        }
        clock.set(at);
    }

    /** Someone who sends watch reports: a web visitor, an artist (on their own post nothing counts), or a robot. */
    private record Watcher(String viewer, String address, String userAgent, String token) {}

    /** A watch session of one day: who, which post, its session_id (null: none), and the rounds it reports in. */
    private static final class Session {
        final Watcher who;
        final long post;
        final String id;
        final List<Integer> rounds = new ArrayList<>();
        long positionMs;
        Integer previousRound;
        /** The fields of the session's previous report when it had an event_id: what a resend sends again. */
        String previousFields;

        Session(Watcher who, long post, String id) {
            this.who = who;
            this.post = post;
            this.id = id;
        }
    }

    /** The reports a round sends in one viewer's /v1/events batch, and the status each must get. */
    private record Batch(Watcher who, List<String> entries, List<String> statuses) {}

    /**
     * A day's watch reports, in rounds {@link #ROUND_S} apart from {@code from}: 6 to 10 sessions of 2 to
     * 5 reports, some pausing for a round or more. A viewer reports on a post at most once a round (two
     * sessions of one post by one viewer take turns), so the order of a round's reports never matters.
     * A round's reports go out together, each on the single route or in its viewer's batch, now and then
     * with a resend of a session's previous report; a robot reports in the first round. Each stored
     * report goes to the truth as it is sent; the single route's answer must say the played time the
     * truth credits.
     */
    private void watchReports(Instant from) throws Exception {
        List<Session> sessions = new ArrayList<>();
        Map<String, java.util.Set<Integer>> busy = new java.util.HashMap<>();
        int lastRound = 0;
        for (int n = 6 + watching.nextInt(5); n > 0; n--) {
            Session s = new Session(watcher(), watchedPost(), watching.nextInt(8) == 0 ? null : "session-" + ++sessionCount);
            java.util.Set<Integer> taken = busy.computeIfAbsent(s.who.viewer() + "|" + s.post, k -> new java.util.HashSet<>());
            int round = watching.nextInt(3);
            for (int r = 2 + watching.nextInt(4); r > 0; r--) {
                while (taken.contains(round)) {
                    round++;
                }
                taken.add(round);
                s.rounds.add(round);
                lastRound = Math.max(lastRound, round);
                round += watching.nextInt(4) == 0 ? 2 + watching.nextInt(3) : 1; // now and then a pause
            }
            Integer reported = REPORTED_LENGTHS.get(s.post);
        Long length = lengthMs(s.post, reported == null ? null : Long.valueOf(reported * 1000L));
            s.positionMs = watching.nextInt(3) == 0 ? watching.nextInt((int) (length == null ? 600_000 : length / 2)) : 0;
            sessions.add(s);
        }
        for (int round = 0; round <= lastRound; round++) {
            Instant at = from.plusSeconds((long) ROUND_S * round);
            clock.set(at);
            List<CompletableFuture<Void>> sent = new ArrayList<>();
            Map<String, Batch> batches = new java.util.LinkedHashMap<>();
            for (Session s : sessions) {
                if (s.previousFields != null && watching.nextInt(8) == 0) { // a client's retry: stored once, answered alike
                    count("resent");
                    if (watching.nextBoolean()) {
                        sent.add(watchReport(s.who, s.post, "{" + s.previousFields + "}", null));
                    } else {
                        batchOf(batches, s.who).entries.add(batchEntry(s.post, s.previousFields));
                        batchOf(batches, s.who).statuses.add("duplicate");
                    }
                }
                if (s.rounds.contains(round)) {
                    report(s, round, at, sent, batches);
                }
            }
            if (round == 0) {
                Watcher robot = new Watcher("robot", "192.0.2.66", WebClient.GOOGLEBOT, null);
                String fields = "\"position_s\":12,\"played_s\":30,\"event_id\":\"" + uuid() + "\"";
                count("robot's report");
                long post = allPosts.get(watching.nextInt(allPosts.size()));
                if (watching.nextBoolean()) {
                    sent.add(watchReport(robot, post, "{" + fields + "}", null));
                } else {
                    batchOf(batches, robot).entries.add(batchEntry(post, fields));
                    batchOf(batches, robot).statuses.add("accepted");
                }
            }
            batches.values().forEach(b -> sent.add(watchBatch(b)));
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).join();
        }
    }

    /** The session's report of this round: its fields drawn, measured by the truth, and sent. */
    private void report(Session s, int round, Instant at, List<CompletableFuture<Void>> sent, Map<String, Batch> batches) {
        Integer registered = DURATIONS.get(s.post);
        Integer reported = REPORTED_LENGTHS.get(s.post);
        Long durationMs = null; // what the report says the media's length is
        if (reported != null && watching.nextInt(5) != 0) {
            durationMs = reported * 1000L;
        } else if (registered != null && watching.nextInt(4) == 0) {
            durationMs = (registered + 1 + watching.nextInt(600)) * 1000L; // wrong: the post's duration wins
        }
        Long length = lengthMs(s.post, durationMs);
        long gapMs = (s.previousRound == null ? 1 : round - s.previousRound) * ROUND_S * 1000L;
        Long played;
        int draw = watching.nextInt(12);
        if (draw == 0) {
            played = null;
        } else if (draw == 1) {
            played = gapMs + Truth.REPORT_SLACK_MS + 1 + watching.nextInt(30_000); // more than the wall clock allows
        } else if (draw == 2) {
            played = gapMs + Truth.REPORT_SLACK_MS; // just what it allows
        } else if (draw == 3) { // more than the media's length, or than 24 h without one
            played = length != null ? length + 1 + watching.nextInt(600_000)
                    : watching.nextInt(3) == 0 ? WATCH_CAP_MS + 3_600_000L + watching.nextInt(1000) : 3_600_000L + watching.nextInt(3_600_000);
        } else {
            played = (long) watching.nextInt((int) gapMs + 1);
        }
        boolean last = s.rounds.get(s.rounds.size() - 1) == round;
        if (length != null && last && watching.nextInt(2) == 0) {
            long mark = length * Truth.COMPLETE_AT_PERCENT / 100;
            s.positionMs = switch (watching.nextInt(4)) {
                case 0 -> mark; // exactly 80 %: complete
                case 1 -> mark - 1; // a millisecond short
                case 2 -> length + 1 + watching.nextInt(120_000); // past the end: clamped
                default -> mark + watching.nextInt((int) (length / 5) + 1);
            };
        } else if (watching.nextInt(10) == 0) {
            s.positionMs = watching.nextInt(length == null ? 3_600_000 : (int) length.longValue() + 1); // a seek
        } else {
            s.positionMs += played == null ? 0 : Math.min(played, gapMs);
        }
        boolean inBatch = watching.nextBoolean();
        String eventId = inBatch || watching.nextInt(5) != 0 ? uuid() : null;
        StringBuilder fields = new StringBuilder("\"position_s\":" + seconds(s.positionMs));
        if (durationMs != null) {
            fields.append(",\"duration_s\":").append(seconds(durationMs));
        }
        if (played != null) {
            fields.append(",\"played_s\":").append(seconds(played));
        }
        if (s.id != null) {
            fields.append(",\"session_id\":\"").append(s.id).append('"');
        }
        if (eventId != null) {
            fields.append(",\"event_id\":\"").append(eventId).append('"');
        }
        Truth.Measured m = truth.report(at, s.post, artistOf(s.post), s.who.viewer(), s.who.token() != null, s.id,
                registered == null ? null : registered * 1000L, s.positionMs, durationMs, played);
        cover(m, s, inBatch);
        if (inBatch) {
            batchOf(batches, s.who).entries.add(batchEntry(s.post, fields.toString()));
            batchOf(batches, s.who).statuses.add("accepted");
        } else {
            sent.add(watchReport(s.who, s.post, "{" + fields + "}", m.playedMs()));
        }
        s.previousRound = round;
        s.previousFields = eventId == null ? null : fields.toString();
    }

    private void cover(Truth.Measured m, Session s, boolean inBatch) {
        count(inBatch ? "report in a batch" : "report on the single route");
        count(m.self() ? "artist's own report" : s.who.token() != null ? "signed-in viewer's report" : "anonymous viewer's report");
        String[] rules = {"position past the length", "played past the length", "played past 24 h", "played past the wall clock",
                "played at the wall-clock limit", "the post's duration over the report's", "report without a length",
                "start", "completion", "completion on a later day than the start", "report without a session_id"};
        boolean[] applied = {m.positionClamped(), m.playedPastLength(), m.playedPast24h(), m.playedPastWallClock(),
                m.playedAtWallClockLimit(), m.reportLengthLost(), !m.hasLength(), m.starts(), m.completes(),
                m.completesAfterStartDay(), s.id == null};
        for (int i = 0; i < rules.length; i++) {
            if (applied[i]) {
                count(rules[i]);
            }
        }
    }

    private void count(String what) {
        coverage.merge(what, 1, Integer::sum);
    }

    /** The media's length: the post's duration, else the report's. */
    private static Long lengthMs(long post, Long reportedMs) {
        Integer duration = DURATIONS.get(post);
        return duration != null ? Long.valueOf(duration * 1000L) : reportedMs;
    }

    /**
     * A signed-in visitor (4 in 10, half of them one of five regulars, who come back to a post on later
     * days), an anonymous one (4 in 10), or an artist (2 in 10), on anyone's post.
     */
    private Watcher watcher() {
        int draw = watching.nextInt(10);
        if (draw < 2) {
            List<String> artists = POSTS.keySet().stream().sorted().toList();
            String artist = artists.get(watching.nextInt(artists.size()));
            return new Watcher(artist, "203.0.113.77", WebClient.FIREFOX, WebClient.token(JWT_SECRET, artist, null));
        }
        List<Visitor> pool = visitors.stream().filter(v -> (v.token() != null) == (draw < 6)).toList();
        if (draw < 4) {
            pool = pool.subList(0, 5);
        }
        Visitor v = pool.get(watching.nextInt(pool.size()));
        return new Watcher(v.viewer(), v.address(), v.userAgent(), v.token());
    }

    /** Mostly a post whose media has a length (its duration, or its players say), else any. */
    private long watchedPost() {
        List<Long> withLength = allPosts.stream().filter(p -> DURATIONS.containsKey(p) || REPORTED_LENGTHS.containsKey(p)).toList();
        return watching.nextInt(3) != 0 ? withLength.get(watching.nextInt(withLength.size())) : allPosts.get(watching.nextInt(allPosts.size()));
    }

    private String uuid() {
        return new UUID(watching.nextLong(), watching.nextLong()).toString();
    }

    /** Milliseconds as a JSON number of seconds, exactly ("12.345"). */
    private static String seconds(long ms) {
        return java.math.BigDecimal.valueOf(ms, 3).toPlainString();
    }

    private static Batch batchOf(Map<String, Batch> batches, Watcher who) {
        return batches.computeIfAbsent(who.viewer(), v -> new Batch(who, new ArrayList<>(), new ArrayList<>()));
    }

    private static String batchEntry(long post, String fields) {
        return "{\"type\":\"watch\",\"post_id\":" + post + "," + fields + "}";
    }

    /** A report on the single route: 200 once durable, saying the played time credited ({@code playedMs}; null: unchecked). */
    private CompletableFuture<Void> watchReport(Watcher who, long post, String body, Long playedMs) {
        return post(who, "/v1/posts/" + post + "/watch", body).thenAccept(r -> {
            if (r.statusCode() != 200) {
                throw new AssertionError("POST /v1/posts/" + post + "/watch " + body + " answered " + r.statusCode() + ": " + r.body());
            }
            if (playedMs != null) {
                try {
                    long said = Math.round(JSON.readTree(r.body()).get("played_s").asDouble() * 1000);
                    if (said != playedMs) {
                        throw new AssertionError("POST /v1/posts/" + post + "/watch " + body + " by " + who.viewer()
                                + ": played_s " + said / 1000.0 + " but the truth credits " + playedMs / 1000.0);
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
        });
    }

    /** One viewer's /v1/events batch: each entry must get its status. */
    private CompletableFuture<Void> watchBatch(Batch batch) {
        String body = "{\"events\":[" + String.join(",", batch.entries()) + "]}";
        return post(batch.who(), "/v1/events", body).thenAccept(r -> {
            try {
                if (r.statusCode() != 200) {
                    throw new AssertionError("POST /v1/events answered " + r.statusCode() + ": " + r.body());
                }
                var results = JSON.readTree(r.body()).get("results");
                for (int i = 0; i < batch.statuses().size(); i++) {
                    if (!batch.statuses().get(i).equals(results.get(i).get("status").asText())) {
                        throw new AssertionError("POST /v1/events by " + batch.who().viewer() + ": " + batch.entries().get(i)
                                + " should be " + batch.statuses().get(i) + ", got " + results.get(i));
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    private CompletableFuture<HttpResponse<String>> post(Watcher who, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("User-Agent", who.userAgent()).header("X-Forwarded-For", who.address());
        if (who.token() != null) {
            b.header("Authorization", "Bearer " + who.token());
        }
        inFlight.acquireUninterruptibly();
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> inFlight.release());
    }

    /** One web request; {@code expect} is the status it must get (-1: 201 or 204). */
    CompletableFuture<Void> send(long post, String body, String userAgent, String address, String token, int expect) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/v1/posts/" + post + "/views"))
                .timeout(Duration.ofSeconds(30))
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("User-Agent", userAgent).header("X-Forwarded-For", address);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        inFlight.acquireUninterruptibly();
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
            inFlight.release();
            boolean ok = expect < 0 ? r.statusCode() == 201 || r.statusCode() == 204 : r.statusCode() == expect;
            if (!ok) {
                throw new AssertionError("POST /v1/posts/" + post + "/views answered " + r.statusCode() + ": " + r.body());
            }
        });
    }

    static String artistOf(long post) {
        return POSTS.entrySet().stream().filter(a -> a.getValue().contains(post)).findFirst().orElseThrow().getKey();
    }

    static Instant noon(LocalDate day) {
        return day.atTime(12, 0).toInstant(ZoneOffset.UTC);
    }
}
