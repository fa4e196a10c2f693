package club.makapix.vts.bench;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.support.Admin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/bench targets}: measures every figure of the performance targets against a running
 * server and its references in the same run (bare Mosquitto, a hello-world route on the same HTTP
 * stack, plain COPY into the same PostgreSQL), prints the table and writes it with a PNG timeline
 * (see docs/benchmarks.md). The relay phases run last in each run: the earlier phases keep their
 * order and neighbours.
 */
public final class TargetsBench {
    /** Posts registered and viewed at random. */
    private static final int POSTS = 100;
    private static final int BATCH = 100;
    /** A relay round trip is two relayed messages, the request and its response: the relay's rate counts both. */
    private static final int RELAYED_PER_ROUND_TRIP = 2;
    /** Requests each player keeps awaiting their response: one, so the players bound the load, not the brokers' queues. */
    private static final int RELAY_IN_FLIGHT = 1;
    /** Connections opened at once: enough to be quick, few enough not to flood the server's accept queue. */
    private static final int CONNECTING_AT_ONCE = 200;
    /** Each flat-out VTS load runs this long in a warm-up cycle. */
    private static final int WARM_UP_SECONDS = 5;
    /** Each paced load runs this long in a warm-up cycle, after its flat-out one. */
    private static final int WARM_UP_PACED_SECONDS = 3;
    private static final int WARM_UP_MAX_CYCLES = 8;
    /** Warm once the JIT compiler is busy less than this share of the time over a cycle. */
    private static final double WARM_UP_JIT_SHARE = 0.05;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final TargetsOptions options;
    private final Topics topics = new Topics(Topics.DEFAULT_PREFIX);
    private final Timeline timeline = new Timeline();
    private final PhaseWindow phases;
    /** Single POSTs and hello-world over their own connections; batches over theirs. */
    private final HttpLoad singles;
    private final HttpLoad batches;
    private final WebRequests requests;

    private TargetsBench(TargetsOptions options) {
        this.options = options;
        this.phases = new PhaseWindow(timeline, new CpuMeter(options.serverPid(), options.databasePid(), options.mosquittoPid()));
        this.singles = new HttpLoad(options.httpPort(), options.singleConnections());
        this.batches = new HttpLoad(options.httpPort(), options.httpConnections());
        this.requests = new WebRequests(options.httpPort(), POSTS);
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.awt.headless", "true");
        TargetsOptions options;
        try {
            options = TargetsOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        new TargetsBench(options).run();
        // connections that would not close must not keep the run alive
        System.exit(0);
    }

    private void run() throws Exception {
        String machine = machine();
        String stamp = STAMP.format(Instant.now());
        List<PlayerIdentity> identities = register(Math.max(options.players(), options.idlePlayers()));
        TargetsReport.IdlePlayers idle = options.idlePlayers() == 0 ? null : idlePlayers(identities.subList(0, options.idlePlayers()));

        List<PlayerIdentity> loadPlayers = identities.subList(0, options.players());
        List<BenchConnection> vts = connect(options.mqttPort(), loadPlayers, "VTS");
        List<BenchConnection> mosquitto = connect(options.mosquittoPort(), loadPlayers, "Mosquitto");
        List<TargetsRun> runs = new ArrayList<>();
        try (MosquittoDrain drain = new MosquittoDrain(options.mosquittoPort(), topics);
             RelayRoundTrips vtsRoundTrips = RelayRoundTrips.start(options.mqttPort(), topics, options.serviceUser(),
                     options.servicePassword(), vts);
             RelayRoundTrips mosquittoRoundTrips = RelayRoundTrips.start(options.mosquittoPort(), topics, options.serviceUser(),
                     options.servicePassword(), mosquitto);
             MqttLoad vtsLoad = new MqttLoad(vts, P3aViews.published(POSTS));
             MqttLoad mosquittoLoad = new MqttLoad(mosquitto, P3aViews.published(POSTS));
             MqttLoad vtsRelay = new MqttLoad(vts, vtsRoundTrips);
             MqttLoad mosquittoRelay = new MqttLoad(mosquitto, mosquittoRoundTrips)) {
            warmUp(vtsLoad, vtsRelay);
            for (int run = 1; run <= options.runs(); run++) {
                System.out.printf("run %d of %d%n", run, options.runs());
                runs.add(runOnce(vtsLoad, mosquittoLoad, drain, vtsRelay, mosquittoRelay));
            }
        } finally {
            closeAll(vts);
            closeAll(mosquitto);
        }

        TargetsReport report = new TargetsReport(options, machine, runs, idle);
        report.print();
        report.write(options.outDir(), stamp, timeline);
        Path png = options.outDir().resolve(stamp + "-targets.png");
        TimelinePlot.write(timeline, png, "VTS benchmark " + stamp);
        System.out.println("\nwritten: " + options.outDir().resolve(stamp + "-targets.json") + ", " + stamp + "-targets.csv, "
                + stamp + "-cpu.csv, " + stamp + "-timeline.csv, " + png.getFileName());
    }

    private TargetsRun runOnce(MqttLoad vtsLoad, MqttLoad mosquittoLoad, MosquittoDrain drain, MqttLoad vtsRelay, MqttLoad mosquittoRelay)
            throws Exception {
        int seconds = options.seconds();
        PhaseResult mqttVts = phases.run("mqtt-vts", seconds, 1, (stats, end) -> vtsLoad.flatOut(options.inflight(), end, stats));
        long relayedBefore = drain.received();
        PhaseResult mqttMosquitto = phases.run("mqtt-mosquitto", seconds, 1,
                (stats, end) -> mosquittoLoad.flatOut(options.inflight(), end, stats));
        double relayed = (double) (drain.received() - relayedBefore) / seconds;
        double halfRate = mqttVts.perSecond() / 2;
        PhaseResult mqttHalf = phases.run("mqtt-vts-half", seconds, 1, (stats, end) -> vtsLoad.paced(halfRate, end, stats));
        PhaseResult mosquittoHalf = phases.run("mqtt-mosquitto-half", seconds, 1,
                (stats, end) -> mosquittoLoad.paced(halfRate, end, stats));

        PhaseResult hello = phases.run("http-hello", seconds, 1, (stats, end) -> singles.flatOut(requests::hello, end, stats));
        PhaseResult single = phases.run("http-single", seconds, 1, (stats, end) -> singles.flatOut(requests::single, end, stats));
        PhaseResult singleHalf = phases.run("http-single-half", seconds, 1,
                (stats, end) -> singles.paced(requests::single, single.perSecond() / 2, end, stats));
        Instant batchStart = Instant.now();
        PhaseResult batch = phases.run("http-batch", seconds, BATCH,
                (stats, end) -> batches.flatOut(() -> requests.batch(BATCH), end, stats));
        double copy = new CopyReference(options.jdbcUrl()).rowsPerSecond(batchStart, BATCH, options.httpConnections());
        timeline.add("copy", copy, 0);
        System.out.printf(Locale.ROOT, "  [copy] %,.0f rows/s%n", copy);

        PhaseResult relayVts = phases.run("relay-vts", seconds, RELAYED_PER_ROUND_TRIP,
                (stats, end) -> vtsRelay.flatOut(RELAY_IN_FLIGHT, end, stats));
        PhaseResult relayMosquitto = phases.run("relay-mosquitto", seconds, RELAYED_PER_ROUND_TRIP,
                (stats, end) -> mosquittoRelay.flatOut(RELAY_IN_FLIGHT, end, stats));
        double relayHalfRoundTrips = halfRoundTripsPerSecond(relayVts);
        PhaseResult relayVtsHalf = phases.run("relay-vts-half", seconds, RELAYED_PER_ROUND_TRIP,
                (stats, end) -> vtsRelay.paced(relayHalfRoundTrips, end, stats));
        PhaseResult relayMosquittoHalf = phases.run("relay-mosquitto-half", seconds, RELAYED_PER_ROUND_TRIP,
                (stats, end) -> mosquittoRelay.paced(relayHalfRoundTrips, end, stats));
        return new TargetsRun(mqttVts, mqttMosquitto, relayed, mqttHalf, mosquittoHalf, hello, single, singleHalf, batch, copy,
                relayVts, relayMosquitto, relayVtsHalf, relayMosquittoHalf);
    }

    /** Round trips a second for half the relay rate of a flat-out phase (which counts messages, two a round trip). */
    private static double halfRoundTripsPerSecond(PhaseResult relayMax) {
        return relayMax.perSecond() / RELAYED_PER_ROUND_TRIP / 2;
    }

    /**
     * Not reported; drawn in the timeline as "warm-up". Cycles through the VTS loads until the
     * server's JIT compiler is nearly done: on 2 cores, compiling HiveMQ, Netty, Jetty and the
     * pipeline competes with the load for a minute or more, and a long-running server is past that.
     */
    private void warmUp(MqttLoad vtsLoad, MqttLoad vtsRelay) throws Exception {
        double compiledBefore = compileMillis();
        for (int cycle = 1; cycle <= WARM_UP_MAX_CYCLES; cycle++) {
            long start = System.nanoTime();
            // flat out, then paced at half that rate: the paced loads have their own code in the
            // generator and their own arrival pattern at the server, both to be warm when measured
            PhaseResult mqttMax = phases.run("warm-up", WARM_UP_SECONDS, 1, (stats, end) -> vtsLoad.flatOut(options.inflight(), end, stats));
            phases.run("warm-up", WARM_UP_PACED_SECONDS, 1, (stats, end) -> vtsLoad.paced(mqttMax.perSecond() / 2, end, stats));
            PhaseResult singleMax = phases.run("warm-up", WARM_UP_SECONDS, 1, (stats, end) -> singles.flatOut(requests::single, end, stats));
            phases.run("warm-up", WARM_UP_PACED_SECONDS, 1,
                    (stats, end) -> singles.paced(requests::single, singleMax.perSecond() / 2, end, stats));
            phases.run("warm-up", WARM_UP_SECONDS, BATCH, (stats, end) -> batches.flatOut(() -> requests.batch(BATCH), end, stats));
            PhaseResult relayMax = phases.run("warm-up", WARM_UP_SECONDS, RELAYED_PER_ROUND_TRIP,
                    (stats, end) -> vtsRelay.flatOut(RELAY_IN_FLIGHT, end, stats));
            phases.run("warm-up", WARM_UP_PACED_SECONDS, RELAYED_PER_ROUND_TRIP,
                    (stats, end) -> vtsRelay.paced(halfRoundTripsPerSecond(relayMax), end, stats));
            double compiled = compileMillis();
            double share = (compiled - compiledBefore) / ((System.nanoTime() - start) / 1e6);
            compiledBefore = compiled;
            System.out.printf(Locale.ROOT, "warm-up cycle %d: the server's JIT compiler was busy %.0f %% of the time%n",
                    cycle, 100 * share);
            if (share < WARM_UP_JIT_SHARE) {
                return;
            }
        }
        System.out.printf("warm-up: the JIT compiler is still busy after %d cycles; measuring anyway%n", WARM_UP_MAX_CYCLES);
    }

    /** Milliseconds the server's JIT compiler has spent so far. */
    private double compileMillis() {
        return MetricsScrape.fetch(options.httpPort()).sum("jvm_compilation_time_ms_total");
    }

    /** Connects the idle players, and measures the server's heap after a GC with none and with all of them. */
    private TargetsReport.IdlePlayers idlePlayers(List<PlayerIdentity> players) throws Exception {
        ServerMemory withNone = ServerMemory.measure(options.serverPid(), options.httpPort());
        List<BenchConnection> idle = connect(options.mqttPort(), players, "idle VTS");
        try {
            ServerMemory withIdle = ServerMemory.measure(options.serverPid(), options.httpPort());
            int connected = (int) idle.stream().filter(BenchConnection::isConnected).count();
            System.out.printf(Locale.ROOT, "%,d idle players: server heap %.0f MB (%.0f with none), RSS %.0f MB (%.0f)%n",
                    connected, withIdle.heapMb(), withNone.heapMb(), withIdle.rssMb(), withNone.rssMb());
            return new TargetsReport.IdlePlayers(connected, withNone, withIdle);
        } finally {
            closeAll(idle);
        }
    }

    /** Posts 1..POSTS, and players owned by other users (so their views count: not self-views). */
    private List<PlayerIdentity> register(int count) throws Exception {
        long start = System.nanoTime();
        Admin admin = new Admin(options.httpPort(), options.adminToken());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            admin.posts(POSTS, "bench-artist-", 10, null);
            List<Future<?>> calls = new ArrayList<>();
            List<PlayerIdentity> players = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                PlayerIdentity player = new PlayerIdentity(UUID.randomUUID().toString(), "bench-secret-" + UUID.randomUUID());
                String owner = "bench-owner-" + i % 50;
                players.add(player);
                calls.add(pool.submit(() -> admin.player(player.key(), owner, player.secret())));
            }
            for (Future<?> call : calls) {
                call.get(60, TimeUnit.SECONDS);
            }
            System.out.printf(Locale.ROOT, "registered %d posts and %,d players in %.1f s%n", POSTS, count, (System.nanoTime() - start) / 1e9);
            return players;
        } finally {
            pool.shutdown();
        }
    }

    /** Connects every player, {@link #CONNECTING_AT_ONCE} at a time; fails if any cannot connect. */
    private List<BenchConnection> connect(int port, List<PlayerIdentity> players, String to) throws Exception {
        long start = System.nanoTime();
        List<BenchConnection> connections = new ArrayList<>(players.size());
        for (int from = 0; from < players.size(); from += CONNECTING_AT_ONCE) {
            List<CompletableFuture<BenchConnection>> group = players.subList(from, Math.min(players.size(), from + CONNECTING_AT_ONCE))
                    .stream().map(p -> BenchConnection.connect(port, topics, p)).toList();
            for (CompletableFuture<BenchConnection> c : group) {
                connections.add(c.get(60, TimeUnit.SECONDS));
            }
        }
        System.out.printf(Locale.ROOT, "connected %,d players to %s in %.1f s%n", connections.size(), to, (System.nanoTime() - start) / 1e9);
        return connections;
    }

    private static void closeAll(List<BenchConnection> connections) {
        try {
            CompletableFuture.allOf(connections.stream().map(BenchConnection::close).toArray(CompletableFuture[]::new))
                    .get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            System.err.println("bench: some connections did not close: " + e);
        }
    }

    /** Cores and load average when the benchmark starts: the figures mean little without them. */
    private static String machine() throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
        return String.format(Locale.ROOT, "machine: %d cores, load average %s at start (load generator, server and references share them)",
                Runtime.getRuntime().availableProcessors(), load);
    }
}
