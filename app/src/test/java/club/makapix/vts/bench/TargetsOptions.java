package club.makapix.vts.bench;

import java.nio.file.Path;

/**
 * What {@code scripts/bench targets} asks of {@link TargetsBench}.
 *
 * @param httpPort        the server's HTTP port
 * @param mqttPort        the server's MQTT port
 * @param mosquittoPort   the reference Mosquitto's port
 * @param adminToken      the server's admin token
 * @param serverPid       the server's JVM, for its heap and RSS
 * @param jdbcUrl         the server's PostgreSQL, for the COPY reference
 * @param players         MQTT players publishing in the load phases
 * @param inflight        publishes each player keeps awaiting a PUBACK
 * @param httpConnections keep-alive connections of the HTTP load
 * @param idlePlayers     players connected (idle) for the memory figure; 0 skips it
 * @param seconds         length of each load phase
 * @param runs            runs of every load phase; the table shows medians
 * @param outDir          where the result files go
 */
record TargetsOptions(int httpPort, int mqttPort, int mosquittoPort, String adminToken, long serverPid, String jdbcUrl,
                      int players, int inflight, int httpConnections, int idlePlayers, int seconds, int runs, Path outDir) {

    static TargetsOptions parse(String[] args) {
        int httpPort = 0;
        int mqttPort = 0;
        int mosquittoPort = 0;
        String adminToken = null;
        long serverPid = 0;
        String jdbcUrl = null;
        int players = 1000;
        int inflight = 1;
        int httpConnections = 16;
        int idlePlayers = 10_000;
        int seconds = 10;
        int runs = 3;
        Path outDir = Path.of("bench-results");
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--http-port" -> httpPort = number(name, value, 1, 65_535);
                case "--mqtt-port" -> mqttPort = number(name, value, 1, 65_535);
                case "--mosquitto-port" -> mosquittoPort = number(name, value, 1, 65_535);
                case "--admin-token" -> adminToken = value;
                case "--server-pid" -> serverPid = number(name, value, 1, Integer.MAX_VALUE);
                case "--jdbc-url" -> jdbcUrl = value;
                case "--players" -> players = number(name, value, 1, 20_000);
                case "--inflight" -> inflight = number(name, value, 1, 65_535);
                case "--http-connections" -> httpConnections = number(name, value, 1, 1_000);
                case "--idle-players" -> idlePlayers = number(name, value, 0, 19_000);
                case "--seconds" -> seconds = number(name, value, 1, 3_600);
                case "--runs" -> runs = number(name, value, 1, 99);
                case "--out" -> outDir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (httpPort == 0 || mqttPort == 0 || mosquittoPort == 0 || adminToken == null || serverPid == 0 || jdbcUrl == null) {
            throw new IllegalArgumentException("--http-port, --mqtt-port, --mosquitto-port, --admin-token, --server-pid and --jdbc-url are required");
        }
        return new TargetsOptions(httpPort, mqttPort, mosquittoPort, adminToken, serverPid, jdbcUrl, players, inflight,
                httpConnections, idlePlayers, seconds, runs, outDir);
    }

    private static int number(String name, String value, int min, int max) {
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " must be a whole number from " + min + " to " + max + ", not '" + value + "'");
    }
}
