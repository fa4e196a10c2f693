package club.makapix.vts.privacy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.GeoFixture;
import club.makapix.vts.support.Mqtt3Player;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.ServerProcess;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestSettings;
import club.makapix.vts.support.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Runs the real server process, sends it traffic from a handful of addresses through both doors
 * (good and bad requests, a failed login), then reads every text column of every table and the
 * server's whole log: none of the client addresses may appear anywhere.
 */
class PrivacyTest {
    /** The addresses used, in the spellings a leak could take. */
    static final Map<String, List<String>> ADDRESSES = Map.of(
            "203.0.113.9", List.of("203.0.113.9"),
            "198.51.100.23", List.of("198.51.100.23"),
            "2001:db8::7", List.of("2001:db8::7", "2001:db8:0:0:0:0:0:7", "2001:0db8:0000:0000:0000:0000:0000:0007"),
            "127.0.0.1", List.of("127.0.0.1"));

    @ParameterizedTest(name = "VTS_LOG_FORMAT={0}")
    @ValueSource(strings = {"text", "json"})
    void noClientAddressReachesTheDatabaseOrTheLog(String logFormat) throws Exception {
        TestDatabase db = TestDatabase.create();
        Path work = Files.createTempDirectory("vts-privacy");
        int http = Ports.free();
        int mqtt = Ports.free();
        String token = "privacy-admin-token-" + UUID.randomUUID();
        Map<String, String> env = TestSettings.base(db, work.resolve("data"), http, mqtt);
        env.put("VTS_ADMIN_TOKEN", token);
        env.put("VTS_GEOIP_DB", GeoFixture.writeTo(work).toString());
        env.put("VTS_TRUSTED_PROXIES", "127.0.0.1/32,::1");
        env.put("VTS_LOG_FORMAT", logFormat);
        Path log = Path.of("target", "privacy-test", "server-" + logFormat + ".log");
        String key = UUID.randomUUID().toString();
        try (ServerProcess server = ServerProcess.start(env, log)) {
            server.awaitReady(Duration.ofSeconds(90));
            Admin admin = new Admin(http, token);
            admin.post(31, "artist-p");
            admin.player(key, "owner-p", "secret-" + key);
            WebClient web = new WebClient(http);
            for (String address : List.of("203.0.113.9", "198.51.100.23", "2001:db8::7")) {
                web.post("/v1/posts/31/views", null, "X-Forwarded-For", address);
                web.post("/v1/posts/31/views", "{\"intent\":\"impression\"}", "X-Forwarded-For", address);
                web.post("/v1/posts/31/views", "{broken", "X-Forwarded-For", address);
                web.post("/v1/posts/404404/views", null, "X-Forwarded-For", address);
                web.post("/v1/events", "{\"events\":[{\"post_id\":31,\"event_id\":\"" + UUID.randomUUID() + "\"}]}",
                        "X-Forwarded-For", address);
                web.post("/v1/posts/31/views", null, "X-Forwarded-For", address, "User-Agent", WebClient.GOOGLEBOT);
                web.post("/v1/posts/31/views", null, "X-Forwarded-For", address, "Authorization", "Bearer forged");
            }
            try (Mqtt3Player p = Mqtt3Player.connect("tcp://127.0.0.1:" + mqtt, key, "secret-" + key, null)) {
                p.publishView(("{\"post_id\": 31, \"timestamp\": \"2026-11-21T16:24:15Z\", \"intent\": \"artwork\", "
                        + "\"player_key\": \"" + key + "\"}").getBytes());
                p.publishView("not json".getBytes());
            }
            try {
                Mqtt3Player.connect("tcp://127.0.0.1:" + mqtt, key, "wrong-secret", null).close();
            } catch (MqttException refused) {
                // expected: the failed login is part of the traffic whose traces we look for
            }
            assertTrue(db.count("select count(*) from view_events where country is not null") >= 4,
                    "the traffic was stored, with countries looked up before hashing");
        }
        String logText = Files.readString(log);
        assertTrue(logText.contains("VTS is up"), "the log was captured:\n" + logText);
        if (logFormat.equals("json")) {
            assertEveryLogLineIsOneJsonObject(logText);
        }
        List<String> leaks = new ArrayList<>();
        for (var entry : ADDRESSES.entrySet()) {
            for (String spelling : entry.getValue()) {
                if (logText.contains(spelling)) {
                    leaks.add("log contains " + spelling);
                }
            }
        }
        for (Map<String, Object> column : db.rows("""
                select table_name, column_name, data_type from information_schema.columns
                where table_schema = 'public' and data_type in
                    ('text', 'character varying', 'character', 'json', 'jsonb', 'inet', 'cidr', 'bytea', 'uuid')
                """)) {
            String table = (String) column.get("table_name");
            String name = (String) column.get("column_name");
            if ("inet".equals(column.get("data_type")) || "cidr".equals(column.get("data_type"))) {
                leaks.add(table + "." + name + " is an address column");
            }
            for (var entry : ADDRESSES.entrySet()) {
                for (String spelling : entry.getValue()) {
                    long hits = db.count("select count(*) from \"" + table + "\" where \"" + name + "\"::text like ?",
                            "%" + spelling + "%");
                    if (hits > 0) {
                        leaks.add(table + "." + name + " contains " + spelling + " (" + hits + " rows)");
                    }
                }
            }
        }
        assertEquals(List.of(), leaks);
    }

    /** What the server's logging wrote is one JSON object per line, with its time, level, logger and message. */
    static void assertEveryLogLineIsOneJsonObject(String logText) throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        int lines = 0;
        for (String line : logText.lines().toList()) {
            // the JVM itself may warn on stderr before logging starts (the log captures both)
            if (line.startsWith("WARNING: ") || line.isBlank()) {
                continue;
            }
            com.fasterxml.jackson.databind.JsonNode entry = json.readTree(line);
            for (String field : List.of("time", "level", "logger", "message")) {
                assertTrue(entry.hasNonNull(field), "no " + field + " in " + line);
            }
            lines++;
        }
        assertTrue(lines > 3, "the server logged only " + lines + " lines");
    }
}
