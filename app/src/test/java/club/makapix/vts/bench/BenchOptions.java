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
        BenchArgs a = new BenchArgs(args);
        return new BenchOptions(a.required("mqtt-uri"), a.requiredNumber("http-port", 1, 65_535), a.required("admin-token"),
                (int) a.number("players", 200, 1, 20_000), (int) a.number("seconds", 30, 1, 3_600),
                (int) a.number("inflight", 0, 1, 65_535), Path.of(a.text("out", "bench-results")));
    }
}
