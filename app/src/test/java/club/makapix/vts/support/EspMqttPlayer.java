package club.makapix.vts.support;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.net.SocketFactory;

/**
 * A player that puts on the wire, byte for byte (packet ids aside), what the p3a firmware's esp-mqtt
 * client does (esp-mqtt {@code lib/mqtt_msg.c}, driven by p3a's {@code components/makapix/makapix_mqtt.c}).
 * No MQTT library in between, so a test controls exactly what the broker sees.
 *
 * <p>p3a configures no protocol version and builds with {@code CONFIG_MQTT_PROTOCOL_311} unset, so
 * esp-mqtt speaks MQTT 3.1 ("MQIsdp", level 3). Its password is "", which esp-mqtt leaves out
 * together with the password flag. In MQTT 3.1 a SUBACK only grants a QoS (0..2): there is no
 * failure code, so a broker that refuses a subscription closes the connection instead (HiveMQ does).
 */
public final class EspMqttPlayer implements AutoCloseable {
    /** p3a's {@code session.keepalive}. */
    private static final int KEEPALIVE_SECONDS = 60;
    /** p3a's {@code network.timeout_ms}: how long esp-mqtt waits for the CONNACK, and here for any ack. */
    private static final Duration NETWORK_TIMEOUT = Duration.ofSeconds(10);
    /** esp-mqtt pings half a keepalive after the CONNACK or the last PINGRESP, and gives up after a whole one. */
    private static final Duration HALF_KEEPALIVE = Duration.ofSeconds(KEEPALIVE_SECONDS / 2);

    private static final int CONNECT = 1;
    private static final int CONNACK = 2;
    private static final int PUBLISH = 3;
    private static final int PUBACK = 4;
    private static final int SUBSCRIBE = 8;
    private static final int SUBACK = 9;
    private static final int PINGREQ = 12;
    private static final int PINGRESP = 13;
    private static final int DISCONNECT = 14;

    private static final int FLAG_USERNAME = 0x80;
    private static final int FLAG_WILL_QOS_1 = 0x08;
    private static final int FLAG_WILL = 0x04;
    private static final int FLAG_CLEAN_SESSION = 0x02;
    /** SUBSCRIBE carries QoS 1 in its fixed header, as MQTT 3.1 asks and esp-mqtt sends. */
    private static final int SUBSCRIBE_HEADER = SUBSCRIBE << 4 | 0x02;

    /** A PUBLISH the broker sent this player. */
    public record Message(String topic, byte[] payload, int qos, boolean retain) {
        public String text() {
            return new String(payload, UTF_8);
        }
    }

    /** The broker answered the CONNECT with a CONNACK whose return code is not 0 (accepted). */
    public static final class ConnectRefused extends IOException {
        private final int returnCode;

        ConnectRefused(int returnCode) {
            super("CONNACK refused the connection with return code " + returnCode);
            this.returnCode = returnCode;
        }

        /** 1 unacceptable protocol version, 2 identifier rejected, 3 server unavailable, 4 bad user name or password, 5 not authorized. */
        public int returnCode() {
            return returnCode;
        }
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final Map<Integer, CompletableFuture<Void>> awaitingPuback = new ConcurrentHashMap<>();
    private final Map<Integer, CompletableFuture<Integer>> awaitingSuback = new ConcurrentHashMap<>();
    private final Object pingLock = new Object();
    private volatile CompletableFuture<Void> awaitingPingresp;
    /** Guarded by itself: waiters take messages out of order by topic. */
    private final List<Message> received = new ArrayList<>();
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private int lastPacketId;

    private EspMqttPlayer(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Opens a connection as p3a does and waits for the CONNACK.
     *
     * @throws ConnectRefused if the CONNACK refuses the connection
     * @throws IOException if the connection fails or closes before a CONNACK
     */
    public static EspMqttPlayer connect(SocketFactory sockets, String host, int port, String playerKey) throws IOException {
        Socket socket = sockets.createSocket(host, port);
        try {
            EspMqttPlayer player = new EspMqttPlayer(socket);
            player.write(connectPacket(playerKey));
            player.awaitConnack();
            player.start(playerKey);
            return player;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** Subscribes at QoS 1 and returns the QoS the SUBACK grants. */
    public int subscribe(String topicFilter) throws IOException {
        int packetId = nextPacketId();
        CompletableFuture<Integer> suback = new CompletableFuture<>();
        awaitingSuback.put(packetId, suback);
        try {
            write(packet(SUBSCRIBE_HEADER, uint16(packetId), string(topicFilter), new byte[] {1}));
            return await(suback, NETWORK_TIMEOUT, "SUBACK for " + topicFilter);
        } finally {
            awaitingSuback.remove(packetId);
        }
    }

    /** Publishes at QoS 1 and returns once the matching PUBACK arrived. */
    public void publish(String topic, byte[] payload, boolean retain) throws IOException {
        int packetId = nextPacketId();
        CompletableFuture<Void> puback = new CompletableFuture<>();
        awaitingPuback.put(packetId, puback);
        try {
            write(packet(publishHeader(1, retain), string(topic), uint16(packetId), payload));
            await(puback, NETWORK_TIMEOUT, "PUBACK for " + topic);
        } finally {
            awaitingPuback.remove(packetId);
        }
    }

    public void publishQos0(String topic, byte[] payload, boolean retain) throws IOException {
        write(packet(publishHeader(0, retain), string(topic), payload));
    }

    /** The oldest message not yet taken, or null if none arrives within {@code timeout}. */
    public Message next(Duration timeout) throws InterruptedException {
        return next(message -> true, timeout);
    }

    /** The oldest message on {@code topic} not yet taken (others stay queued), or null if none arrives within {@code timeout}. */
    public Message next(String topic, Duration timeout) throws InterruptedException {
        return next(message -> message.topic().equals(topic), timeout);
    }

    /** Sends a PINGREQ now and waits for the PINGRESP. */
    public void ping() throws IOException {
        ping(NETWORK_TIMEOUT);
    }

    /** False once either side has closed the connection. */
    public boolean isOpen() {
        return !closed.isDone();
    }

    /** Waits until the connection is closed, by either side; false if it is still open after {@code timeout}. */
    public boolean awaitClosed(Duration timeout) throws InterruptedException {
        try {
            closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("closed is only ever completed normally", e);
        }
    }

    /** Leaves cleanly, as {@code esp_mqtt_client_stop} does: DISCONNECT, so the broker drops the will, then close. */
    public void disconnect() throws IOException {
        try {
            write(packet(DISCONNECT << 4));
        } finally {
            cut();
        }
    }

    /** Drops the connection without DISCONNECT, like a player losing power, so the broker publishes the will. */
    public void cut() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing is all that was asked; the reader sees the socket end either way
        }
        closed.complete(null);
    }

    @Override
    public void close() {
        if (isOpen()) {
            cut();
        }
    }

    /** esp-mqtt's CONNECT: flags, then client id, will topic, will message and user name, in that order. */
    private static byte[] connectPacket(String playerKey) {
        byte[] variableHeader = {
            0, 6, 'M', 'Q', 'I', 's', 'd', 'p', 3,
            (byte) (FLAG_USERNAME | FLAG_WILL_QOS_1 | FLAG_WILL | FLAG_CLEAN_SESSION),
            (byte) (KEEPALIVE_SECONDS >> 8), (byte) KEEPALIVE_SECONDS,
        };
        String will = "{\"player_key\":\"" + playerKey + "\",\"status\":\"offline\"}";
        return packet(CONNECT << 4,
                variableHeader,
                string("p3a-" + playerKey),
                string("makapix/player/" + playerKey + "/status"),
                string(will),
                string(playerKey));
    }

    private void awaitConnack() throws IOException {
        socket.setSoTimeout((int) NETWORK_TIMEOUT.toMillis());
        int header = in.readUnsignedByte();
        byte[] body = readBody();
        if (header >>> 4 != CONNACK || body.length != 2) {
            throw new IOException("expected a CONNACK, got packet type " + (header >>> 4) + " of " + body.length + " bytes");
        }
        if (body[1] != 0) {
            throw new ConnectRefused(body[1] & 0xFF);
        }
        socket.setSoTimeout(0);
    }

    private void start(String playerKey) {
        daemon(this::readUntilClosed, "esp-mqtt-reader-" + playerKey).start();
        daemon(this::keepAlive, "esp-mqtt-keepalive-" + playerKey).start();
    }

    private void readUntilClosed() {
        IOException end;
        try {
            while (true) {
                int header = in.read();
                if (header < 0) {
                    throw new EOFException("the broker closed the connection");
                }
                dispatch(header, readBody());
            }
        } catch (IOException e) {
            end = e;
        } catch (IndexOutOfBoundsException e) {
            end = new IOException("a packet from the broker is shorter than its type needs", e);
        }
        // Close before failing the waiters: a waiter registered after this fails on its write instead.
        cut();
        awaitingPuback.values().forEach(waiter -> waiter.completeExceptionally(end));
        awaitingSuback.values().forEach(waiter -> waiter.completeExceptionally(end));
        CompletableFuture<Void> pingresp = awaitingPingresp;
        if (pingresp != null) {
            pingresp.completeExceptionally(end);
        }
    }

    private void dispatch(int header, byte[] body) throws IOException {
        switch (header >>> 4) {
            case PUBLISH -> receive(header, body);
            case PUBACK -> complete(awaitingPuback, uint16At(body, 0), null);
            case SUBACK -> complete(awaitingSuback, uint16At(body, 0), body[2] & 0xFF);
            case PINGRESP -> {
                CompletableFuture<Void> pingresp = awaitingPingresp;
                if (pingresp != null) {
                    pingresp.complete(null);
                }
            }
            // nothing else is sent to a client that subscribes at QoS 1 at most
            default -> throw new IOException("unexpected packet type " + (header >>> 4) + " from the broker");
        }
    }

    /** Queues the message, then acknowledges QoS 1 as esp-mqtt does: after handing it to the application. */
    private void receive(int header, byte[] body) throws IOException {
        int qos = header >> 1 & 0x03;
        int topicLength = uint16At(body, 0);
        String topic = new String(body, 2, topicLength, UTF_8);
        int payloadStart = 2 + topicLength + (qos > 0 ? 2 : 0);
        byte[] payload = Arrays.copyOfRange(body, payloadStart, body.length);
        synchronized (received) {
            received.add(new Message(topic, payload, qos, (header & 0x01) != 0));
            received.notifyAll();
        }
        if (qos == 1) {
            write(packet(PUBACK << 4, uint16(uint16At(body, 2 + topicLength))));
        }
    }

    private static <T> void complete(Map<Integer, CompletableFuture<T>> waiters, int packetId, T value) {
        CompletableFuture<T> waiter = waiters.get(packetId);
        if (waiter != null) {
            waiter.complete(value);
        }
    }

    private Message next(Predicate<Message> wanted, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                for (Iterator<Message> it = received.iterator(); it.hasNext(); ) {
                    Message message = it.next();
                    if (wanted.test(message)) {
                        it.remove();
                        return message;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
        }
    }

    /** Pings like esp-mqtt, and drops the connection as it does when a PINGRESP is late. */
    private void keepAlive() {
        try {
            while (!awaitClosed(HALF_KEEPALIVE)) {
                ping(HALF_KEEPALIVE);
            }
        } catch (IOException e) {
            cut();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void ping(Duration timeout) throws IOException {
        // PINGRESP names no request, so one PINGREQ at a time
        synchronized (pingLock) {
            CompletableFuture<Void> pingresp = new CompletableFuture<>();
            awaitingPingresp = pingresp;
            write(packet(PINGREQ << 4));
            await(pingresp, timeout, "PINGRESP");
        }
    }

    /**
     * 1..65535, wrapping. esp-mqtt as p3a builds it picks random ids ({@code CONFIG_MQTT_MSG_ID_INCREMENTAL}
     * unset); counting keeps a test's packets in an order one can read back.
     */
    private synchronized int nextPacketId() {
        lastPacketId = lastPacketId % 0xFFFF + 1;
        return lastPacketId;
    }

    private void write(byte[] packet) throws IOException {
        synchronized (out) {
            out.write(packet);
            out.flush();
        }
    }

    /** Reads the variable-length remaining length (1 to 4 bytes, 7 bits each, least significant first), then that many bytes. */
    private byte[] readBody() throws IOException {
        int length = 0;
        for (int shift = 0; ; shift += 7) {
            if (shift > 21) {
                throw new IOException("remaining length longer than 4 bytes");
            }
            int digit = in.readUnsignedByte();
            length |= (digit & 0x7F) << shift;
            if ((digit & 0x80) == 0) {
                break;
            }
        }
        byte[] body = new byte[length];
        in.readFully(body);
        return body;
    }

    private static int publishHeader(int qos, boolean retain) {
        return PUBLISH << 4 | qos << 1 | (retain ? 1 : 0);
    }

    private static byte[] packet(int header, byte[]... parts) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            body.writeBytes(part);
        }
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(header);
        int length = body.size();
        do {
            int digit = length % 128;
            length /= 128;
            packet.write(length > 0 ? digit | 0x80 : digit);
        } while (length > 0);
        packet.writeBytes(body.toByteArray());
        return packet.toByteArray();
    }

    private static byte[] string(String text) {
        byte[] utf8 = text.getBytes(UTF_8);
        ByteArrayOutputStream prefixed = new ByteArrayOutputStream();
        prefixed.writeBytes(uint16(utf8.length));
        prefixed.writeBytes(utf8);
        return prefixed.toByteArray();
    }

    private static byte[] uint16(int value) {
        return new byte[] {(byte) (value >> 8), (byte) value};
    }

    private static int uint16At(byte[] body, int offset) {
        return (body[offset] & 0xFF) << 8 | body[offset + 1] & 0xFF;
    }

    private static <T> T await(CompletableFuture<T> reply, Duration timeout, String what) throws IOException {
        try {
            return reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new SocketTimeoutException("no " + what + " within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new IOException("connection ended before the " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the " + what);
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
