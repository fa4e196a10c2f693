package club.makapix.vts.bench;

import club.makapix.vts.Main;
import club.makapix.vts.support.Admin;
import club.makapix.vts.support.ServerProcess;
import club.makapix.vts.support.TcpProxy;
import club.makapix.vts.support.TestDatabase;
import club.makapix.vts.support.TestRedis;
import club.makapix.vts.support.TestSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.LongStream;

/**
 * {@code scripts/bench reliability}: the durability rule measured under load (see
 * docs/reliability.md). Players stream p3a views at QoS 1, half with event ids and half keyless, and
 * resend whatever was not acknowledged after each reconnect, as devices do. The server runs as its
 * own process and is killed with SIGKILL again and again and restarted on the same data, then cut
 * off from its PostgreSQL for a while, then left without its Redis for a while. After each, every
 * event the players were acknowledged is looked up in the database: none may be missing, none
 * stored twice.
 */
public final class ReliabilityBench {
    private static final int POSTS = 100;
    /** Load before a cut or a stop, so that it hits a busy server. */
    private static final long LOAD_BEFORE_SECONDS = 10;
    /** Load after the last restart or a return, before the new events stop. */
    private static final long LOAD_AFTER_SECONDS = 5;
    /** Each kill comes at random this many ms after every player is back. */
    private static final long KILL_AFTER_MIN_MS = 1_000;
    private static final long KILL_AFTER_MAX_MS = 5_000;
    /** PUBACKs of events committed just before the database was cut may still arrive this long after. */
    private static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final double RESUME_TARGET_SECONDS = 5;
    /** Redis is taken to answer the server again once no call has fallen back for this long. */
    private static final long REDIS_QUIET_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration RECONNECT_TIMEOUT = Duration.ofMinutes(2);
    private static final Duration FINISH_TIMEOUT = Duration.ofMinutes(2);
    private static final long PROGRESS_SECONDS = 5;

    /** Logs every connection the kills and cuts take as SEVERE, with its stack: expected here, and counted. */
    private static final Logger PAHO_LOG = Logger.getLogger("org.eclipse.paho.mqttv5.client");

    private final ReliabilityOptions options;
    private final Admin admin;
    private final List<Long> postIds = LongStream.rangeClosed(1, POSTS).boxed().toList();

    private ReliabilityBench(ReliabilityOptions options) {
        this.options = options;
        this.admin = new Admin(options.httpPort(), options.adminToken());
    }

    public static void main(String[] args) throws Exception {
        // the server's logging here too: the test PostgreSQL's lines only from WARN up, as for the server's own
        Main.useOwnLogConfiguration(club.makapix.vts.config.Settings.LogFormat.TEXT);
        PAHO_LOG.setLevel(Level.OFF);
        ReliabilityOptions options;
        try {
            options = ReliabilityOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench reliability: " + e.getMessage());
            System.exit(2);
            return;
        }
        ResultTable table = new ResultTable("reliability").parameter("cycles", options.cycles())
                .parameter("outage_seconds", options.outageSeconds()).parameter("players", options.players())
                .parameter("rate", options.rate());
        ReliabilityBench bench = new ReliabilityBench(options);
        bench.killCycles(table);
        bench.databaseOutage(table);
        bench.redisOutage(table);
        table.print();
        table.write(options.outDir());
        // a missed target fails the run; connections that would not close must not keep it alive
        System.exit(table.allMet() ? 0 : 1);
    }

    private void killCycles(ResultTable table) throws Exception {
        System.out.printf(Locale.ROOT, "%nkill -9: %d cycles, embedded PostgreSQL; %d players aiming at %,d views/s%n",
                options.cycles(), options.players(), options.rate());
        Path dataDir = options.workDir().resolve("kill-data");
        Map<String, String> settings = settings(null, dataDir);
        ServerProcess server = start("kill-00", settings);
        Timings readyAfter = new Timings();
        Timings backAfter = new Timings();
        long awaitingAtKills = 0;
        try (StreamingPlayers players = players(options.mqttPort())) {
            players.start();
            players.awaitConnections(1, RECONNECT_TIMEOUT);
            for (int cycle = 1; cycle <= options.cycles(); cycle++) {
                long loadMillis = ThreadLocalRandom.current().nextLong(KILL_AFTER_MIN_MS, KILL_AFTER_MAX_MS + 1);
                TimeUnit.MILLISECONDS.sleep(loadMillis);
                long awaiting = players.awaitingPuback();
                long killedAt = System.nanoTime();
                server.kill();
                server = start(String.format(Locale.ROOT, "kill-%02d", cycle), settings);
                double ready = secondsSince(killedAt);
                players.awaitConnections(cycle + 1, RECONNECT_TIMEOUT);
                double back = secondsSince(killedAt);
                readyAfter.add(ready * 1000);
                backAfter.add(back * 1000);
                awaitingAtKills += awaiting;
                System.out.printf(Locale.ROOT, "  kill %d of %d, %.1f s into the load, %,d events awaiting PUBACK: ready again after "
                                + "%.1f s, every player back after %.1f s; %,d acknowledged so far%n", cycle, options.cycles(),
                        loadMillis / 1000.0, awaiting, ready, back, players.acknowledged());
            }
            streamFor(players, "after the last restart", LOAD_AFTER_SECONDS);
            players.finish(FINISH_TIMEOUT);
            table.add("kill -9: cycles", readyAfter.count(), "kills", Integer.toString(options.cycles()),
                    readyAfter.count() == options.cycles(), String.format(Locale.ROOT, "each %.0f-%.0f s into the load; %,d events "
                            + "awaited their PUBACK at the kills in all", KILL_AFTER_MIN_MS / 1000.0, KILL_AFTER_MAX_MS / 1000.0,
                            awaitingAtKills));
            table.add("kill -9: kill to ready", readyAfter.quantile(0.5) / 1000, "s", String.format(Locale.ROOT,
                    "median, max %.1f s (the orphaned PostgreSQL stopped and started again, the server's start)", readyAfter.max() / 1000));
            table.add("kill -9: kill to all players back", backAfter.quantile(0.5) / 1000, "s", String.format(Locale.ROOT,
                    "median, max %.1f s (reconnected; a player retries every 250 ms)", backAfter.max() / 1000));
            Reconciliation.of(players.list(), TestDatabase.embeddedIn(dataDir)).addTo(table, "kill -9");
        } finally {
            server.close();
        }
    }

    private void databaseOutage(ResultTable table) throws Exception {
        System.out.printf(Locale.ROOT, "%ndatabase outage: the server cut off from its PostgreSQL for %d s%n", options.outageSeconds());
        TestDatabase db = TestDatabase.create();
        try (TcpProxy proxy = TcpProxy.start(db.host(), db.port())) {
            Map<String, String> settings = settings(db, options.workDir().resolve("database-outage-data"));
            // the server reaches its database only through the proxy, which the outage cuts
            settings.put("VTS_DB_URL", "jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + db.databaseName());
            try (ServerProcess server = start("database-outage", settings);
                 StreamingPlayers players = players(options.mqttPort())) {
                players.start();
                streamFor(players, "before the cut", LOAD_BEFORE_SECONDS);
                long cutAt = System.nanoTime();
                proxy.cut();
                streamFor(players, "database away", options.outageSeconds());
                long awaitingAtReturn = players.awaitingPuback();
                long restoredAt = System.nanoTime();
                proxy.restore();
                players.awaitEveryPlayerAcknowledged(RECONNECT_TIMEOUT);
                streamFor(players, "database back", LOAD_AFTER_SECONDS);
                players.finish(FINISH_TIMEOUT);

                double resume = seconds(players.firstAcknowledgedAfter(restoredAt));
                double everyPlayer = seconds(players.everyPlayerAcknowledgedAfter(restoredAt));
                long whileAway = players.acknowledgedBetween(cutAt + SETTLE_NANOS, restoredAt);
                table.add("database outage: length", options.outageSeconds(), "s", String.format(Locale.ROOT,
                        "%,d events awaited their PUBACK at the return", awaitingAtReturn));
                table.add("database outage: resume", resume, "s", String.format(Locale.ROOT, "<= %.0f s", RESUME_TARGET_SECONDS),
                        resume <= RESUME_TARGET_SECONDS, String.format(Locale.ROOT,
                                "from the return to the first PUBACK; every player PUBACKed again after %.1f s", everyPlayer));
                table.add("database outage: PUBACKs while away", whileAway, "PUBACKs", "0", whileAway == 0, String.format(Locale.ROOT,
                        "successful ones, from %d s after the cut to the return", TimeUnit.NANOSECONDS.toSeconds(SETTLE_NANOS)));
                table.add("database outage: resent", players.cutBeforePuback(), "publishes",
                        "hung up on without a PUBACK once held past VTS_PUBACK_TIMEOUT_MS (default 30 s), all resent");
                Reconciliation.of(players.list(), db).addTo(table, "database outage");
            }
        }
    }

    private void redisOutage(ResultTable table) throws Exception {
        System.out.printf(Locale.ROOT, "%nRedis outage: Redis stopped for %d s; every player's connection cut once while it is away "
                + "and once after it is back, so that resends meet the dedupe without it and after it returns empty%n",
                options.outageSeconds());
        TestDatabase db = TestDatabase.create();
        try (TestRedis redis = TestRedis.create();
             TcpProxy playerLinks = TcpProxy.start("127.0.0.1", options.mqttPort())) {
            Map<String, String> settings = settings(db, options.workDir().resolve("redis-outage-data"));
            settings.put("VTS_REDIS_URL", redis.url());
            try (ServerProcess server = start("redis-outage", settings);
                 StreamingPlayers players = players(playerLinks.port())) {
                players.start();
                streamFor(players, "before the stop", LOAD_BEFORE_SECONDS);
                double fallbacksBefore = fallbacks();
                long acknowledgedBefore = players.acknowledged();
                long stoppedAt = System.nanoTime();
                redis.stop();
                streamFor(players, "Redis away", options.outageSeconds() / 2);
                cut(playerLinks, "while Redis is away");
                streamFor(players, "Redis away, after the cut", options.outageSeconds() - options.outageSeconds() / 2);
                long acknowledgedWhileAway = players.acknowledged() - acknowledgedBefore;
                double awaySeconds = secondsSince(stoppedAt);
                redis.start();
                long returnedAt = System.nanoTime();
                double sharedAgainAfter = (awaitNoFallback() - returnedAt) / 1e9;
                double fallbacks = fallbacks() - fallbacksBefore;
                cut(playerLinks, "after Redis is back");
                streamFor(players, "Redis back", LOAD_AFTER_SECONDS);
                players.finish(FINISH_TIMEOUT);
                double duplicates = duplicates();

                table.add("Redis outage: length", awaySeconds, "s", String.format(Locale.ROOT,
                        "%,d events acknowledged meanwhile (%,.0f/s); %,.0f calls answered from the node's memory", acknowledgedWhileAway,
                        acknowledgedWhileAway / awaySeconds, fallbacks));
                table.add("Redis outage: shared again after", sharedAgainAfter, "s",
                        "from Redis's return until no call fell back for 2 s");
                table.add("Redis outage: resent", players.cutBeforePuback(), "publishes", String.format(Locale.ROOT,
                        "lost with their connection before a PUBACK (the two cuts), all resent; the server found %,.0f events "
                                + "already stored", duplicates));
                Reconciliation.of(players.list(), db).addTo(table, "Redis outage");
            }
        }
    }

    /** The bench's servers: loopback on the run's ports, the given database (null: embedded) and folder, no player rate limit. */
    private Map<String, String> settings(TestDatabase db, Path dataDir) {
        return TestSettings.streaming(db, dataDir, options.httpPort(), options.mqttPort(), options.adminToken());
    }

    /** Starts a server, its output in {@code server-logs/<name>.log}, and waits until it is ready. */
    private ServerProcess start(String name, Map<String, String> settings) throws Exception {
        ServerProcess server = ServerProcess.start(options.serverJvmOptions(), settings,
                options.workDir().resolve("server-logs").resolve(name + ".log"));
        try {
            server.awaitReady(START_TIMEOUT);
            return server;
        } catch (AssertionError | InterruptedException e) {
            server.close();
            throw e;
        }
    }

    /** Registers the posts (if the server's database lacks them) and the players, who will connect on {@code mqttPort}. */
    private StreamingPlayers players(int mqttPort) {
        postIds.forEach(id -> admin.post(id, "bench-artist-" + id % 10));
        return StreamingPlayers.register(admin, "tcp://127.0.0.1:" + mqttPort, options.players(), postIds, options.pauseMillis());
    }

    /** Cuts every player's connection at once, as a network outage would; they reconnect and resend. */
    private static void cut(TcpProxy playerLinks, String when) {
        playerLinks.cut();
        playerLinks.restore();
        System.out.println("  every player's connection cut " + when);
    }

    /** Lets the players stream for {@code seconds}, with a progress line every few seconds. */
    private static void streamFor(StreamingPlayers players, String label, long seconds) throws InterruptedException {
        long start = System.nanoTime();
        long acknowledged = players.acknowledged();
        for (long at = 0; at < seconds; ) {
            long step = Math.min(PROGRESS_SECONDS, seconds - at);
            at += step;
            long left = start + TimeUnit.SECONDS.toNanos(at) - System.nanoTime();
            if (left > 0) {
                TimeUnit.NANOSECONDS.sleep(left);
            }
            long now = players.acknowledged();
            System.out.printf(Locale.ROOT, "  [%s %3d s] %,d acknowledged (%,.0f/s), %,d awaiting PUBACK%n", label, at, now,
                    (double) (now - acknowledged) / step, players.awaitingPuback());
            acknowledged = now;
        }
    }

    /** The server's calls that Redis could not answer, so far. */
    private double fallbacks() {
        return MetricsScrape.fetch(options.httpPort()).sum("vts_shared_state_fallback_total");
    }

    /** The events the server found already stored (resends it answered as duplicates), so far. */
    private double duplicates() {
        return MetricsScrape.fetch(options.httpPort()).startingWith("vts_events_total{").entrySet().stream()
                .filter(series -> series.getKey().contains("outcome=\"duplicate\"")).mapToDouble(Map.Entry::getValue).sum();
    }

    /**
     * Waits until the server's calls to Redis stop falling back (every view asks it), which takes its
     * client's reconnect; returns when the last one fell back (System.nanoTime, to 200 ms).
     */
    private long awaitNoFallback() throws InterruptedException {
        long deadline = System.nanoTime() + RECONNECT_TIMEOUT.toNanos();
        double last = fallbacks();
        long lastChange = System.nanoTime();
        while (System.nanoTime() - lastChange < REDIS_QUIET_NANOS) {
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("the server's calls to Redis still fall back " + RECONNECT_TIMEOUT.toSeconds()
                        + " s after its return");
            }
            TimeUnit.MILLISECONDS.sleep(200);
            double now = fallbacks();
            if (now != last) {
                last = now;
                lastChange = System.nanoTime();
            }
        }
        return lastChange;
    }

    private static double secondsSince(long nanoTime) {
        return (System.nanoTime() - nanoTime) / 1e9;
    }

    /** Nanoseconds as seconds; none (it never happened) as infinity, which misses any target. */
    private static double seconds(OptionalLong nanos) {
        return nanos.isPresent() ? nanos.getAsLong() / 1e9 : Double.POSITIVE_INFINITY;
    }
}
