package club.makapix.vts.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: one server per test JVM (embedded binaries, or the server named by
 * {@code VTS_TEST_DB_URL}), and a fresh database for each caller.
 */
public final class TestDatabase {
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static EmbeddedPostgres server;

    public final String url;
    public final String user;
    public final String password;

    private TestDatabase(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** A new, empty database on the shared test server. */
    public static synchronized TestDatabase create() {
        String admin = adminUrl();
        String name = "vts_test_" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
        try (Connection c = DriverManager.getConnection(admin, user(), password());
             Statement s = c.createStatement()) {
            s.execute("create database " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create test database", e);
        }
        return new TestDatabase(admin.substring(0, admin.lastIndexOf('/') + 1) + name, user(), password());
    }

    /**
     * The embedded PostgreSQL of a running server, kept in its data folder: the port is the fourth
     * line of its {@code postmaster.pid}, and it trusts local connections as postgres.
     */
    public static TestDatabase embeddedIn(Path dataDir) {
        try {
            String port = Files.readAllLines(dataDir.resolve("postgres").resolve("postmaster.pid")).get(3).trim();
            return new TestDatabase("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String adminUrl() {
        String external = System.getenv("VTS_TEST_DB_URL");
        if (external != null && !external.isBlank()) {
            return external;
        }
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return server.getJdbcUrl("postgres", "postgres");
    }

    private static String user() {
        String u = System.getenv("VTS_TEST_DB_USER");
        return u == null || u.isBlank() ? "postgres" : u;
    }

    private static String password() {
        return System.getenv("VTS_TEST_DB_PASSWORD");
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url, user, password);
    }

    /** Rows of a query as column→value maps, in order. */
    public List<Map<String, Object>> rows(String sql, Object... params) {
        try (Connection c = connect(); var ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            List<Map<String, Object>> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                int columns = rs.getMetaData().getColumnCount();
                while (rs.next()) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= columns; i++) {
                        row.put(rs.getMetaData().getColumnLabel(i), rs.getObject(i));
                    }
                    out.add(row);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    public long count(String sql, Object... params) {
        return ((Number) rows(sql, params).get(0).values().iterator().next()).longValue();
    }

    /** The port of the server, for tests that put a proxy in front of it. */
    public int port() {
        String rest = url.substring(url.indexOf("//") + 2);
        return Integer.parseInt(rest.substring(rest.indexOf(':') + 1, rest.indexOf('/')));
    }

    public String host() {
        String rest = url.substring(url.indexOf("//") + 2);
        return rest.substring(0, rest.indexOf(':'));
    }

    public String databaseName() {
        String name = url.substring(url.lastIndexOf('/') + 1);
        int q = name.indexOf('?');
        return q < 0 ? name : name.substring(0, q);
    }
}
