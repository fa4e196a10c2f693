package club.makapix.vts.bench;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * What {@code scripts/bench reliability} asks of {@link ReliabilityBench}.
 *
 * @param httpPort          the HTTP port every server of the run listens on
 * @param mqttPort          the MQTT port every server of the run listens on
 * @param adminToken        the servers' admin token
 * @param workDir           where the servers keep their data and logs (removed by the script)
 * @param serverJvmOptions  the servers' JVM options (VTS_JAVA_OPTS); none: the JVM's defaults
 * @param cycles            kill -9 cycles
 * @param outageSeconds     how long the database, then Redis, is away
 * @param players           players streaming views, half with event ids and half keyless
 * @param rate              views a second the players aim at in all
 * @param outDir            where the result files go
 */
record ReliabilityOptions(int httpPort, int mqttPort, String adminToken, Path workDir, List<String> serverJvmOptions,
                          int cycles, int outageSeconds, int players, int rate, Path outDir) {

    static ReliabilityOptions parse(String[] args) {
        BenchArgs a = new BenchArgs(args);
        String jvmOptions = a.text("server-java-options", "").trim();
        return new ReliabilityOptions(a.requiredNumber("http-port", 1, 65_535), a.requiredNumber("mqtt-port", 1, 65_535),
                a.required("admin-token"), Path.of(a.required("work-dir")),
                jvmOptions.isEmpty() ? List.of() : Arrays.asList(jvmOptions.split("\\s+")),
                (int) a.number("cycles", 20, 1, 1_000), (int) a.number("outage-seconds", 60, 1, 3_600),
                (int) a.number("players", 40, 2, 1_000), (int) a.number("rate", 2_000, 1, 100_000),
                Path.of(a.text("out", "bench-results")));
    }

    /** Each player's pause after a publish, for {@link #rate} views a second in all. */
    long pauseMillis() {
        return Math.max(0, Math.round(players * 1000.0 / rate));
    }
}
