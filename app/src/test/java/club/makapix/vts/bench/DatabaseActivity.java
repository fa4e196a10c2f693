package club.makapix.vts.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the server's PostgreSQL did during a phase, read from PostgreSQL itself: each statement's calls,
 * time and rows ({@code pg_stat_statements}, when the server was started with it preloaded:
 * {@link #preload}), and what its busy backends were waiting on, sampled every {@value #SAMPLE_MS} ms from {@code pg_stat_activity}
 * (none: running; {@code Lock:transactionid}: a row another transaction holds; {@code IO:WalSync}: the
 * commit's WAL flush…). The benchmark's own queries are left out of every figure. Commits are not
 * read from {@code pg_stat_database.xact_commit}: a backend reports its count there seconds late (a
 * first version found a third of a phase's commits missing), so they are counted from the server's
 * write batches, one transaction each.
 */
final class DatabaseActivity implements AutoCloseable {
    private static final long SAMPLE_MS = 50;
    /** Marks the benchmark's own queries, so that they are left out of the statement figures. */
    private static final String OWN = "/* bench */ ";

    /** One statement, as pg_stat_statements normalises it. */
    record StatementUse(String query, long calls, double totalMs, long rows) {
        double meanMs() {
            return calls == 0 ? 0 : totalMs / calls;
        }
    }

    /**
     * @param statements by calls, most first; empty when pg_stat_statements is not loaded
     * @param waits      samples of busy backends by what they waited on ("running" when nothing)
     */
    record Phase(List<StatementUse> statements, Map<String, Long> waits) {
        long calls() {
            return statements.stream().mapToLong(StatementUse::calls).sum();
        }

        double totalMs() {
            return statements.stream().mapToDouble(StatementUse::totalMs).sum();
        }

        /** The statement whose text starts with {@code prefix} (lower case, after white space), or null. */
        StatementUse find(String prefix) {
            return statements.stream().filter(s -> startsWith(s, prefix)).findFirst().orElse(null);
        }

        /** Calls of the statements whose text starts with one of the prefixes. */
        long calls(String... prefixes) {
            return statements.stream().filter(s -> java.util.Arrays.stream(prefixes).anyMatch(p -> startsWith(s, p)))
                    .mapToLong(StatementUse::calls).sum();
        }

        private static boolean startsWith(StatementUse s, String prefix) {
            return s.query().strip().toLowerCase().startsWith(prefix);
        }
    }

    private final Connection connection;
    private final Connection sampling;
    private final boolean statementsLoaded;
    private volatile boolean sampleRunning;
    private Thread sampler;
    private final Map<String, Long> waits = new TreeMap<>();

    /** Asks PostgreSQL to preload pg_stat_statements from its next start (ALTER SYSTEM: postgresql.auto.conf). */
    static void preload(String jdbcUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute("alter system set shared_preload_libraries = 'pg_stat_statements'");
            s.execute("alter system set pg_stat_statements.track_utility = on");
        }
    }

    DatabaseActivity(String jdbcUrl) throws SQLException {
        connection = DriverManager.getConnection(jdbcUrl);
        sampling = DriverManager.getConnection(jdbcUrl);
        boolean loaded;
        try (Statement s = connection.createStatement()) {
            s.execute(OWN + "create extension if not exists pg_stat_statements");
            s.executeQuery(OWN + "select count(*) from pg_stat_statements").close();
            loaded = true;
        } catch (SQLException e) {
            System.out.println("  (pg_stat_statements is not loaded: " + e.getMessage().lines().findFirst().orElse("")
                    + "; no statement figures)");
            loaded = false;
        }
        statementsLoaded = loaded;
    }

    boolean statementsLoaded() {
        return statementsLoaded;
    }

    /** Starts counting: statement figures reset, the wait sampler running. */
    void start() throws SQLException {
        try (Statement s = connection.createStatement()) {
            if (statementsLoaded) {
                s.execute(OWN + "select pg_stat_statements_reset()");
            }
        }
        waits.clear();
        sampleRunning = true;
        sampler = new Thread(this::sample, "bench-wait-sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    /** Stops counting and reads what happened since {@link #start()}. */
    Phase stop() throws SQLException, InterruptedException {
        sampleRunning = false;
        sampler.join();
        List<StatementUse> statements = new ArrayList<>();
        try (Statement s = connection.createStatement()) {
            if (statementsLoaded) {
                try (ResultSet rs = s.executeQuery(OWN + "select query, calls, total_exec_time, rows from pg_stat_statements "
                        + "where calls > 0 and query not like '%/* bench */%' and query not like '%pg_stat_%' order by calls desc")) {
                    while (rs.next()) {
                        statements.add(new StatementUse(rs.getString(1), rs.getLong(2), rs.getDouble(3), rs.getLong(4)));
                    }
                }
            }
        }
        statements.sort(Comparator.comparingLong(StatementUse::calls).reversed());
        return new Phase(statements, new LinkedHashMap<>(waits));
    }

    private void sample() {
        try (Statement s = sampling.createStatement()) {
            while (sampleRunning) {
                try (ResultSet rs = s.executeQuery(OWN + "select coalesce(wait_event_type || ':' || wait_event, 'running') "
                        + "from pg_stat_activity where state = 'active' and backend_type = 'client backend' "
                        + "and pid <> pg_backend_pid() and query not like '%/* bench */%'")) {
                    while (rs.next()) {
                        waits.merge(rs.getString(1), 1L, Long::sum);
                    }
                }
                Thread.sleep(SAMPLE_MS);
            }
        } catch (SQLException e) {
            System.out.println("  (wait sampling stopped: " + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() throws SQLException {
        connection.close();
        sampling.close();
    }
}
