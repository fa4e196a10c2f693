package club.makapix.vts.bench;

import java.nio.file.Path;

/**
 * What one benchmark run does, from {@code scripts/bench}'s command line.
 *
 * @param mqttUri    the server's plain MQTT listener
 * @param httpPort   the server's HTTP port (admin API and /metrics)
 * @param adminToken the server's admin token
 * @param players    simulated players, one MQTT connection each
 * @param seconds    how long the load runs
 * @param inflight   unacknowledged publishes per player; 0 = the server's receive maximum
 * @param outDir     where the result files go
 */
record BenchOptions(String mqttUri, int httpPort, String adminToken, int players, int seconds, int inflight,
                    Path outDir) {

    static BenchOptions parse(String[] args) {
        String mqttUri = null;
        String adminToken = null;
        int httpPort = 0;
        int players = 200;
        int seconds = 30;
        int inflight = 0;
        Path outDir = Path.of("bench-results");
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(name + " needs a value");
            }
            String value = args[++i];
            switch (name) {
                case "--mqtt-uri" -> mqttUri = value;
                case "--http-port" -> httpPort = number(name, value, 1, 65_535);
                case "--admin-token" -> adminToken = value;
                case "--players" -> players = number(name, value, 1, 20_000);
                case "--seconds" -> seconds = number(name, value, 1, 3_600);
                case "--inflight" -> inflight = number(name, value, 1, 65_535);
                case "--out" -> outDir = Path.of(value);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (mqttUri == null || httpPort == 0 || adminToken == null) {
            throw new IllegalArgumentException("--mqtt-uri, --http-port and --admin-token are required");
        }
        return new BenchOptions(mqttUri, httpPort, adminToken, players, seconds, inflight, outDir);
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
