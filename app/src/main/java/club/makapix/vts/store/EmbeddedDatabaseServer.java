package club.makapix.vts.store;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL run from the binaries on the class path, with its data kept in a folder across
 * restarts: what VTS uses when no {@code VTS_DB_URL} is set.
 */
public final class EmbeddedDatabaseServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabaseServer.class);
    private final EmbeddedPostgres postgres;

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

    public String jdbcUrl() {
        return postgres.getJdbcUrl("postgres", "postgres");
    }

    public String user() {
        return "postgres";
    }

    @Override
    public void close() throws IOException {
        postgres.close();
    }
}
