package club.makapix.vts.support;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The settings every test server starts with: loopback, given ports and folder, a test database, fast logins. */
public final class TestSettings {
    private TestSettings() {}

    /** A mutable map: callers add what their test needs. {@code db} may be null (embedded defaults). */
    public static Map<String, String> base(TestDatabase db, Path dataDir, int httpPort, int mqttPort) {
        Map<String, String> env = new HashMap<>();
        env.put("VTS_BIND_ADDRESS", "127.0.0.1");
        env.put("VTS_HTTP_PORT", Integer.toString(httpPort));
        env.put("VTS_MQTT_PORT", Integer.toString(mqttPort));
        env.put("VTS_DATA_DIR", dataDir.toString());
        if (db != null) {
            env.put("VTS_DB_URL", db.url);
            env.put("VTS_DB_USER", db.user);
            if (db.password != null) {
                env.put("VTS_DB_PASSWORD", db.password);
            }
        }
        env.put("VTS_PASSWORD_HASH_ITERATIONS", "1000");
        env.put("VTS_ROLLUP_AT", "off"); // tests roll up when they mean to
        return env;
    }

    /** {@link #base}, plus an admin token and no player rate limit: for players streaming as fast as they can. */
    public static Map<String, String> streaming(TestDatabase db, Path dataDir, int httpPort, int mqttPort, String adminToken) {
        Map<String, String> env = base(db, dataDir, httpPort, mqttPort);
        env.put("VTS_ADMIN_TOKEN", adminToken);
        env.put("VTS_PLAYER_RATE_LIMIT_MS", "0");
        return env;
    }
}
