package club.makapix.vts.bench;

import club.makapix.vts.store.SecretHasher;
import club.makapix.vts.support.Admin;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code scripts/bench hold}: players connected at once, each publishing one p3a view every
 * {@code --interval} seconds as the firmware does (100,000 every 30 s: about 3,333 views/s). Two
 * phases on the same PostgreSQL and Redis, in the same run, both at that view rate:
 * <ol>
 *   <li><b>one node</b> with as many players as one process may hold here ({@code --per-node});</li>
 *   <li><b>N nodes</b> (those the script started) with as many each, up to every player.</li>
 * </ol>
 * Where one process may not hold every player, they publish faster than the firmware's interval,
 * so that the nodes and PostgreSQL still take the whole view rate.
 * Per phase: each node's heap after a full GC with none and with its players, its RSS, the connect
 * rate, the views acknowledged a second and the PUBACK latency over a steady window, and where the
 * CPU went. The players run in {@link HoldWorker} processes (one process may hold only so many
 * sockets). See docs/benchmarks.md.
 */
public final class HoldBench {
    private static final int POSTS = 100;
    private static final double HEAP_TARGET_MB = 1024;
    private static final double P99_TARGET_MS = 50;
    /** The settling time at least: the nodes start cold, and their JIT compiler competes with the load for a while. */
    private static final int SETTLE_MIN_S = 30;

    /** One node as the script started it. */
    record Node(int mqttPort, int httpPort, long pid) {}

    private final BenchArgs args;
    private final int players;
    private final int intervalS;
    private final int holdS;
    private final int perNode;
    private final int perWorker;
    private final int connecting;
    private final List<Node> nodes = new ArrayList<>();
    private final long databasePid;
    private final String seed = UUID.randomUUID().toString();
    private final String secret = "bench-secret-" + UUID.randomUUID();
    private final ResultTable table = new ResultTable("hold");
    private final Map<String, Object> phaseDetail = new LinkedHashMap<>();
    private final double ticksPerSecond = CpuMeter.clockTicksPerSecond();

    private HoldBench(String[] argv) {
        args = new BenchArgs(argv);
        players = (int) args.number("players", 100_000, 1, 1_000_000);
        intervalS = (int) args.number("interval", 30, 1, 3_600);
        holdS = (int) args.number("hold", 60, 5, 3_600);
        perNode = (int) args.number("per-node", 19_000, 1, 1_000_000);
        perWorker = (int) args.number("per-worker", 19_000, 1, 1_000_000);
        connecting = (int) args.number("connecting", 300, 1, 100_000);
        for (String n : args.required("nodes").split(",")) {
            String[] f = n.split(":");
            nodes.add(new Node(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2])));
        }
        databasePid = Long.parseLong(args.required("database-pid"));
    }

    public static void main(String[] argv) throws Exception {
        HoldBench bench;
        try {
            bench = new HoldBench(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("bench: " + e.getMessage());
            System.exit(2);
            return;
        }
        bench.run();
        System.exit(0);
    }

    private void run() throws Exception {
        String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
        double rate = (double) players / intervalS;
        System.out.printf(Locale.ROOT, "machine: %d cores, load average %s at start; %,d players, one view every %d s each "
                        + "(%,.0f views/s), %d s held; %d node(s)%n", Runtime.getRuntime().availableProcessors(), load, players,
                intervalS, rate, holdS, nodes.size());
        table.parameter("players", players).parameter("interval_s", intervalS).parameter("hold_s", holdS)
                .parameter("nodes", nodes.size()).parameter("per_node", perNode).parameter("load_average_at_start", load);
        register();
        // The whole run's view rate (players / interval) in every phase: each node holds as many
        // players as one process may here (perNode), and when that is fewer than --players they
        // publish faster than the firmware's interval, so that the nodes and PostgreSQL take the
        // rate of every player (the script turns the player rate limit off, as the other scenarios
        // do; at the firmware's 30 s it never applies).
        int alone = Math.min(players, perNode);
        phase("one node", nodes.subList(0, 1), alone, Math.max(1, intervalS * (double) alone / players), 0);
        if (nodes.size() > 1) {
            int spread = (int) Math.min(players, (long) perNode * nodes.size());
            phase(nodes.size() + " nodes", nodes, spread, Math.max(1, intervalS * (double) spread / players), 1);
        }
        table.section("phases", phaseDetail);
        table.write(Path.of(args.text("out", "bench-results")));
    }

    /**
     * Posts 1..POSTS through node 1's admin API; the players straight into the shared database, one
     * statement (the admin API registers about 450 a second here, a commit each: 100,000 would take
     * minutes of setup). They share one secret, hashed once by the server's own {@link SecretHasher}
     * at the iterations the script gives the nodes: what a connect costs to verify is the same.
     */
    private void register() throws Exception {
        long start = System.nanoTime();
        new Admin(nodes.get(0).httpPort(), args.required("admin-token")).posts(POSTS, "bench-artist-", 10, null);
        String hash = new SecretHasher((int) args.number("hash-iterations", 1_000, 1_000, 10_000_000)).hash(secret);
        String[] keys = new String[players];
        for (int i = 0; i < players; i++) {
            keys[i] = HoldWorker.key(seed, i);
        }
        try (Connection db = DriverManager.getConnection(args.required("jdbc-url"));
             PreparedStatement insert = db.prepareStatement("""
                     insert into players (player_key, owner_id, secret_hash)
                     select k, 'bench-owner-' || (n % 50), ? from unnest(?::text[]) with ordinality as t(k, n)""")) {
            insert.setString(1, hash);
            insert.setArray(2, db.createArrayOf("text", keys));
            insert.executeUpdate();
        }
        System.out.printf(Locale.ROOT, "registered %d posts (admin API) and %,d players (one insert) in %.1f s%n", POSTS, players,
                (System.nanoTime() - start) / 1e9);
    }

    /** A worker process and what it last said. */
    private static final class Worker {
        final Process process;
        final Writer in;
        volatile long[] progress = new long[9];
        final List<Histogram> intervals = new ArrayList<>();
        volatile String windowLine;
        volatile boolean windowStarted;
        final List<String> errors = new ArrayList<>();

        Worker(Process process) {
            this.process = process;
            this.in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "worker-" + process.pid());
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("P ")) {
                        String[] f = line.substring(2).split(" ");
                        long[] p = new long[f.length];
                        for (int i = 0; i < f.length; i++) {
                            p[i] = Long.parseLong(f[i]);
                        }
                        progress = p;
                    } else if (line.startsWith("T ")) {
                        synchronized (intervals) {
                            intervals.add(HoldWorker.decode(line.substring(2)));
                        }
                    } else if (line.startsWith("H ")) {
                        windowLine = line.substring(2);
                    } else if (line.equals("OK")) {
                        windowStarted = true;
                    } else if (line.startsWith("E ")) {
                        synchronized (errors) {
                            errors.clear();
                            if (line.length() > 2) {
                                errors.add(line.substring(2));
                            }
                        }
                    } else {
                        System.out.println("  worker " + process.pid() + ": " + line);
                    }
                }
            } catch (IOException e) {
                // the worker is gone
            }
        }

        void send(String command) throws IOException {
            in.write(command + "\n");
            in.flush();
        }

        long get(int field) {
            return progress[field];
        }
    }

    private static long sum(List<Worker> workers, int field) {
        return workers.stream().mapToLong(w -> w.get(field)).sum();
    }

    private static Histogram takeIntervals(List<Worker> workers) {
        Histogram all = new Histogram(3);
        for (Worker w : workers) {
            synchronized (w.intervals) {
                w.intervals.forEach(all::add);
                w.intervals.clear();
            }
        }
        return all;
    }

    private void phase(String name, List<Node> on, int count, double interval, int phaseIndex) throws Exception {
        System.out.printf(Locale.ROOT, "%n== %s: %,d players on %d node(s), one view every %.1f s each (%,.0f views/s) ==%n",
                name, count, on.size(), interval, count / interval);
        List<ServerMemory> before = new ArrayList<>();
        for (Node n : on) {
            before.add(ServerMemory.measure(n.pid(), n.httpPort()));
        }
        String ports = String.join(",", on.stream().map(n -> Integer.toString(n.mqttPort())).toList());
        int workerCount = (count + perWorker - 1) / perWorker;
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Worker> workers = new ArrayList<>();
        long start = System.nanoTime();
        for (int w = 0; w < workerCount; w++) {
            int from = (int) ((long) count * w / workerCount);
            int to = (int) ((long) count * (w + 1) / workerCount);
            // each worker and phase from a loopback source address of its own: a fresh ephemeral port range
            List<String> command = List.of(java, "-Xmx768m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                    HoldWorker.class.getName(), "--seed", seed, "--secret", secret, "--from", Integer.toString(from),
                    "--to", Integer.toString(to), "--mqtt-ports", ports, "--node-offset", "0",
                    "--source", "127.0." + (10 + phaseIndex) + "." + (1 + w),
                    "--interval-ms", Long.toString(Math.round(interval * 1000)), "--posts", Integer.toString(POSTS),
                    "--connecting", Integer.toString(Math.max(1, connecting / workerCount)));
            workers.add(new Worker(new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start()));
        }
        Map<String, Object> detail = new LinkedHashMap<>();
        try {
            long lastConnected = 0;
            long nextLine = start + TimeUnit.SECONDS.toNanos(5);
            while (sum(workers, 1) < count) {
                TimeUnit.MILLISECONDS.sleep(100);
                long now = System.nanoTime();
                if (now - start > TimeUnit.MINUTES.toNanos(10)) {
                    throw new IllegalStateException("connecting took over 10 minutes: " + sum(workers, 0) + " connected");
                }
                for (Worker w : workers) {
                    if (!w.process.isAlive()) {
                        throw new IllegalStateException("a load worker stopped (exit " + w.process.exitValue() + ")");
                    }
                }
                if (now - nextLine >= 0) {
                    nextLine += TimeUnit.SECONDS.toNanos(5);
                    long c = sum(workers, 0);
                    System.out.printf(Locale.ROOT, "  [%s %3.0f s] connected %,7d (%,5.0f/s), failed %,d, views acked %,d, "
                                    + "PUBACK p99 %.1f ms%n", name, (now - start) / 1e9, c, (c - lastConnected) / 5.0,
                            sum(workers, 2), sum(workers, 3), takeIntervals(workers).getValueAtPercentile(99) / 1000.0);
                    if (sum(workers, 2) > 0) {
                        System.out.println("    failed attempts (retried after 1 s): " + errors(workers));
                    }
                    lastConnected = c;
                }
            }
            double connectS = (System.nanoTime() - start) / 1e9;
            long connected = sum(workers, 0);
            System.out.printf(Locale.ROOT, "  %,d connected in %.1f s (%,.0f/s), %,d attempts failed and were retried, %,d gave up %s%n",
                    connected, connectS, connected / connectS, sum(workers, 2), sum(workers, 8), errors(workers));

            // one whole interval so every player has published since its connect (the rate is steady),
            // and at least SETTLE_MIN_S for the nodes' JIT compilers
            progress(name + " settling", workers, Math.max(SETTLE_MIN_S, (int) Math.ceil(interval)));
            long skippedBefore = sum(workers, 6);
            for (Worker w : workers) {
                w.send("W");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!workers.stream().allMatch(w -> w.windowStarted) && System.nanoTime() - deadline < 0) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            long[] cpuFrom = cpu(on);
            long holdStart = System.nanoTime();
            progress(name + " held", workers, holdS);
            double heldS = (System.nanoTime() - holdStart) / 1e9;
            long[] cpuTo = cpu(on);
            for (Worker w : workers) {
                w.send("H");
            }
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!workers.stream().allMatch(w -> w.windowLine != null) && System.nanoTime() - deadline < 0) {
                TimeUnit.MILLISECONDS.sleep(10);
            }
            Histogram latency = new Histogram(3);
            long acked = 0;
            long rejected = 0;
            long lost = 0;
            for (Worker w : workers) {
                String[] f = w.windowLine.split(" ");
                latency.add(HoldWorker.decode(f[0]));
                acked += Long.parseLong(f[1]);
                rejected += Long.parseLong(f[2]);
                lost += Long.parseLong(f[3]);
            }
            // the nodes' memory with their players connected (and publishing)
            List<ServerMemory> with = new ArrayList<>();
            for (Node n : on) {
                with.add(ServerMemory.measure(n.pid(), n.httpPort()));
            }
            report(name, on, count, interval, connected, connectS, sum(workers, 2), sum(workers, 8), rejected, lost, sum(workers, 6) - skippedBefore,
                    sum(workers, 7), latency, acked / heldS, cpuFrom, cpuTo, acked + rejected, before, with, detail);
            detail.put("errors", errors(workers));
        } finally {
            for (Worker w : workers) {
                try {
                    w.send("S");
                    w.send("Q");
                } catch (IOException e) {
                    // already gone
                }
            }
            for (Worker w : workers) {
                if (!w.process.waitFor(60, TimeUnit.SECONDS)) {
                    w.process.destroyForcibly();
                }
            }
        }
        phaseDetail.put(name, detail);
        table.print(); // so far: a run stopped later keeps this phase's figures on screen
        TimeUnit.SECONDS.sleep(3); // the nodes see the disconnects
    }

    private static List<String> errors(List<Worker> workers) {
        List<String> all = new ArrayList<>();
        for (Worker w : workers) {
            synchronized (w.errors) {
                all.addAll(w.errors);
            }
        }
        return all;
    }

    private void progress(String label, List<Worker> workers, int seconds) throws InterruptedException {
        long start = System.nanoTime();
        for (int s = 5; s <= seconds; s += 5) {
            long until = start + TimeUnit.SECONDS.toNanos(s);
            TimeUnit.NANOSECONDS.sleep(Math.max(0, until - System.nanoTime()));
            // PUBACKs a second from the workers' latency histograms (their counters restart with a window)
            Histogram h = takeIntervals(workers);
            System.out.printf(Locale.ROOT, "  [%s %3d s] connected %,7d, views %,5.0f/s, PUBACK p50 %.1f p99 %.1f max %.1f ms, "
                            + "rejected %d, lost %d, skipped %d, disconnected %d%n", label, s, sum(workers, 0),
                    h.getTotalCount() / 5.0, h.getValueAtPercentile(50) / 1000.0, h.getValueAtPercentile(99) / 1000.0,
                    h.getMaxValue() / 1000.0, sum(workers, 4), sum(workers, 5), sum(workers, 6), sum(workers, 7));
        }
        int rest = seconds % 5;
        if (rest > 0) {
            TimeUnit.SECONDS.sleep(rest);
        }
    }

    /** CPU ticks so far: each node's process, PostgreSQL's tree, this generator's tree (its workers), then the machine's busy and total. */
    private long[] cpu(List<Node> on) {
        long[] t = new long[on.size() + 4];
        for (int i = 0; i < on.size(); i++) {
            t[i] = CpuMeter.treeTicks(on.get(i).pid());
        }
        t[on.size()] = CpuMeter.treeTicks(databasePid);
        t[on.size() + 1] = CpuMeter.treeTicks(ProcessHandle.current().pid());
        MachineTicks m = MachineTicks.read();
        t[on.size() + 2] = m == null ? 0 : m.busy();
        t[on.size() + 3] = m == null ? 0 : m.total();
        return t;
    }

    private void report(String name, List<Node> on, int count, double interval, long connected, double connectS, long failed,
                        long gaveUp,
                        long rejected, long lost, long skipped, long disconnected, Histogram latency, double perS, long[] cpuFrom,
                        long[] cpuTo, long events, List<ServerMemory> before, List<ServerMemory> with, Map<String, Object> detail) {
        boolean one = on.size() == 1;
        double p99 = latency.getValueAtPercentile(99) / 1000.0;
        String latencyNote = String.format(Locale.ROOT, "p50 %.1f ms, p99.9 %.1f ms, max %.1f ms; %,d views",
                latency.getValueAtPercentile(50) / 1000.0, latency.getValueAtPercentile(99.9) / 1000.0,
                latency.getMaxValue() / 1000.0, latency.getTotalCount());
        table.add(name + ": players connected", connected, "", String.format(Locale.ROOT,
                "of %,d; %,d connect attempts failed (retried), %,d gave up; one view every %.1f s each", count, failed, gaveUp, interval));
        table.add(name + ": connect rate", connected / connectS, "conn/s", String.format(Locale.ROOT, "%.1f s for all", connectS));
        table.add(name + ": views acknowledged", perS, "views/s", String.format(Locale.ROOT,
                "expected %,.0f/s; rejected %d, lost %d, skipped %d, disconnected %d", count / interval, rejected, lost, skipped,
                disconnected));
        table.add(name + ": PUBACK p99", p99, "ms", "<= 50 ms", p99 <= P99_TARGET_MS, latencyNote);
        double heapSum = 0;
        for (int i = 0; i < on.size(); i++) {
            ServerMemory b = before.get(i);
            ServerMemory w = with.get(i);
            int here = count / on.size() + (i < count % on.size() ? 1 : 0);
            heapSum += w.heapMb();
            String note = String.format(Locale.ROOT, "%,d players; %.0f MB with none: %.1f KB a player; RSS %.0f MB (%.0f with none)",
                    here, b.heapMb(), (w.heapMb() - b.heapMb()) * 1024 / here, w.rssMb(), b.rssMb());
            table.add(name + ": node " + (i + 1) + " heap after GC", w.heapMb(), "MB", "<= 1024 MB", w.heapMb() <= HEAP_TARGET_MB, note);
        }
        double micros = 1e6 / ticksPerSecond / Math.max(1, events);
        StringBuilder by = new StringBuilder();
        double nodesTotal = 0;
        for (int i = 0; i < on.size(); i++) {
            double us = (cpuTo[i] - cpuFrom[i]) * micros;
            nodesTotal += us;
            if (on.size() > 1 && on.size() <= 3) {
                by.append(String.format(Locale.ROOT, "node %d %.0f, ", i + 1, us));
            }
        }
        int k = on.size();
        double pg = (cpuTo[k] - cpuFrom[k]) * micros;
        double gen = (cpuTo[k + 1] - cpuFrom[k + 1]) * micros;
        double machine = (cpuTo[k + 2] - cpuFrom[k + 2]) * micros;
        long total = cpuTo[k + 3] - cpuFrom[k + 3];
        double busy = total == 0 ? 0 : (double) (cpuTo[k + 2] - cpuFrom[k + 2]) / total;
        table.add(name + ": CPU a view", machine, "µs", String.format(Locale.ROOT,
                "%snodes %.0f, PostgreSQL %.0f, generator %.0f µs; machine %.0f %% busy", by, nodesTotal, pg, gen, 100 * busy));
        detail.put("players", count);
        detail.put("interval_s", interval);
        detail.put("connected", connected);
        detail.put("connect_seconds", connectS);
        detail.put("views_per_second", perS);
        detail.put("puback_p50_ms", latency.getValueAtPercentile(50) / 1000.0);
        detail.put("puback_p99_ms", p99);
        detail.put("puback_max_ms", latency.getMaxValue() / 1000.0);
        detail.put("memory_before", before);
        detail.put("memory_with_players", with);
        detail.put("heap_after_gc_all_nodes_mb", heapSum);
        detail.put("cpu_us_per_view", Map.of("nodes", nodesTotal, "postgresql", pg, "generator", gen, "machine", machine, "busy", busy));
    }
}
