package club.makapix.vts.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real {@code redis-server} on a free loopback port, nothing persisted. {@link #stop()} and
 * {@link #start()} take it away and bring it back on the same port, as an outage would.
 *
 * <p>The binary is {@code VTS_TEST_REDIS_SERVER} (set by {@code scripts/test}) or {@code redis-server}
 * on the PATH; without one the tests fail, they are not skipped.
 */
public final class TestRedis implements AutoCloseable {
    private final Path binary;
    private final Path workDir;
    private final Path log;
    public final int port;
    private Process process;

    private TestRedis(Path binary, int port) throws IOException {
        this.binary = binary;
        this.port = port;
        this.workDir = Files.createTempDirectory("vts-test-redis");
        this.log = workDir.resolve("redis.log");
        // a test JVM that dies without closing must not leave redis-server running
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "test-redis-stop"));
    }

    /** A new Redis on a free port, started. */
    public static TestRedis create() throws IOException {
        TestRedis redis = new TestRedis(binary(), Ports.free());
        redis.start();
        return redis;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Brings Redis (back) up on its port, empty, and waits until it answers PING. */
    public synchronized void start() throws IOException {
        if (isRunning()) {
            throw new IllegalStateException("redis-server is already running on " + port);
        }
        process = new ProcessBuilder(binary.toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", workDir.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (!answersPing()) {
            if (!process.isAlive() || System.nanoTime() > until) {
                process.destroyForcibly();
                throw new IllegalStateException("redis-server did not come up on port " + port + ":\n" + Files.readString(log));
            }
            sleep(20);
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops Redis; its clients see their connections closed. */
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private boolean answersPing() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 500);
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] reply = new byte[7];
            int n = in.readNBytes(reply, 0, reply.length);
            return new String(reply, 0, n, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static Path binary() {
        String configured = System.getenv("VTS_TEST_REDIS_SERVER");
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            if (Files.isExecutable(path)) {
                return path;
            }
            throw new IllegalStateException("VTS_TEST_REDIS_SERVER=" + configured + " is not an executable redis-server");
        }
        String pathVariable = System.getenv().getOrDefault("PATH", "");
        for (String dir : List.of(pathVariable.split(java.io.File.pathSeparator))) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "redis-server");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server not found: install it (apt-get install redis-server) or set "
                + "VTS_TEST_REDIS_SERVER to its path; the shared-state tests need a real Redis");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        stop();
        try (var files = Files.list(workDir)) {
            for (Path f : files.toList()) {
                Files.deleteIfExists(f);
            }
            Files.deleteIfExists(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
