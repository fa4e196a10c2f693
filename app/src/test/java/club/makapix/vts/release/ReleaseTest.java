package club.makapix.vts.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import club.makapix.vts.support.Admin;
import club.makapix.vts.support.Eventually;
import club.makapix.vts.support.Ports;
import club.makapix.vts.support.WebClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The release as an operator gets it: {@code scripts/package}'s tarball, unpacked into a new folder and
 * run with a PATH that holds the machine's ordinary programs but no {@code java} and no {@code mvn}.
 * It tells its version, checks settings, becomes ready on its embedded defaults, counts a view and
 * answers stats, on its own runtime, and stops cleanly on SIGTERM. {@code scripts/test} packages
 * first and names the tarball in {@code VTS_TEST_RELEASE}; without it (a developer's single test
 * run) this test is skipped.
 */
class ReleaseTest {
    static final String ADMIN_TOKEN = "release-test-admin-token";

    @Test
    @Timeout(240)
    void theUnpackedReleaseRunsOnItsOwnRuntimeWithoutJavaOrMavenOnThePath() throws Exception {
        String tarball = System.getenv("VTS_TEST_RELEASE");
        assumeTrue(tarball != null && !tarball.isBlank(), "VTS_TEST_RELEASE names the tarball (scripts/test sets it)");
        Path work = Files.createTempDirectory("vts-release");
        run(List.of("tar", "-xzf", tarball, "-C", work.toString()), Map.of(), 60);
        Path root;
        try (Stream<Path> unpacked = Files.list(work)) {
            root = unpacked.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        Path vts = root.resolve("bin/vts");
        Path tools = toolsWithoutJava(work.resolve("tools"));
        Map<String, String> noJava = Map.of("PATH", tools.toString());
        assertEquals(127, run(List.of("sh", "-c", "command -v java || command -v mvn || exit 127"), noJava, 10).exit,
                "the PATH given to the release holds no java and no mvn");

        Result version = run(List.of(vts.toString(), "--version"), noJava, 60);
        assertEquals(0, version.exit, version.output);
        assertTrue(version.output.trim().matches("vts \\d+\\.\\d+\\.\\d+"), version.output);
        assertTrue(root.getFileName().toString().endsWith(version.output.trim().substring(4)), "the folder is named for the version");

        Result bad = run(List.of(vts.toString(), "check"), Map.of("PATH", tools.toString(), "VTS_HTTP_PORT", "eighty"), 60);
        assertEquals(2, bad.exit, bad.output);
        assertTrue(bad.output.trim().startsWith("vts: VTS_HTTP_PORT: "), bad.output);
        assertEquals(0, run(List.of(vts.toString(), "check"), noJava, 60).exit);

        int httpPort = Ports.free();
        Path log = work.resolve("server.log");
        ProcessBuilder start = new ProcessBuilder(vts.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
        start.environment().clear();
        start.environment().putAll(Map.of("PATH", tools.toString(), "VTS_DATA_DIR", work.resolve("data").toString(),
                "VTS_BIND_ADDRESS", "127.0.0.1", "VTS_HTTP_PORT", Integer.toString(httpPort),
                "VTS_MQTT_PORT", Integer.toString(Ports.free()), "VTS_ADMIN_TOKEN", ADMIN_TOKEN));
        Process server = start.start();
        try {
            Eventually.until(Duration.ofSeconds(120), () -> !server.isAlive() || ready(httpPort),
                    () -> "the release became ready; its log:\n" + read(log));
            assertTrue(server.isAlive(), "the release stopped:\n" + read(log));
            String executable = Files.readSymbolicLink(Path.of("/proc", Long.toString(server.pid()), "exe")).toString();
            assertTrue(executable.startsWith(root.resolve("runtime").toString()), "runs on its own runtime: " + executable);

            Admin admin = new Admin(httpPort, ADMIN_TOKEN);
            admin.post(7, "artist-release");
            assertEquals(201, new WebClient(httpPort).post("/v1/posts/7/views", null).statusCode());
            String stats = admin.send("GET", "/v1/posts/7/stats", null).body();
            assertTrue(stats.contains("\"views\":1"), stats);
            assertEquals(200, Admin.get(httpPort, "/openapi.json").statusCode());
        } finally {
            server.destroy(); // SIGTERM, as systemd and container runtimes stop it
            assertTrue(server.waitFor(60, TimeUnit.SECONDS), "stopped within a minute of SIGTERM");
        }
        assertEquals(143, server.exitValue(), "the JVM's exit on SIGTERM (the unit's SuccessExitStatus)");
        assertTrue(read(log).contains("VTS stopped"), read(log));
    }

    /** The machine's programs (/usr/bin, /bin), without anything that is a JDK's or Maven's. */
    static Path toolsWithoutJava(Path tools) throws IOException {
        Files.createDirectories(tools);
        for (String folder : List.of("/usr/bin", "/bin")) {
            try (Stream<Path> programs = Files.list(Path.of(folder))) {
                for (Path program : (Iterable<Path>) programs::iterator) {
                    String name = program.getFileName().toString();
                    Path real;
                    try {
                        real = program.toRealPath();
                    } catch (IOException dangling) {
                        continue; // a dangling link: not a program the release needs
                    }
                    boolean jdkOrMaven = real.toString().contains("/jvm/") || real.toString().contains("maven")
                            || name.startsWith("java") || name.startsWith("mvn");
                    if (!jdkOrMaven && !Files.exists(tools.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(tools.resolve(name), program);
                    }
                }
            }
        }
        return tools;
    }

    static boolean ready(int httpPort) {
        try {
            return Admin.get(httpPort, "/health/ready").statusCode() == 200;
        } catch (RuntimeException e) {
            return false;
        }
    }

    record Result(int exit, String output) {}

    static Result run(List<String> command, Map<String, String> env, int seconds) throws Exception {
        ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true);
        if (!env.isEmpty()) {
            b.environment().clear();
            b.environment().putAll(env);
        }
        Process p = b.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(seconds, TimeUnit.SECONDS), String.join(" ", command) + " ended");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    static String read(Path log) {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(unreadable log: " + e + ")";
        }
    }
}
