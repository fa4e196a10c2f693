package club.makapix.vts.bench;

import club.makapix.vts.protocol.Topics;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.HdrHistogram.Histogram;

/**
 * One load-generator process of {@link HoldBench}: a slice of the players over {@link RawMqttPlayers}.
 * A process holds at most what its descriptor limit allows (20,000 on the machine these figures come
 * from, which cannot be raised there), so 100,000 players take several. Talks to the coordinator
 * over its standard streams, one line each way:
 * <ul>
 *   <li>out, every second: {@code P connected finished failed-attempts acked rejected lost skipped disconnected gave-up};
 *       every 5 s: {@code T <latency histogram of those 5 s>}; errors: {@code E <text>};</li>
 *   <li>in: {@code W} starts a new window (fresh counters), {@code H} answers {@code H <window histogram>
 *       acked rejected lost}, {@code S} stops publishing, {@code Q} closes every connection and exits.</li>
 * </ul>
 */
public final class HoldWorker {
    private HoldWorker() {}

    /** The key of player {@code i} of a run: the coordinator registers the same ones. */
    static String key(String seed, int i) {
        return UUID.nameUUIDFromBytes((seed + "-" + i).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String encode(Histogram h) {
        ByteBuffer b = ByteBuffer.allocate(h.getNeededByteBufferCapacity());
        int n = h.encodeIntoCompressedByteBuffer(b);
        byte[] bytes = new byte[n];
        b.flip();
        b.get(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    static Histogram decode(String text) {
        try {
            return Histogram.decodeFromCompressedByteBuffer(ByteBuffer.wrap(Base64.getDecoder().decode(text)), 0);
        } catch (java.util.zip.DataFormatException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void main(String[] argv) throws Exception {
        BenchArgs a = new BenchArgs(argv);
        String seed = a.required("seed");
        String secret = a.required("secret");
        int from = (int) a.number("from", 0, 0, 10_000_000);
        int to = (int) a.number("to", 0, 0, 10_000_000);
        int nodeOffset = (int) a.number("node-offset", 0, 0, 1_000);
        List<Integer> ports = new ArrayList<>();
        for (String p : a.required("mqtt-ports").split(",")) {
            ports.add(Integer.parseInt(p));
        }
        InetAddress source = InetAddress.getByName(a.required("source"));
        Topics topics = new Topics(Topics.DEFAULT_PREFIX);
        List<RawMqttPlayers.Player> players = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            int port = ports.get((i + nodeOffset) % ports.size());
            players.add(RawMqttPlayers.player(new PlayerIdentity(key(seed, i), secret), topics,
                    new InetSocketAddress("127.0.0.1", port), source));
        }
        RawMqttPlayers load = new RawMqttPlayers(players, 2, (int) a.number("posts", 100, 1, 1_000_000),
                a.number("interval-ms", 30_000, 100, 3_600_000), (int) a.number("connecting", 500, 1, 100_000));
        Object out = new Object();
        Thread reporter = new Thread(() -> {
            int tick = 0;
            try {
                while (true) {
                    Thread.sleep(1000);
                    LoadStats s = load.stats();
                    synchronized (out) {
                        System.out.printf("P %d %d %d %d %d %d %d %d %d%n", load.connected.get(), load.connectsFinished.sum(),
                                load.connectFailures.sum(), s.acked(), s.rejected(), s.lostCount(), load.skipped.sum(),
                                load.disconnected.sum(), load.gaveUp.sum());
                        if (++tick % 5 == 0) {
                            System.out.println("T " + encode(s.takeInterval()));
                        }
                        if (tick % 5 == 0) {
                            // every kind of error so far with its count, replacing the previous list
                            System.out.println("E " + String.join(" | ", load.firstErrors()).replace('\n', ' '));
                        }
                        System.out.flush();
                    }
                }
            } catch (InterruptedException e) {
                // closing
            }
        });
        reporter.setDaemon(true);
        load.start();
        reporter.start();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "W" -> {
                    synchronized (out) {
                        load.newStats();
                        System.out.println("OK");
                        System.out.flush();
                    }
                }
                case "H" -> {
                    synchronized (out) {
                        LoadStats s = load.stats();
                        s.takeInterval();
                        System.out.println("H " + encode(s.allLatencies()) + " " + s.acked() + " " + s.rejected() + " " + s.lostCount());
                        System.out.flush();
                    }
                }
                case "S" -> load.stopPublishing();
                case "Q" -> {
                    load.close();
                    System.exit(0);
                }
                default -> { }
            }
        }
        load.close();
        System.exit(0);
    }
}
