package club.makapix.vts.bench;

import java.nio.file.Path;

/**
 * What {@code scripts/bench targets} asks of {@link TargetsBench}.
 *
 * @param httpPort        the server's HTTP port
 * @param mqttPort        the server's MQTT port
 * @param mosquittoPort   the reference Mosquitto's port
 * @param adminToken      the server's admin token
 * @param serviceUser     the server's MQTT service account, the backend of the relay phases
 * @param servicePassword its password
 * @param serverPid       the server's JVM, for its heap, RSS and CPU
 * @param databasePid     the server's PostgreSQL postmaster, for its CPU
 * @param mosquittoPid    the reference Mosquitto, for its CPU
 * @param jdbcUrl         the server's PostgreSQL, for the COPY reference
 * @param players         MQTT players publishing in the load phases
 * @param inflight        publishes each player keeps awaiting a PUBACK
 * @param httpConnections keep-alive connections of the HTTP batch load (and of its COPY reference)
 * @param singleConnections keep-alive connections of the single-POST and hello-world loads
 * @param idlePlayers     players connected (idle) for the memory figure; 0 skips it
 * @param seconds         length of each load phase
 * @param runs            runs of every load phase; the table shows medians
 * @param outDir          where the result files go
 */
record TargetsOptions(int httpPort, int mqttPort, int mosquittoPort, String adminToken, String serviceUser, String servicePassword,
                      long serverPid, long databasePid, long mosquittoPid, String jdbcUrl, int players, int inflight,
                      int httpConnections, int singleConnections, int idlePlayers, int seconds, int runs, Path outDir) {

    static TargetsOptions parse(String[] args) {
        BenchArgs a = new BenchArgs(args);
        return new TargetsOptions(a.requiredNumber("http-port", 1, 65_535), a.requiredNumber("mqtt-port", 1, 65_535),
                a.requiredNumber("mosquitto-port", 1, 65_535), a.required("admin-token"),
                a.required("service-user"), a.required("service-password"),
                a.requiredNumber("server-pid", 1, Integer.MAX_VALUE), a.requiredNumber("database-pid", 1, Integer.MAX_VALUE),
                a.requiredNumber("mosquitto-pid", 1, Integer.MAX_VALUE), a.required("jdbc-url"),
                (int) a.number("players", 1000, 1, 20_000), (int) a.number("inflight", 1, 1, 65_535),
                (int) a.number("http-connections", 16, 1, 50), (int) a.number("single-connections", 128, 1, 1_000),
                (int) a.number("idle-players", 10_000, 0, 19_000),
                (int) a.number("seconds", 10, 1, 3_600), (int) a.number("runs", 3, 1, 99),
                Path.of(a.text("out", "bench-results")));
    }
}
