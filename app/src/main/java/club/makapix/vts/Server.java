package club.makapix.vts;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.config.DataDir;
import club.makapix.vts.config.InvalidSettingException;
import club.makapix.vts.config.Settings;
import club.makapix.vts.http.HttpServer;
import club.makapix.vts.http.MetricsEndpoint;
import club.makapix.vts.mqtt.Broker;
import club.makapix.vts.mqtt.ConnectedPlayers;
import club.makapix.vts.mqtt.DevicePlaneMetrics;
import club.makapix.vts.mqtt.NodeLink;
import club.makapix.vts.mqtt.StatusRecorder;
import club.makapix.vts.pipeline.AddressHasher;
import club.makapix.vts.pipeline.CountryLookup;
import club.makapix.vts.pipeline.DeviceClassifier;
import club.makapix.vts.pipeline.Doors;
import club.makapix.vts.pipeline.LocalWindowState;
import club.makapix.vts.pipeline.WindowState;
import club.makapix.vts.rollup.Rollup;
import club.makapix.vts.rollup.RollupScheduler;
import club.makapix.vts.stats.LocalStatsCache;
import club.makapix.vts.stats.RedisStatsCache;
import club.makapix.vts.stats.StatsCache;
import club.makapix.vts.stats.StatsReader;
import club.makapix.vts.store.Database;
import club.makapix.vts.store.EmbeddedDatabaseServer;
import club.makapix.vts.store.EventWriter;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.PostDirectory;
import club.makapix.vts.store.RedisConnection;
import club.makapix.vts.store.RedisWindowState;
import club.makapix.vts.store.SecretHasher;
import club.makapix.vts.store.ViewEventStore;
import club.makapix.vts.store.ViewerData;
import club.makapix.vts.store.WatchingStore;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.sql.SQLException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, wired in one place: storage, the one pipeline, the MQTT broker and the HTTP
 * server. Parts start in dependency order and stop in reverse; a part that fails to start stops
 * the ones before it, so nothing half-starts.
 */
public final class Server implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Server.class);

    private final Deque<AutoCloseable> started = new ArrayDeque<>();
    private final Settings settings;
    private final Clock clock;
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private Database database;
    private EmbeddedDatabaseServer embeddedDatabase;
    private Broker broker;
    private HttpServer http;
    /** The port /metrics has to itself, or 0 when it is served on the HTTP port. */
    private int metricsPort;
    private String adminToken;

    private Server(Settings settings, Clock clock) {
        this.settings = settings;
        this.clock = clock;
    }

    public static Server start(Settings settings) throws Exception {
        return start(settings, Clock.systemUTC());
    }

    /** Starts with a given clock: what "now" is for arriving events, the rollup and default ranges. */
    public static Server start(Settings settings, Clock clock) throws Exception {
        Server server = new Server(settings, clock);
        try {
            server.startParts();
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void startParts() throws Exception {
        checkPortsFree();
        DataDir dataDir = new DataDir(settings.storage().dataDir());
        started.push(dataDir.lock());
        adminToken = settings.adminToken();
        if (adminToken == null) {
            DataDir.Secret token = dataDir.secret("admin-token");
            adminToken = token.value();
            if (token.created()) {
                LOG.info("Admin token (made now, kept in {}): {}", dataDir.resolve("admin-token"), adminToken);
            }
        }
        new JvmMemoryMetrics().bindTo(metrics);
        new JvmGcMetrics().bindTo(metrics);
        new JvmCompilationMetrics().bindTo(metrics);
        new JvmThreadMetrics().bindTo(metrics);
        new ProcessorMetrics().bindTo(metrics);

        database = openDatabase(dataDir);
        started.push(database);
        ViewEventStore events = new ViewEventStore(database.dataSource());
        keepPartitionsAhead(events);
        ExecutorService directoryRefresh = Executors.newSingleThreadExecutor(DaemonThreads.named("vts-directory-refresh"));
        started.push(directoryRefresh::shutdownNow);
        PlayerDirectory players = new PlayerDirectory(database.jdbi(), new SecretHasher(settings.storage().passwordHashIterations()),
                directoryRefresh);
        PostDirectory posts = new PostDirectory(database.jdbi(), directoryRefresh);

        RedisConnection redis = openRedis();
        WindowState window = windowState(redis);
        EventWriter writer = new EventWriter(database.dataSource(), events,
                new WatchingStore(settings.watching().recentlyViewedMax()), settings.storage().writeBatching(), metrics);
        started.push(writer);
        ThreadPoolExecutor stageThreads = new ThreadPoolExecutor(4, 4, 60, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(settings.storage().writeBatching().queueCapacity()), DaemonThreads.named("vts-pipeline"));
        started.push(stageThreads::shutdownNow);
        Doors doors = Doors.build(
                new Doors.Lookups(players, posts, window, countries(),
                        new AddressHasher(ipHashKey(dataDir), settings.ingest().dailyIpHashKey()), new DeviceClassifier()::classify),
                new Doors.Limits(settings.ingest().playerRateLimit(), settings.web().impressionRateLimit(),
                        settings.watching().reportInterval(), settings.watching().completeAtPercent()),
                writer, stageThreads, metrics);

        StatusRecorder statuses = new StatusRecorder(players);
        started.push(statuses);
        ConnectedPlayers connected = new ConnectedPlayers(metrics);
        NodeLink nodes = redis == null ? NodeLink.alone() : NodeLink.over(redis, metrics);
        started.push(nodes);
        connected.link(nodes);
        broker = Broker.start(settings, settings.storage().dataDir().resolve("hivemq"), doors.players(), players, connected, statuses,
                new DevicePlaneMetrics(metrics), nodes, clock);
        started.push(broker);

        StatsCache statsCache = redis == null ? new LocalStatsCache(settings.statsCacheTtl())
                : new RedisStatsCache(redis, settings.statsCacheTtl(), metrics);
        Rollup rollup = new Rollup(database.dataSource(), clock, rollupGrace(), settings.rollup().retentionDays(), metrics,
                statsCache::refresh);
        rollup.publishWatermark();
        if (settings.rollup().at() != null) {
            started.push(new RollupScheduler(rollup, settings.rollup().at(), clock));
        }

        MetricsEndpoint metricsEndpoint = new MetricsEndpoint(settings.metrics(), metrics);
        started.push(metricsEndpoint);
        if (settings.metrics().port() != null) {
            metricsPort = metricsEndpoint.listen(settings.listen().bindAddress(), settings.metrics().port());
        }
        http = new HttpServer(settings.listen().bindAddress(), settings.listen().httpPort(), settings.web(), new HttpServer.Parts(adminToken,
                doors, players, posts, connected, metrics,
                new HttpServer.Readiness(database::isReachable, broker::isRunning),
                new StatsReader(database.jdbi()), statsCache, rollup, new ViewerData(database.jdbi()),
                settings.metrics().port() == null ? metricsEndpoint : null, clock));
        started.push(http);
        LOG.info("VTS is up: HTTP on {}, MQTT on {}{}", http.port(), settings.listen().mqttPort(),
                settings.mqtt().tls() != null ? ", MQTT over TLS on " + settings.listen().mqttsPort() : "");
        LOG.info(whereToGo(dataDir));
    }

    /** The start-up's last word: where to go next, and where the admin token is. */
    private String whereToGo(DataDir dataDir) {
        String bind = settings.listen().bindAddress();
        // a wildcard or loopback bind is reached as localhost (and an address would be masked in the log)
        String host = bind.equals("0.0.0.0") || bind.equals("::") || bind.startsWith("127.") || bind.equals("::1") ? "localhost" : bind;
        String base = "http://" + host + ":" + http.port();
        String metricsAt = metricsPort > 0 ? "http://" + host + ":" + metricsPort + "/metrics" : base + "/metrics";
        return String.join("\n", "Where to go:",
                "  home page     " + base + "/",
                "  dashboard     " + base + "/dashboard",
                "  API document  " + base + "/openapi.json",
                "  health        " + base + "/health/ready",
                "  metrics       " + metricsAt + (settings.metrics().token() != null ? " (with VTS_METRICS_TOKEN)" : ""),
                "  tracker       <script src=\"" + base + "/vts.js\" defer></script> on your pages",
                "  admin token   " + (settings.adminToken() != null ? "VTS_ADMIN_TOKEN"
                        : "kept in " + dataDir.resolve("admin-token")));
    }

    /** A day is complete once every event that arrived during it has been written or given up. */
    private Duration rollupGrace() {
        return settings.mqtt().pubackTimeout().plus(HttpServer.EVENT_TIMEOUT).plusMinutes(1);
    }

    private CountryLookup countries() {
        if (settings.ingest().geoipDatabase() == null) {
            LOG.info("No VTS_GEOIP_DB: countries are unknown (see geoip-data/README.md)");
            return CountryLookup.none();
        }
        CountryLookup lookup = CountryLookup.open(settings.ingest().geoipDatabase());
        started.push(lookup);
        return lookup;
    }

    private String ipHashKey(DataDir dataDir) {
        return settings.ingest().ipHashKey() != null ? settings.ingest().ipHashKey() : dataDir.secret("ip-hash-key").value();
    }

    private Database openDatabase(DataDir dataDir) throws IOException {
        if (!settings.storage().embeddedDatabase()) {
            try {
                Database.awaitReachable(settings.storage().dbUrl(), settings.storage().dbUser(), settings.storage().dbPassword(),
                        settings.storage().dbWait());
            } catch (SQLException e) {
                if (Database.mayPass(e)) {
                    throw new StartFailure("VTS_DB_URL", "the database did not answer within VTS_DB_WAIT_S ("
                            + settings.storage().dbWait().toSeconds() + " s): " + rootMessage(e));
                }
                throw new InvalidSettingException("VTS_DB_URL", "cannot use the database (" + rootMessage(e) + ")");
            }
            try {
                return Database.open(settings.storage().dbUrl(), settings.storage().dbUser(), settings.storage().dbPassword(), 12);
            } catch (RuntimeException e) {
                throw new InvalidSettingException("VTS_DB_URL", "cannot use the database (" + rootMessage(e) + ")");
            }
        }
        embeddedDatabase = EmbeddedDatabaseServer.start(dataDir.resolve("postgres"));
        started.push(embeddedDatabase);
        LOG.info("Using the embedded PostgreSQL kept in {}, on localhost port {} (user postgres) while VTS runs",
                dataDir.resolve("postgres"), embeddedDatabase.port());
        return Database.open(embeddedDatabase.jdbcUrl(), embeddedDatabase.user(), null, 12);
    }

    /** The node's one Redis connection, or null without VTS_REDIS_URL. */
    private RedisConnection openRedis() {
        if (settings.storage().redisUrl() == null) {
            return null;
        }
        try {
            RedisConnection redis = RedisConnection.open(settings.storage().redisUrl());
            started.push(redis);
            return redis;
        } catch (RuntimeException e) {
            throw new InvalidSettingException("VTS_REDIS_URL", "cannot connect (" + rootMessage(e) + ")");
        }
    }

    private WindowState windowState(RedisConnection redis) {
        LocalWindowState local = new LocalWindowState(settings.ingest().dedupeWindow(), 2_000_000);
        if (redis == null) {
            return local;
        }
        LOG.info("Dedupe windows, rate limits and the stats cache are shared through Redis");
        return new RedisWindowState(redis, local, settings.ingest().dedupeWindow(), metrics);
    }

    private void keepPartitionsAhead(ViewEventStore events) throws Exception {
        Runnable ensure = () -> {
            LocalDate today = LocalDate.now(clock);
            try {
                int made = events.ensurePartitions(today.minusDays(1), today.plusDays(settings.storage().partitionsAheadDays()));
                if (made > 0) {
                    LOG.info("Created {} daily partitions of view_events", made);
                }
            } catch (Exception e) {
                LOG.warn("Could not create partitions ahead ({}); will try again", e.getMessage());
            }
        };
        LocalDate today = LocalDate.now(clock);
        events.ensurePartitions(today.minusDays(1), today.plusDays(settings.storage().partitionsAheadDays()));
        ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("vts-partitions"));
        timer.scheduleWithFixedDelay(ensure, 1, 1, TimeUnit.HOURS);
        started.push(timer::shutdownNow);
    }

    private void checkPortsFree() {
        checkPortFree("VTS_HTTP_PORT", settings.listen().httpPort());
        checkPortFree("VTS_MQTT_PORT", settings.listen().mqttPort());
        if (settings.mqtt().tls() != null) {
            checkPortFree("VTS_MQTTS_PORT", settings.listen().mqttsPort());
        }
    }

    private void checkPortFree(String setting, int port) {
        if (port == 0) {
            return;
        }
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(settings.listen().bindAddress()))) {
            probe.setReuseAddress(true);
        } catch (IOException e) {
            throw new InvalidSettingException(setting, "port " + port + " on " + settings.listen().bindAddress()
                    + " cannot be used (" + e.getMessage() + ")");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage();
    }

    public int httpPort() {
        return http.port();
    }

    /** The port /metrics has to itself ({@code VTS_METRICS_PORT}), or 0 when it is on the HTTP port. */
    public int metricsPort() {
        return metricsPort;
    }

    /** The HTTP endpoints this server has, as "METHOD /path". */
    public List<String> httpRoutes() {
        return http.routes();
    }

    public String adminToken() {
        return adminToken;
    }

    /**
     * Stops the server in order when the JVM is asked to exit (SIGTERM, Ctrl-C): doors first, then
     * the writer drains, then the database, the embedded one included (it no longer stops on its own).
     */
    public void stopOnShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(this::close, "vts-shutdown"));
        if (embeddedDatabase != null) {
            embeddedDatabase.leaveStopToOwner();
        }
    }

    @Override
    public void close() {
        if (started.isEmpty()) {
            return;
        }
        LOG.info("VTS is stopping");
        while (!started.isEmpty()) {
            AutoCloseable part = started.pop();
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("Stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
        LOG.info("VTS stopped");
    }
}
