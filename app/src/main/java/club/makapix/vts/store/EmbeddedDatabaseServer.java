package club.makapix.vts.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL run from the binaries on the class path, with its data kept in a folder across
 * restarts: what VTS uses when no {@code VTS_DB_URL} is set.
 */
public final class EmbeddedDatabaseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabaseServer.class);
    private final EmbeddedPostgres postgres;
    /** Set while the library's own shutdown hook is disarmed (see {@link #leaveStopToOwner()}); read by the stopping thread. */
    private volatile AtomicBoolean disarmedHook;

    private EmbeddedDatabaseServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    public static EmbeddedDatabaseServer start(Path dataDirectory) throws IOException {
        Files.createDirectories(dataDirectory);
        stopOrphan(dataDirectory);
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(false)
                .setPGStartupWait(Duration.ofSeconds(60))
                .setServerConfig("max_connections", "100")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("fsync", "on")
                // Fewer checkpoints: right after one, every first change of a page writes the whole
                // page to the WAL, and the random keys of event_keys touch pages all over; the bench
                // saw commits slow for seconds whenever the default 1 GB of WAL forced one.
                .setServerConfig("max_wal_size", "4GB")
                .setServerConfig("checkpoint_timeout", "15min")
                // A new 16 MB WAL segment is otherwise filled with zeros while the WAL write lock is
                // held: every commit waited about 60 ms each time one was made, every 3-4 s under
                // load (the bench's PUBACK p99 at half rate: a slow second every 3.6 s). Until
                // checkpoints recycle old segments, every segment is new: for the first 4 GB of WAL,
                // and again whenever the WAL grows. The zeros only reserve the disk space early: a
                // full disk then stops PostgreSQL at a WAL write instead, no commit lost either way.
                .setServerConfig("wal_init_zero", "off")
                .start();
        return new EmbeddedDatabaseServer(postgres);
    }

    /**
     * A server killed with -9 leaves its PostgreSQL running on the folder; stop it so this start
     * can take the folder over.
     */
    private static void stopOrphan(Path dataDirectory) throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty()
                : ProcessHandle.of(Long.parseLong(lines.get(0).trim()));
        if (orphan.isEmpty() || !orphan.get().isAlive()) {
            return;
        }
        LOG.warn("Stopping PostgreSQL (pid {}) left running on {} by an earlier server", orphan.get().pid(), dataDirectory);
        orphan.get().destroy();
        try {
            orphan.get().onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            orphan.get().destroyForcibly();
        }
    }

    /**
     * The library registers a JVM shutdown hook that stops PostgreSQL, and the JVM runs all hooks
     * at once: on SIGTERM the database went away while the server's own hook was still draining the
     * writer, and queued events went unwritten. An owner that stops this server from its own hook,
     * after the parts that use the database, calls this to leave the stop to it. The library offers
     * no switch for its hook; its {@code close()} does nothing once its private {@code closed} flag
     * is set, so the flag is set now and cleared again in {@link #close()}. Should a later version
     * lack the flag, the library's hook stays as it was, with a warning.
     */
    public void leaveStopToOwner() {
        try {
            Field closed = EmbeddedPostgres.class.getDeclaredField("closed");
            closed.setAccessible(true);
            AtomicBoolean flag = (AtomicBoolean) closed.get(postgres);
            if (flag.compareAndSet(false, true)) {
                disarmedHook = flag;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.warn("Cannot disarm the embedded PostgreSQL's own shutdown hook ({}); on SIGTERM it may stop before the "
                    + "server has written what it queued", e.toString());
        }
    }

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    /** Its port on localhost (picked at each start): where pg_dump reaches it while VTS runs. */
    public int port() {
        return postgres.getPort();
    }

    public String user() {
        return "postgres";
    }

    @Override
    public void close() throws IOException {
        if (disarmedHook != null) {
            disarmedHook.set(false);
        }
        LOG.info("Stopping the embedded PostgreSQL");
        postgres.close();
    }
}
