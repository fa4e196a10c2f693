package club.makapix.vts.bench;

import club.makapix.vts.protocol.Topics;
import club.makapix.vts.protocol.ViewEventCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Many p3a players as bare MQTT 5 over NIO, a few bytes of state each, so that one generator on a
 * small machine holds 100,000 connections (HiveMQ's client keeps a Netty pipeline and several
 * objects per connection; Paho a few threads). Each player connects with its key and secret
 * ({@code p3a-{key}}, clean start, keepalive 60 s), then publishes one p3a view at QoS 1 every
 * {@code interval} as the firmware does, at a phase of its own so the load is even; its publishes
 * count as keepalive traffic, so it sends no PINGREQ. PUBACK latency runs from the write of the
 * publish to the PUBACK's arrival. Connections come from several loopback source addresses
 * (127.0.0.x), each good for one ephemeral port range, so ports do not run out.
 *
 * <p>Every socket belongs to one of a few I/O threads; nothing is shared between them but counters.
 */
final class RawMqttPlayers implements AutoCloseable {
    /** Keepalive sent in CONNECT: the firmware's. */
    private static final int KEEPALIVE_S = 60;
    private static final int CONNECTING = 0;
    private static final int AWAIT_CONNACK = 1;
    private static final int UP = 2;
    private static final int CLOSED = 3;
    /** A player retries a failed connect after a second, as the firmware does, this many times in all. */
    static final int CONNECT_ATTEMPTS = 10;

    /** One player: who it is, where it goes, and its one publish in flight. */
    static final class Player {
        final String key;
        final String secret;
        final InetSocketAddress server;
        final InetAddress source;
        final byte[] topic;
        SocketChannel channel;
        int state = CONNECTING;
        long phaseNanos;
        long nextAt;
        long sentAt;
        int packetId;
        boolean awaiting;
        byte[] partial;
        ByteBuffer unwritten;
        int attempts;

        Player(String key, String secret, InetSocketAddress server, InetAddress source, byte[] topic) {
            this.key = key;
            this.secret = secret;
            this.server = server;
            this.source = source;
            this.topic = topic;
        }
    }

    private final int posts;
    private final long intervalNanos;
    private final int maxConnecting;
    private final List<IoThread> threads = new ArrayList<>();
    private volatile LoadStats stats = new LoadStats();
    private volatile boolean publishing = true;
    private volatile boolean running = true;
    final AtomicInteger connected = new AtomicInteger();
    final LongAdder connectsFinished = new LongAdder();
    /** Connect attempts that failed (each retried after a second, up to {@link #CONNECT_ATTEMPTS} in all). */
    final LongAdder connectFailures = new LongAdder();
    /** Players that gave up after {@link #CONNECT_ATTEMPTS} failed connects. */
    final LongAdder gaveUp = new LongAdder();
    final LongAdder disconnected = new LongAdder();
    /** Publishes not sent because the player's previous one was still unanswered a whole interval later. */
    final LongAdder skipped = new LongAdder();
    /** What went wrong, by kind (no player keys in the text), and how often. */
    private final Map<String, LongAdder> errors = new ConcurrentHashMap<>();

    /**
     * @param maxConnecting connects in progress at once (TCP or awaiting CONNACK), over all threads:
     *                      enough to keep the server's authenticator busy, not so many that its
     *                      accept queue or 10 s authentication timeout overflows
     */
    RawMqttPlayers(List<Player> players, int ioThreads, int posts, long intervalMillis, int maxConnecting) throws IOException {
        this.posts = posts;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
        this.maxConnecting = Math.max(1, maxConnecting / ioThreads);
        for (int t = 0; t < ioThreads; t++) {
            threads.add(new IoThread("raw-mqtt-" + t, 1_024 + t * (64_511 / ioThreads)));
        }
        for (int i = 0; i < players.size(); i++) {
            Player p = players.get(i);
            p.phaseNanos = ThreadLocalRandom.current().nextLong(intervalNanos);
            threads.get(i % ioThreads).toConnect.add(p);
        }
    }

    static Player player(PlayerIdentity identity, Topics topics, InetSocketAddress server, InetAddress source) {
        return new Player(identity.key(), identity.secret(), server, source,
                topics.view(identity.key()).getBytes(StandardCharsets.UTF_8));
    }

    /** Starts connecting every player; each publishes from its connect on. */
    void start() {
        threads.forEach(Thread::start);
    }

    /** What the players see from now on goes to a fresh {@link LoadStats}, returned. */
    LoadStats newStats() {
        LoadStats fresh = new LoadStats();
        stats = fresh;
        return fresh;
    }

    LoadStats stats() {
        return stats;
    }

    /** No more publishes (those in flight still get their PUBACK counted). */
    void stopPublishing() {
        publishing = false;
    }

    long awaitingPuback() {
        return stats.inFlight();
    }

    /** What went wrong, by kind: "text ×count". */
    List<String> firstErrors() {
        List<String> out = new ArrayList<>();
        errors.forEach((what, n) -> out.add(what + " ×" + n.sum()));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        for (IoThread t : threads) {
            t.selector.wakeup();
        }
        for (IoThread t : threads) {
            t.join(60_000);
        }
    }

    private void error(String what) {
        if (errors.size() < 20 || errors.containsKey(what)) {
            errors.computeIfAbsent(what, w -> new LongAdder()).increment();
        }
    }

    private final class IoThread extends Thread {
        final Selector selector;
        final ArrayDeque<Player> toConnect = new ArrayDeque<>();
        /** Players whose connect failed, and when each may try again (System.nanoTime). */
        final ArrayDeque<Player> retrying = new ArrayDeque<>();
        final ArrayDeque<Long> retryAt = new ArrayDeque<>();
        final List<Player> mine = new ArrayList<>();
        final PriorityQueue<Player> due = new PriorityQueue<>((a, b) -> Long.compare(a.nextAt, b.nextAt));
        final ByteBuffer readBuffer = ByteBuffer.allocateDirect(64 * 1024);
        int connecting;
        /** The next local port to bind; each I/O thread its own half of the range, so they do not collide. */
        int nextPort;

        IoThread(String name, int firstPort) throws IOException {
            super(name);
            this.nextPort = firstPort;
            setDaemon(true);
            selector = Selector.open();
        }

        @Override
        public void run() {
            try {
                while (running) {
                    startConnects();
                    long now = System.nanoTime();
                    long wait = 10;
                    Player next = due.peek();
                    if (next != null) {
                        wait = Math.max(1, Math.min(10, TimeUnit.NANOSECONDS.toMillis(next.nextAt - now)));
                    }
                    selector.select(wait);
                    for (SelectionKey key : selector.selectedKeys()) {
                        handle(key);
                    }
                    selector.selectedKeys().clear();
                    sendDue(System.nanoTime());
                }
            } catch (IOException e) {
                error("I/O thread " + getName() + " stopped: " + e);
            } finally {
                for (Player p : mine) {
                    closeQuietly(p);
                }
                try {
                    selector.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
            }
        }

        private void startConnects() {
            long now = System.nanoTime();
            while (!retrying.isEmpty() && retryAt.peek() - now <= 0) {
                retryAt.poll();
                toConnect.addFirst(retrying.poll());
            }
            while (connecting < maxConnecting && !toConnect.isEmpty()) {
                Player p = toConnect.poll();
                if (p.attempts++ == 0) {
                    mine.add(p);
                }
                p.state = CONNECTING;
                p.partial = null;
                p.unwritten = null;
                connecting++;
                try {
                    SocketChannel ch = SocketChannel.open();
                    p.channel = ch;
                    ch.configureBlocking(false);
                    bindLocal(ch, p.source);
                    if (ch.connect(p.server)) {
                        sendConnect(p);
                    } else {
                        ch.register(selector, SelectionKey.OP_CONNECT, p);
                    }
                } catch (IOException e) {
                    failConnect(p, "connect: " + e);
                }
            }
        }

        /**
         * Binds the socket to the player's source address on a port picked here, in turn over the
         * whole range: with port 0 the kernel searches its bind table for a free one at every
         * connect, which got slower with every socket already bound (a connect rate falling from 700
         * to under 100 a second by 15,000 connections, the generator's CPU going to that search).
         * A port some other program holds on every address is skipped.
         */
        private void bindLocal(SocketChannel ch, InetAddress source) throws IOException {
            for (int attempt = 0; attempt < 1_000; attempt++) {
                int port = nextPort;
                nextPort = nextPort >= 65_535 ? 1_024 : nextPort + 1;
                try {
                    ch.bind(new InetSocketAddress(source, port));
                    return;
                } catch (java.net.BindException taken) {
                    // next one
                }
            }
            throw new java.net.BindException("no free local port on " + source.getHostAddress());
        }

        private void handle(SelectionKey key) {
            Player p = (Player) key.attachment();
            if (!key.isValid()) {
                return;
            }
            try {
                if (key.isConnectable()) {
                    p.channel.finishConnect();
                    sendConnect(p);
                    return;
                }
                if (key.isWritable()) {
                    flush(p);
                }
                if (key.isReadable()) {
                    read(p);
                }
            } catch (IOException e) {
                lose(p, e.toString());
            }
        }

        private void sendConnect(Player p) throws IOException {
            p.state = AWAIT_CONNACK;
            p.channel.register(selector, SelectionKey.OP_READ, p);
            write(p, connectPacket(p));
        }

        private void read(Player p) throws IOException {
            readBuffer.clear();
            if (p.partial != null) {
                readBuffer.put(p.partial);
                p.partial = null;
            }
            int n = p.channel.read(readBuffer);
            if (n < 0) {
                lose(p, "closed by the server");
                return;
            }
            readBuffer.flip();
            while (readBuffer.remaining() >= 2) {
                int start = readBuffer.position();
                int type = readBuffer.get() & 0xF0;
                int length = 0;
                int shift = 0;
                boolean complete = false;
                while (readBuffer.hasRemaining()) {
                    int b = readBuffer.get() & 0xFF;
                    length |= (b & 0x7F) << shift;
                    shift += 7;
                    if ((b & 0x80) == 0) {
                        complete = true;
                        break;
                    }
                }
                if (!complete || readBuffer.remaining() < length) {
                    readBuffer.position(start);
                    break;
                }
                int body = readBuffer.position();
                packet(p, type, length, body);
                readBuffer.position(body + length);
                if (p.state == CLOSED) {
                    return;
                }
            }
            if (readBuffer.hasRemaining()) {
                p.partial = new byte[readBuffer.remaining()];
                readBuffer.get(p.partial);
            }
        }

        private void packet(Player p, int type, int length, int body) {
            long now = System.nanoTime();
            switch (type) {
                case 0x20 -> { // CONNACK: flags, reason code, properties
                    int reason = length >= 2 ? readBuffer.get(body + 1) & 0xFF : 255;
                    if (reason != 0) {
                        failConnect(p, String.format("CONNACK 0x%02x", reason));
                        return;
                    }
                    connecting--;
                    connectsFinished.increment();
                    p.state = UP;
                    connected.incrementAndGet();
                    p.nextAt = now + p.phaseNanos;
                    due.add(p);
                }
                case 0x40 -> { // PUBACK: packet id, then a reason code if not success
                    int id = ((readBuffer.get(body) & 0xFF) << 8) | (readBuffer.get(body + 1) & 0xFF);
                    int reason = length >= 3 ? readBuffer.get(body + 2) & 0xFF : 0;
                    if (p.awaiting && id == p.packetId) {
                        p.awaiting = false;
                        stats.answered(now - p.sentAt, reason);
                    }
                }
                case 0xE0 -> { // DISCONNECT from the server
                    int reason = length >= 1 ? readBuffer.get(body) & 0xFF : 0;
                    lose(p, String.format("DISCONNECT 0x%02x", reason));
                }
                default -> error(String.format("unexpected packet 0x%02x", type));
            }
        }

        private void sendDue(long now) {
            Player p;
            while ((p = due.peek()) != null && p.nextAt - now <= 0) {
                due.poll();
                if (p.state != UP) {
                    continue;
                }
                p.nextAt += intervalNanos;
                due.add(p);
                if (!publishing) {
                    continue;
                }
                if (p.awaiting) {
                    skipped.increment();
                    continue;
                }
                p.packetId = p.packetId % 65_535 + 1;
                p.awaiting = true;
                p.sentAt = System.nanoTime();
                stats.published();
                try {
                    write(p, publishPacket(p));
                } catch (IOException e) {
                    lose(p, e.toString());
                }
            }
        }

        private void write(Player p, byte[] packet) throws IOException {
            if (p.unwritten != null) { // rare: the socket's buffer was full; keep order
                ByteBuffer both = ByteBuffer.allocate(p.unwritten.remaining() + packet.length);
                both.put(p.unwritten).put(packet).flip();
                p.unwritten = both;
                return;
            }
            ByteBuffer b = ByteBuffer.wrap(packet);
            p.channel.write(b);
            if (b.hasRemaining()) {
                p.unwritten = b;
                p.channel.keyFor(selector).interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        private void flush(Player p) throws IOException {
            if (p.unwritten != null) {
                p.channel.write(p.unwritten);
                if (p.unwritten.hasRemaining()) {
                    return;
                }
                p.unwritten = null;
            }
            p.channel.keyFor(selector).interestOps(SelectionKey.OP_READ);
        }

        private void failConnect(Player p, String why) {
            connecting--;
            connectFailures.increment();
            error(why);
            closeQuietly(p);
            if (p.attempts < CONNECT_ATTEMPTS && running) {
                retrying.add(p);
                retryAt.add(System.nanoTime() + TimeUnit.SECONDS.toNanos(1));
            } else {
                gaveUp.increment();
                connectsFinished.increment();
            }
        }

        private void lose(Player p, String why) {
            if (p.state == CLOSED) {
                return;
            }
            if (p.state == UP) {
                connected.decrementAndGet();
                disconnected.increment();
                if (p.awaiting) {
                    p.awaiting = false;
                    stats.lost();
                }
                if (running) {
                    error("connection lost: " + why);
                }
                closeQuietly(p);
            } else {
                failConnect(p, why);
            }
        }

        private void closeQuietly(Player p) {
            p.state = CLOSED;
            try {
                if (p.channel != null) {
                    p.channel.close();
                }
            } catch (IOException ignored) {
                // gone either way
            }
        }
    }

    private byte[] connectPacket(Player p) {
        ByteArrayOutputStream v = new ByteArrayOutputStream(128);
        string(v, "MQTT");
        v.write(5);          // MQTT 5
        v.write(0xC2);       // username, password, clean start
        v.write(KEEPALIVE_S >> 8);
        v.write(KEEPALIVE_S & 0xFF);
        v.write(0);          // no properties
        string(v, "p3a-" + p.key);
        string(v, p.key);
        string(v, p.secret);
        return packet(0x10, v.toByteArray());
    }

    private byte[] publishPacket(Player p) {
        byte[] payload = ViewEventCodec.encode(P3aViews.event(p.key, posts));
        ByteArrayOutputStream v = new ByteArrayOutputStream(payload.length + p.topic.length + 8);
        v.write(p.topic.length >> 8);
        v.write(p.topic.length & 0xFF);
        v.write(p.topic, 0, p.topic.length);
        v.write(p.packetId >> 8);
        v.write(p.packetId & 0xFF);
        v.write(0);          // no properties
        v.write(payload, 0, payload.length);
        return packet(0x32, v.toByteArray()); // PUBLISH, QoS 1
    }

    private static void string(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write(b.length >> 8);
        out.write(b.length & 0xFF);
        out.write(b, 0, b.length);
    }

    private static byte[] packet(int header, byte[] rest) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(rest.length + 5);
        out.write(header);
        int n = rest.length;
        do {
            int digit = n % 128;
            n /= 128;
            out.write(n > 0 ? digit | 0x80 : digit);
        } while (n > 0);
        out.write(rest, 0, rest.length);
        return out.toByteArray();
    }
}
