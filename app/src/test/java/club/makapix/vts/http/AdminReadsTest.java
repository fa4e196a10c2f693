package club.makapix.vts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.RunningServer;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.WebClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Administrators read players and posts and load the site's catalogue; who is an admin by JWT role
 * (here {@code VTS_JWT_ADMIN_ROLES=owner}, as the site's own tokens carry it).
 */
class AdminReadsTest {
    static final String SECRET = "admin-reads-secret-that-is-long-enough-for-hs256";
    static final ObjectMapper JSON = new ObjectMapper();
    static RunningServer vts;

    @BeforeAll
    static void start() throws Exception {
        vts = RunningServer.start(TestDatabase.create(), Map.of("VTS_JWT_SECRET", SECRET, "VTS_JWT_ADMIN_ROLES", "owner"));
    }

    @AfterAll
    static void stop() {
        vts.close();
    }

    static HttpResponse<String> send(String method, String path, String token, String body) {
        return Admin.send(vts.httpPort(), method, path, token, body);
    }

    static HttpResponse<String> admin(String method, String path, String body) {
        return send(method, path, vts.server.adminToken(), body);
    }

    /** The JSON answer of an admin call that must succeed with {@code status}. */
    static JsonNode adminJson(String method, String path, String body, int status) {
        HttpResponse<String> r = admin(method, path, body);
        assertEquals(status, r.statusCode(), method + " " + path + ": " + r.body());
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    static void assertError(int status, String code, String mentions, HttpResponse<String> r) {
        assertEquals(status, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"code\":\"" + code + "\""), r.body());
        assertTrue(r.body().contains(mentions), "the error says " + mentions + ": " + r.body());
    }

    static String roles(String subject, Object roles) {
        return WebClient.tokenWithClaims(SECRET, subject, Map.of("roles", roles));
    }

    static List<String> field(JsonNode items, String name) {
        return StreamSupport.stream(items.spliterator(), false).map(i -> i.get(name).asText()).toList();
    }

    static String catalogue(List<String> entries) {
        return "{\"posts\":[" + String.join(",", entries) + "]}";
    }

    static String entry(long postId, String artist) {
        return "{\"post_id\":" + postId + ",\"artist_id\":\"" + artist + "\"}";
    }

    @Test
    void aJwtWithAConfiguredAdminRoleReadsEveryArtistsStatsAndNoOtherDoes() {
        vts.admin.post(100, "ana");
        String owner = roles("ops", List.of("user", "moderator", "owner"));
        assertEquals(200, send("GET", "/v1/artists/ana/stats", owner, null).statusCode());
        assertEquals(200, send("GET", "/v1/posts/100/stats", owner, null).statusCode());
        for (String notAdmin : List.of(roles("ben", List.of("user")),
                WebClient.token(SECRET, "ben", "admin"), // admin is not one of VTS_JWT_ADMIN_ROLES here
                roles("ben", "owner"), // a string, not an array
                roles("ben", List.of(1, 2)))) {
            assertError(403, "forbidden", "another artist", send("GET", "/v1/artists/ana/stats", notAdmin, null));
            assertError(403, "forbidden", "another artist", send("GET", "/v1/posts/100/stats", notAdmin, null));
        }
        assertEquals(200, send("GET", "/v1/artists/ben/stats", roles("ben", List.of(3, "user")), null).statusCode(),
                "an odd roles claim still lets the artist read their own");
    }

    @Test
    void administrationTakesTheAdminTokenOnlyNotAnAdminJwt() {
        String adminByRole = roles("ops", List.of("owner"));
        for (String[] call : List.of(new String[] {"GET", "/v1/admin/players/p-1"}, new String[] {"GET", "/v1/admin/players"},
                new String[] {"GET", "/v1/admin/posts/1"}, new String[] {"GET", "/v1/admin/posts"},
                new String[] {"PUT", "/v1/admin/posts"})) {
            String body = call[0].equals("PUT") ? catalogue(List.of(entry(199, "ana"))) : null;
            assertError(401, "unauthorized", "admin token", send(call[0], call[1], null, body));
            assertError(401, "unauthorized", "admin token", send(call[0], call[1], adminByRole, body));
            assertError(401, "unauthorized", "admin token", send(call[0], call[1], "not-the-admin-token", body));
        }
        assertError(404, "post_not_found", "no such post", admin("GET", "/v1/admin/posts/199", null));
    }

    @Test
    void aPlayerReadsAsRegisteredAndStaysReadableOnceRevoked() {
        String key = "reg-" + UUID.randomUUID();
        Instant before = Instant.now().minusSeconds(5);
        vts.admin.player(key, "olga", "secret-" + key);
        JsonNode player = adminJson("GET", "/v1/admin/players/" + key, null, 200);
        assertEquals(List.of("player_key", "owner_id", "status", "last_seen_at", "current_post_id", "firmware_version",
                "registered_at", "revoked_at", "connected"), fieldNames(player));
        assertEquals(key, player.get("player_key").asText());
        assertEquals("olga", player.get("owner_id").asText());
        assertEquals("never_seen", player.get("status").asText());
        assertTrue(player.get("last_seen_at").isNull() && player.get("current_post_id").isNull()
                && player.get("firmware_version").isNull() && player.get("revoked_at").isNull(), player.toString());
        assertTrue(Instant.parse(player.get("registered_at").asText()).isAfter(before), player.toString());
        assertTrue(player.get("registered_at").asText().endsWith("Z"), "UTC: " + player);
        assertEquals(false, player.get("connected").asBoolean());

        vts.admin.revoke(key);
        JsonNode revoked = adminJson("GET", "/v1/admin/players/" + key, null, 200);
        assertTrue(Instant.parse(revoked.get("revoked_at").asText()).isAfter(before), revoked.toString());
        assertEquals("olga", revoked.get("owner_id").asText());

        assertError(404, "player_not_registered", "no such player", admin("GET", "/v1/admin/players/never-" + key, null));
        assertError(400, "invalid_payload", "player_key", admin("GET", "/v1/admin/players/bad%20key", null));
    }

    static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void playersAreListedByKeyFilteredByStatusAndOwnerAndPaged() {
        String prefix = "list-" + UUID.randomUUID().toString().substring(0, 8);
        String owner = prefix + "-owner";
        for (String suffix : List.of("e", "b", "d", "a", "c")) { // registered out of order: listed by key
            vts.admin.player(prefix + "-" + suffix, owner, null);
        }
        vts.admin.player(prefix + "-f", prefix + "-other", null);
        vts.db.rows("update players set status = 'online' where player_key in (?, ?, ?) returning player_key",
                prefix + "-b", prefix + "-d", prefix + "-f");

        JsonNode all = adminJson("GET", "/v1/admin/players?owner_id=" + owner, null, 200);
        assertEquals(5, all.get("total").asLong());
        assertEquals(List.of(prefix + "-a", prefix + "-b", prefix + "-c", prefix + "-d", prefix + "-e"), field(all.get("items"), "player_key"));
        assertEquals(List.of("player_key", "owner_id", "status", "last_seen_at", "current_post_id", "firmware_version",
                "registered_at", "revoked_at", "connected"), fieldNames(all.get("items").get(0)));

        JsonNode page2 = adminJson("GET", "/v1/admin/players?owner_id=" + owner + "&per_page=2&page=2", null, 200);
        assertEquals(5, page2.get("total").asLong());
        assertEquals(List.of(prefix + "-c", prefix + "-d"), field(page2.get("items"), "player_key"));
        JsonNode page3 = adminJson("GET", "/v1/admin/players?owner_id=" + owner + "&per_page=2&page=3", null, 200);
        assertEquals(List.of(prefix + "-e"), field(page3.get("items"), "player_key"));
        JsonNode beyond = adminJson("GET", "/v1/admin/players?owner_id=" + owner + "&per_page=2&page=4", null, 200);
        assertEquals(0, beyond.get("items").size());
        assertEquals(5, beyond.get("total").asLong(), "the total also past the last page");

        JsonNode online = adminJson("GET", "/v1/admin/players?status=online&owner_id=" + owner, null, 200);
        assertEquals(List.of(prefix + "-b", prefix + "-d"), field(online.get("items"), "player_key"));
        assertEquals(2, online.get("total").asLong());
        List<String> anyOwnerOnline = field(adminJson("GET", "/v1/admin/players?status=online&per_page=100", null, 200)
                .get("items"), "player_key");
        assertTrue(anyOwnerOnline.containsAll(List.of(prefix + "-b", prefix + "-d", prefix + "-f")), anyOwnerOnline.toString());
        assertEquals(5, adminJson("GET", "/v1/admin/players?status=&owner_id=" + owner, null, 200).get("total").asLong(),
                "an empty filter filters nothing");

        JsonNode defaults = adminJson("GET", "/v1/admin/players", null, 200);
        assertTrue(defaults.get("total").asLong() >= 6 && defaults.get("items").size() <= 20, "20 a page by default");
        List<String> keys = field(defaults.get("items"), "player_key");
        assertEquals(keys.stream().sorted().toList(), keys, "in key order");

        for (String query : List.of("page=0", "page=-1", "page=x", "per_page=0", "per_page=101", "per_page=", "owner_id=bad%20owner")) {
            String name = query.substring(0, query.indexOf('='));
            assertError(400, "invalid_payload", name, admin("GET", "/v1/admin/players?" + query, null));
        }
    }

    @Test
    void aConnectedPlayerShowsConnectedWithTheStatusItReports() throws Exception {
        String key = "mqtt-" + UUID.randomUUID();
        vts.admin.player(key, "olga", "secret-" + key);
        String path = "/v1/admin/players/" + key;
        try (Mqtt3Player p = Mqtt3Player.connect(vts.mqttUri(), key, "secret-" + key, null)) {
            Eventually.until(Duration.ofSeconds(10), () -> adminJson("GET", path, null, 200).get("connected").asBoolean(),
                    () -> "connected: " + admin("GET", path, null).body());
            p.client.publish(new Topics(Topics.DEFAULT_PREFIX).status(key), ("{\"player_key\":\"" + key
                    + "\",\"status\":\"online\",\"current_post_id\":123,\"firmware_version\":\"1.4.2\"}")
                    .getBytes(StandardCharsets.UTF_8), 1, false);
            Eventually.until(Duration.ofSeconds(10), () -> "1.4.2".equals(adminJson("GET", path, null, 200).path("firmware_version").asText()),
                    () -> "the status was recorded: " + admin("GET", path, null).body());
            JsonNode online = adminJson("GET", path, null, 200);
            assertEquals("online", online.get("status").asText());
            assertEquals(123, online.get("current_post_id").asLong());
            assertTrue(online.get("last_seen_at").asText().endsWith("Z"), online.toString());
            assertEquals(true, online.get("connected").asBoolean());
            JsonNode listed = adminJson("GET", "/v1/admin/players?owner_id=olga&status=online&per_page=100", null, 200);
            assertTrue(StreamSupport.stream(listed.get("items").spliterator(), false)
                    .anyMatch(i -> i.get("player_key").asText().equals(key) && i.get("connected").asBoolean()), listed.toString());
        }
        Eventually.until(Duration.ofSeconds(10), () -> {
            JsonNode gone = adminJson("GET", path, null, 200);
            return !gone.get("connected").asBoolean() && "offline".equals(gone.get("status").asText());
        }, () -> "disconnected and offline: " + admin("GET", path, null).body());
        assertEquals("1.4.2", adminJson("GET", path, null, 200).get("firmware_version").asText(), "kept once offline");
    }

    @Test
    void postsReadAsWrittenAndAreListedByPostIdPerArtist() {
        assertEquals(201, admin("PUT", "/v1/admin/posts/1102", "{\"artist_id\":\"paula\",\"title\":\"Dunes\",\"duration_s\":30}").statusCode());
        vts.admin.post(1101, "paula");
        vts.admin.post(1103, "paula");
        vts.admin.post(1104, "quinn");

        JsonNode post = adminJson("GET", "/v1/admin/posts/1102", null, 200);
        assertEquals(List.of("post_id", "artist_id", "title", "duration_s", "created_at", "updated_at"), fieldNames(post));
        assertEquals(1102, post.get("post_id").asLong());
        assertEquals("paula", post.get("artist_id").asText());
        assertEquals("Dunes", post.get("title").asText());
        assertEquals(30, post.get("duration_s").asInt());
        Instant created = Instant.parse(post.get("created_at").asText());
        assertTrue(post.get("created_at").asText().endsWith("Z") && !Instant.parse(post.get("updated_at").asText()).isBefore(created), post.toString());
        JsonNode bare = adminJson("GET", "/v1/admin/posts/1101", null, 200);
        assertTrue(bare.get("title").isNull() && bare.get("duration_s").isNull(), bare.toString());

        JsonNode paula = adminJson("GET", "/v1/admin/posts?artist_id=paula", null, 200);
        assertEquals(List.of("1101", "1102", "1103"), field(paula.get("items"), "post_id"));
        assertEquals(3, paula.get("total").asLong());
        JsonNode second = adminJson("GET", "/v1/admin/posts?artist_id=paula&per_page=2&page=2", null, 200);
        assertEquals(List.of("1103"), field(second.get("items"), "post_id"));
        assertEquals(3, second.get("total").asLong());
        JsonNode everyone = adminJson("GET", "/v1/admin/posts?per_page=100", null, 200);
        List<Long> ids = StreamSupport.stream(everyone.get("items").spliterator(), false).map(i -> i.get("post_id").asLong()).toList();
        assertEquals(ids.stream().sorted().toList(), ids, "in post id order");
        assertTrue(ids.containsAll(List.of(1101L, 1102L, 1103L, 1104L)), ids.toString());

        assertError(404, "post_not_found", "no such post", admin("GET", "/v1/admin/posts/1199", null));
        assertError(400, "invalid_payload", "post_id", admin("GET", "/v1/admin/posts/x", null));
        for (String query : List.of("page=0", "per_page=101", "artist_id=bad%20artist")) {
            assertError(400, "invalid_payload", query.substring(0, query.indexOf('=')), admin("GET", "/v1/admin/posts?" + query, null));
        }
    }

    @Test
    void aCatalogueLoadCreatesAndUpdatesAndIsSeenAtOnce() {
        vts.admin.post(1201, "rosa");
        assertEquals(200, send("GET", "/v1/posts/1201/counter", null, null).statusCode()); // caches the post's artist
        JsonNode written = adminJson("PUT", "/v1/admin/posts", catalogue(List.of(
                "{\"post_id\":1201,\"artist_id\":\"sami\",\"title\":\"Moved\",\"duration_s\":12}",
                entry(1202, "sami"),
                "{\"post_id\":1203,\"artist_id\":\"sami\",\"title\":null}")), 200);
        assertEquals(Map.of("created", 2, "updated", 1), JSON.convertValue(written, Map.class));

        JsonNode moved = adminJson("GET", "/v1/admin/posts/1201", null, 200);
        assertEquals("sami", moved.get("artist_id").asText());
        assertEquals("Moved", moved.get("title").asText());
        assertEquals(12, moved.get("duration_s").asInt());
        assertEquals(List.of("1201", "1202", "1203"), field(adminJson("GET", "/v1/admin/posts?artist_id=sami", null, 200).get("items"), "post_id"));
        assertEquals(200, send("GET", "/v1/posts/1201/stats", WebClient.token(SECRET, "sami", null), null).statusCode(),
                "the new artist reads it at once: the cached artist was forgotten");
        assertEquals(Map.of("created", 0, "updated", 0), JSON.convertValue(adminJson("PUT", "/v1/admin/posts", "{\"posts\":[]}", 200), Map.class));
    }

    @Test
    void aBadEntryLeavesTheWholeLoadUnwrittenAndIsNamed() {
        Map<String, String> badThirdEntries = Map.of(
                "{\"post_id\":1303,\"artist_id\":\"bad artist!\"}", "posts[2].artist_id",
                "{\"post_id\":1303}", "posts[2].artist_id is required",
                "{\"post_id\":1303,\"artist_id\":\"tom\",\"duration_s\":-1}", "posts[2].duration_s",
                "{\"post_id\":1303,\"artist_id\":\"tom\",\"title\":7}", "posts[2].title",
                "{\"post_id\":\"1303\",\"artist_id\":\"tom\"}", "posts[2].post_id",
                "{\"post_id\":0,\"artist_id\":\"tom\"}", "posts[2].post_id",
                "{\"artist_id\":\"tom\"}", "posts[2].post_id",
                "1303", "posts[2] must be an object",
                entry(1301, "tom"), "posts[2].post_id: 1301 is already in posts[0]");
        badThirdEntries.forEach((third, named) -> {
            HttpResponse<String> r = admin("PUT", "/v1/admin/posts", catalogue(List.of(entry(1301, "tom"), entry(1302, "tom"), third)));
            assertError(400, "invalid_payload", named, r);
            assertError(404, "post_not_found", "no such post", admin("GET", "/v1/admin/posts/1301", null));
            assertError(404, "post_not_found", "no such post", admin("GET", "/v1/admin/posts/1302", null));
        });
    }

    @Test
    void aThousandPostsLoadAndOneMoreIsRefused() {
        List<String> thousandAndOne = IntStream.rangeClosed(1, 1001).mapToObj(i -> entry(100_000 + i, "ulla")).toList();
        assertError(400, "invalid_payload", "at most 1000", admin("PUT", "/v1/admin/posts", catalogue(thousandAndOne)));
        assertEquals(0, adminJson("GET", "/v1/admin/posts?artist_id=ulla", null, 200).get("total").asLong());

        JsonNode written = adminJson("PUT", "/v1/admin/posts", catalogue(thousandAndOne.subList(0, 1000)), 200);
        assertEquals(1000, written.get("created").asInt());
        assertEquals(1000, adminJson("GET", "/v1/admin/posts?artist_id=ulla", null, 200).get("total").asLong());
    }

    @Test
    void malformedCatalogueBodiesAreRefused() {
        for (String body : new String[] {null, "{\"posts\": [", "[]", "{}", "{\"posts\": {}}", "{\"posts\": \"all\"}"}) {
            assertError(400, "invalid_payload", "", admin("PUT", "/v1/admin/posts", body));
        }
        assertError(400, "invalid_payload", "not valid JSON", admin("PUT", "/v1/admin/posts", "{\"posts\": ["));
        assertError(400, "invalid_payload", "posts must be an array", admin("PUT", "/v1/admin/posts", "{}"));
    }
}
