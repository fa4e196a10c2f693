package club.makapix.vts.bench;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.support.Admin;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The load generator behind {@code scripts/bench}: registers players and posts on a running server,
 * connects every player, lets them publish as fast as PUBACKs return for a fixed time with a
 * progress line each second, then prints and writes the figures (see docs/benchmarks.md).
 */
public final class MqttBench {
    /** How long publishes still awaiting a PUBACK at the end are waited for. */
    private static final long DRAIN_SECONDS = 15;
    /** Posts registered and viewed at random: enough that views spread over many rows. */
    private static final int POSTS = 100;
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final BenchOptions options;
    private final LoadStats stats = new LoadStats();
    private final List<ProgressSample> progress = new ArrayList<>();
    // registering and connecting are I/O-bound: a few threads do it in parallel
    private final ExecutorService setupPool = Executors.newFixedThreadPool(16);

    private MqttBench(BenchOptions options) {
        this.options = options;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = new MqttBench(options).run();
        // a player whose connection would not close must not keep the run alive
        System.exit(status);
    }

    private int run() throws Exception {
        Map<String, String> secrets = register();
        List<SimulatedPlayer> players = connect(secrets);
        if (players.isEmpty()) {
            System.err.println("bench: no player could connect");
            return 1;
        }
        try {
            BenchResult result = load(players);
            result.print();
            String stamp = STAMP.format(Instant.parse(result.startedAt())) + "-p" + options.players() + "-s" + options.seconds();
            result.write(options.outDir(), stamp, progress);
            System.out.println("\nwritten: " + options.outDir().resolve(stamp + ".json") + ", " + stamp
                    + "-progress.csv, summary.csv");
            return 0;
        } finally {
            closeAll(players);
        }
    }

    /** Posts 1..POSTS by a few artists, and players owned by other users (so views are counted, not self-views). */
    private Map<String, String> register() throws Exception {
        long start = System.nanoTime();
        Admin admin = new Admin(options.httpPort(), options.adminToken());
        List<Future<?>> calls = new ArrayList<>();
        for (int post = 1; post <= POSTS; post++) {
            long id = post;
            calls.add(setupPool.submit(() -> admin.post(id, "bench-artist-" + id % 10)));
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        for (int i = 0; i < options.players(); i++) {
            String key = UUID.randomUUID().toString();
            String secret = "bench-secret-" + key;
            String owner = "bench-owner-" + i % 50;
            secrets.put(key, secret);
            calls.add(setupPool.submit(() -> admin.player(key, owner, secret)));
        }
        for (Future<?> call : calls) {
            call.get(60, TimeUnit.SECONDS);
        }
        System.out.printf("registered %d posts and %d players in %.1f s%n", POSTS, options.players(), seconds(start));
        return secrets;
    }

    private List<SimulatedPlayer> connect(Map<String, String> secrets) throws InterruptedException {
        long start = System.nanoTime();
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        List<Future<SimulatedPlayer>> connecting = new ArrayList<>();
        secrets.forEach((key, secret) -> connecting.add(setupPool.submit(
                () -> SimulatedPlayer.connect(options.mqttUri(), topics, key, secret, POSTS, stats))));
        List<SimulatedPlayer> players = new ArrayList<>();
        int failed = 0;
        String firstFailure = null;
        for (Future<SimulatedPlayer> f : connecting) {
            try {
                players.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                failed++;
                firstFailure = firstFailure == null ? String.valueOf(e.getCause() == null ? e : e.getCause()) : firstFailure;
            }
        }
        System.out.printf("connected %d players in %.1f s%s%n", players.size(), seconds(start),
                failed == 0 ? "" : " (" + failed + " failed, first: " + firstFailure + ")");
        return players;
    }

    private BenchResult load(List<SimulatedPlayer> players) throws InterruptedException {
        MetricsScrape before = MetricsScrape.fetch(options.httpPort());
        int window = players.get(0).window(options.inflight());
        Instant startedAt = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(options.seconds());
        long gcBefore = benchGcMillis();
        System.out.printf("load: %d players x %d in flight for %d s%n", players.size(), window, options.seconds());
        // started from the pool, so that the first publishes of all players go out together
        players.forEach(player -> setupPool.submit(() -> player.start(window, end)));
        long ackedBefore = 0;
        for (int second = 1; second <= options.seconds(); second++) {
            sleepUntil(start + TimeUnit.SECONDS.toNanos(second));
            Histogram lastSecond = stats.takeInterval();
            long acked = stats.acked();
            ProgressSample sample = new ProgressSample(second, acked, acked - ackedBefore, stats.rejected() + stats.lostCount(),
                    stats.inFlight(), lastSecond.getValueAtPercentile(99) / 1000.0, connectedCount(players));
            progress.add(sample);
            System.out.println(sample.line());
            ackedBefore = acked;
        }
        long ackedInWindow = stats.acked();
        int disconnected = players.size() - connectedCount(players);
        long unanswered = drain(players);
        stats.takeInterval();
        MetricsScrape after = MetricsScrape.fetch(options.httpPort());
        return new BenchResult(startedAt.toString(), options.players(), players.size(), options.seconds(), window,
                (double) ackedInWindow / options.seconds(), ackedInWindow, stats.acked(), stats.rejected(),
                stats.rejectedByCode(), stats.lostCount(), unanswered, disconnected, latency(stats.allLatencies()),
                batchSizes(before, after), writeTime(before, after), outcomes(before, after),
                new BenchResult.GcPauses(after.sum("jvm_gc_pause_seconds_sum") - before.sum("jvm_gc_pause_seconds_sum"),
                        (benchGcMillis() - gcBefore) / 1000.0));
    }

    /** Waits (bounded) for the PUBACKs of publishes sent before the end; returns how many never came. */
    private long drain(List<SimulatedPlayer> players) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
        while (players.stream().anyMatch(p -> p.runningChains() > 0) && System.nanoTime() - deadline < 0) {
            Thread.sleep(50);
        }
        return stats.inFlight();
    }

    private static BenchResult.Latency latency(Histogram micros) {
        return new BenchResult.Latency(micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(90) / 1000.0,
                micros.getValueAtPercentile(99) / 1000.0, micros.getMaxValue() / 1000.0, micros.getTotalCount());
    }

    private static BenchResult.BatchSizes batchSizes(MetricsScrape before, MetricsScrape after) {
        double batches = after.value("vts_write_batch_size_count") - before.value("vts_write_batch_size_count");
        double events = after.value("vts_write_batch_size_sum") - before.value("vts_write_batch_size_sum");
        return new BenchResult.BatchSizes(after.value("vts_write_batch_size{quantile=\"0.5\"}"),
                after.value("vts_write_batch_size{quantile=\"0.99\"}"), batches == 0 ? 0 : events / batches,
                after.value("vts_write_batch_size_max"), (long) batches);
    }

    private static BenchResult.WriteTime writeTime(MetricsScrape before, MetricsScrape after) {
        double batches = after.value("vts_write_seconds_count") - before.value("vts_write_seconds_count");
        double seconds = after.value("vts_write_seconds_sum") - before.value("vts_write_seconds_sum");
        // a histogram since 2026-12 (Prometheus buckets): its quantiles are estimates within a bucket
        return new BenchResult.WriteTime(after.histogramQuantile(before, "vts_write_seconds", 0.5) * 1000,
                after.histogramQuantile(before, "vts_write_seconds", 0.99) * 1000, batches == 0 ? 0 : seconds / batches * 1000);
    }

    private static Map<String, Long> outcomes(MetricsScrape before, MetricsScrape after) {
        Map<String, Long> increments = new LinkedHashMap<>();
        after.startingWith("vts_events_total{").forEach((series, value) -> {
            long added = (long) (value - before.value(series));
            if (added > 0) {
                // {door="mqtt",outcome="counted"} -> door=mqtt,outcome=counted
                increments.put(series.substring("vts_events_total{".length(), series.length() - 1).replace("\"", ""), added);
            }
        });
        return increments;
    }

    /** Time this JVM spent collecting garbage so far: a stalled load generator shows here. */
    private static long benchGcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(ms -> ms > 0).sum();
    }

    private static int connectedCount(List<SimulatedPlayer> players) {
        return (int) players.stream().filter(SimulatedPlayer::isConnected).count();
    }

    private void closeAll(List<SimulatedPlayer> players) throws InterruptedException {
        players.forEach(p -> setupPool.submit(p::close));
        setupPool.shutdown();
        setupPool.awaitTermination(30, TimeUnit.SECONDS);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            TimeUnit.NANOSECONDS.sleep(left);
        }
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }
}
