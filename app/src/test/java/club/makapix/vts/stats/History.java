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
 * A known synthetic history sent through the real doors: three artists and their posts, hundreds
 * of web visitors (anonymous or signed in, in several countries, on desktops, phones and tablets)
 * and players over MQTT whose owners also browse the web, over 30+ days, with repeated views,
 * impressions on several channels, the artists' own views and robots; browsers' watched_ms (some
 * beyond the 24 h cap) and players showing an artwork for a while (screen time). Everything the
 * server must count goes into {@link Truth}.
 */
final class History {
    static final String JWT_SECRET = "history-secret-that-is-long-enough-for-hs256";
    static final Map<String, List<Long>> POSTS = Map.of(
            "ana", List.of(101L, 102L, 103L, 104L, 105L),
            "ben", List.of(201L, 202L, 203L, 204L),
            "cleo", List.of(301L, 302L, 303L));
    static final String[] CHANNELS = {"promoted", "hashtag", "all", "by_user"};
    /** The most a watched_ms counts for the history's posts, which have no duration (contract §5). */
    static final long WATCH_CAP_MS = Duration.ofHours(24).toMillis();

    /** A web visitor: anonymous (known by its address) or a signed-in user. */
    record Visitor(String viewer, String address, String country, String userAgent, String device, String token) {}

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final Semaphore inFlight = new Semaphore(12);
    private final Random random = new Random(20261121);
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
        return settings;
    }

    /**
     * Registers the history's four players (owned by user-5, user-10, … who also browse) and sends
     * every day from {@code first} to {@code last} at noon. The posts must exist.
     */
    static History sendThrough(club.makapix.vts.support.RunningServer vts, TestClock clock, LocalDate first, LocalDate last)
            throws Exception {
        Map<String, String> players = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            String key = UUID.randomUUID().toString();
            vts.admin.player(key, "user-" + (5 * i), "secret-" + key);
            players.put(key, "secret-" + key);
        }
        History history = new History(vts.httpPort(), vts.mqttUri(), clock, players);
        for (LocalDate d = first; !d.isAfter(last); d = d.plusDays(1)) {
            history.day(noon(d));
        }
        return history;
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
    }

    private CompletableFuture<Void> webView(Visitor v, long post, Instant at) {
        Long watched = watchedMs();
        truth.sent(new Truth.Sent(at, post, artistOf(post), v.viewer(), true, v.country(), v.device(), "web", "none", "none",
                watched == null ? null : Math.min(watched, WATCH_CAP_MS), false));
        return send(post, "{\"intent\":\"view\"" + watchedField(watched) + "}", v.userAgent(), v.address(), v.token(), -1);
    }

    private CompletableFuture<Void> webImpression(Visitor v, long post, Instant at) {
        String channel = CHANNELS[random.nextInt(CHANNELS.length)];
        int playOrder = random.nextInt(3);
        Long watched = watchedMs();
        truth.sent(new Truth.Sent(at, post, artistOf(post), v.viewer(), false, v.country(), v.device(), "web", channel,
                Integer.toString(playOrder), watched == null ? null : Math.min(watched, WATCH_CAP_MS), false));
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
