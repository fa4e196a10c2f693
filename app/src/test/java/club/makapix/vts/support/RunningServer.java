package club.makapix.vts.support;

import club.makapix.vts.Server;
import club.makapix.vts.config.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/** A VTS server started in this JVM on free ports, on a test database or its embedded one. */
public final class RunningServer implements AutoCloseable {
    public final Server server;
    public final TestDatabase db;
    public final int mqttPort;
    public final Admin admin;
    public final Path dataDir;

    private RunningServer(Server server, TestDatabase db, int mqttPort, Path dataDir) {
        this.server = server;
        this.db = db;
        this.mqttPort = mqttPort;
        this.dataDir = dataDir;
        this.admin = new Admin(server.httpPort(), server.adminToken());
    }

    /** Starts a server; {@code overrides} are VTS_* settings on top of the test defaults. */
    public static RunningServer start(TestDatabase db, Map<String, String> overrides) throws Exception {
        return start(db, overrides, Clock.systemUTC());
    }

    /** Starts a server whose "now" is {@code clock} (a {@link TestClock} lets a test move through days). */
    public static RunningServer start(TestDatabase db, Map<String, String> overrides, Clock clock) throws Exception {
        return start(db, Files.createTempDirectory("vts-test-data"), overrides, clock);
    }

    /**
     * Starts a server on its embedded defaults: no VTS_DB_URL, so its own PostgreSQL is kept under
     * {@code dataDir}, as is the admin token; {@link #db} is null.
     */
    public static RunningServer startEmbedded(Path dataDir) throws Exception {
        return start(null, dataDir, Map.of(), Clock.systemUTC());
    }

    private static RunningServer start(TestDatabase db, Path dataDir, Map<String, String> settings, Clock clock)
            throws Exception {
        Map<String, String> env = TestSettings.base(db, dataDir, 0, Ports.free());
        env.putAll(settings);
        Server server = Server.start(Settings.from(env), clock);
        return new RunningServer(server, db, Integer.parseInt(env.get("VTS_MQTT_PORT")), dataDir);
    }

    public static RunningServer start() throws Exception {
        return start(TestDatabase.create(), Map.of());
    }

    public String mqttUri() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    public int httpPort() {
        return server.httpPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
