package club.makapix.vts.bench;

import java.io.StringReader;
import java.io.StringWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyManager;

/**
 * The HTTP batch reference: the rows VTS stored during the batch load, read back and written again
 * with a plain COPY into a staging table shaped like view_events, on the same PostgreSQL. Rows go in
 * the request's groups ({@code rowsPerCopy} per COPY, each its own committed transaction, as each
 * batch is acknowledged only after its commit) from as many connections as the HTTP load used.
 * That is the floor: storing the same rows with nothing decided about them.
 */
final class CopyReference {
    private static final String STAGING = "bench_copy_reference";

    private final String jdbcUrl;

    CopyReference(String jdbcUrl) {
        this.jdbcUrl = jdbcUrl;
    }

    /** Rows per second; 0 when VTS stored no HTTP rows since {@code since}. */
    double rowsPerSecond(Instant since, int rowsPerCopy, int connections) throws Exception {
        List<String> rows = storedHttpRows(since);
        if (rows.isEmpty()) {
            return 0;
        }
        ConcurrentLinkedQueue<String> chunks = new ConcurrentLinkedQueue<>();
        for (int i = 0; i < rows.size(); i += rowsPerCopy) {
            chunks.add(String.join("\n", rows.subList(i, Math.min(rows.size(), i + rowsPerCopy))) + "\n");
        }
        List<Connection> opened = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        try {
            for (int i = 0; i < connections; i++) {
                opened.add(DriverManager.getConnection(jdbcUrl));   // opened before the clock starts
            }
            long start = System.nanoTime();
            List<Future<?>> copiers = new ArrayList<>();
            for (Connection c : opened) {
                CopyManager copy = c.unwrap(PGConnection.class).getCopyAPI();
                copiers.add(pool.submit(() -> {
                    for (String chunk = chunks.poll(); chunk != null; chunk = chunks.poll()) {
                        copy.copyIn("COPY " + STAGING + " FROM STDIN", new StringReader(chunk));
                    }
                    return null;
                }));
            }
            for (Future<?> f : copiers) {
                f.get();
            }
            return rows.size() / ((System.nanoTime() - start) / 1e9);
        } finally {
            pool.shutdownNow();
            for (Connection c : opened) {
                c.close();
            }
        }
    }

    /** The HTTP rows stored since {@code since}, one COPY text line each, in view_events' column order; empties the staging table. */
    private List<String> storedHttpRows(Instant since) throws Exception {
        try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
            s.execute("create table if not exists " + STAGING + " (like view_events)");
            s.execute("truncate " + STAGING);
            StringWriter out = new StringWriter();
            c.unwrap(PGConnection.class).getCopyAPI().copyOut(
                    "COPY (select * from view_events where door = 'http' and received_at >= '" + since + "') TO STDOUT", out);
            List<String> rows = new ArrayList<>();
            out.toString().lines().forEach(rows::add);
            return rows;
        }
    }
}
