package club.makapix.vts.support;

import club.makapix.vts.Main;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The server as its own operating-system process ({@code club.makapix.vts.Main} on the build's
 * runtime classpath), so a test can kill it with SIGKILL like a crash, and start it again.
 */
public final class ServerProcess implements AutoCloseable {
    /** A small heap and the quick JIT only: test machines are shared and starting fast matters more there. */
    private static final List<String> TEST_JVM_OPTIONS = List.of("-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    private final Process process;
    private final Path log;
    private final int httpPort;

    private ServerProcess(Process process, Path log, int httpPort) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
    }

    /** Starts the server with exactly these VTS_* settings (none inherited); its output goes to {@code log}. */
    public static ServerProcess start(Map<String, String> settings, Path log) throws IOException {
        return start(TEST_JVM_OPTIONS, settings, log);
    }

    /** As {@link #start(Map, Path)}, in a JVM with these options (none: the JVM's defaults, as deployed). */
    public static ServerProcess start(List<String> jvmOptions, Map<String, String> settings, Path log) throws IOException {
        Path classes = classesFolder();
        // the build writes the runtime classpath next to the classes
        String classpath = classes + File.pathSeparator + Files.readString(classes.resolveSibling("runtime-classpath.txt")).trim();
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, "club.makapix.vts.Main"));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().keySet().removeIf(name -> name.startsWith("VTS_"));
        builder.environment().putAll(settings);
        Files.createDirectories(log.getParent());
        builder.redirectErrorStream(true).redirectOutput(log.toFile());
        return new ServerProcess(builder.start(), log, Integer.parseInt(settings.get("VTS_HTTP_PORT")));
    }

    /** The server's compiled classes, found from where this JVM loaded them: any working folder will do. */
    private static Path classesFolder() {
        try {
            return Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until /health/ready answers 200; fails early, with the log, if the process died. */
    public void awaitReady(Duration timeout) throws InterruptedException {
        Eventually.until(timeout, () -> {
            if (!process.isAlive()) {
                throw new AssertionError("the server exited with " + process.exitValue() + ":\n" + logText());
            }
            try {
                return Admin.get(httpPort, "/health/ready").statusCode() == 200;
            } catch (IllegalStateException notListeningYet) {
                return false;
            }
        }, () -> "the server did not become ready; its log:\n" + logText());
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the server did not die from SIGKILL");
        }
    }

    /** SIGTERM, as Ctrl-C or a service manager sends it: the shutdown hooks run. Returns the exit code. */
    public int terminate(Duration timeout) throws InterruptedException {
        if (!stopped(timeout)) {
            throw new AssertionError("the server did not stop within " + timeout + " of SIGTERM; its log:\n" + logText());
        }
        return process.exitValue();
    }

    /** SIGTERM, then whether it exited within the timeout. */
    private boolean stopped(Duration timeout) throws InterruptedException {
        process.destroy();
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(cannot read " + log + ": " + e + ")";
        }
    }

    /**
     * Stops it if it still runs: SIGTERM, so that an embedded PostgreSQL is stopped with it rather
     * than left running, and SIGKILL if it has not stopped within 30 s.
     */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive() && !stopped(Duration.ofSeconds(30))) {
            kill();
        }
    }
}
