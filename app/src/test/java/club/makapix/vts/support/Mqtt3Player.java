package club.makapix.vts.support;

import club.makapix.vts.protocol.Ack;
import club.makapix.vts.protocol.InvalidPayloadException;
import club.makapix.vts.protocol.Topics;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A player that behaves like the p3a firmware: MQTT 3.1.1, client id {@code p3a-{key}}, clean
 * session, keepalive 60 s, QoS 1, last will "offline" on its status topic.
 */
public final class Mqtt3Player implements AutoCloseable {
    public final String key;
    public final MqttClient client;
    private final Topics topics;
    public final BlockingQueue<Ack> acks = new LinkedBlockingQueue<>();

    private Mqtt3Player(String key, MqttClient client, Topics topics) {
        this.key = key;
        this.client = client;
        this.topics = topics;
    }

    public static Mqtt3Player connect(String uri, String key, String secret, SocketFactory sockets) throws MqttException {
        return connect(uri, "p3a-" + key, key, secret, sockets);
    }

    /** Connects with a client id of the caller's choosing (a player's own is {@code p3a-{key}}). */
    public static Mqtt3Player connect(String uri, String clientId, String key, String secret, SocketFactory sockets)
            throws MqttException {
        MqttClient client = new MqttClient(uri, clientId, new MemoryPersistence());
        MqttConnectOptions options = new MqttConnectOptions();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(true);
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setUserName(key);
        options.setPassword(secret == null ? new char[0] : secret.toCharArray());
        if (sockets != null) {
            options.setSocketFactory(sockets);
        }
        options.setWill("makapix/player/" + key + "/status",
                ("{\"player_key\":\"" + key + "\",\"status\":\"offline\"}").getBytes(), 1, false);
        client.setTimeToWait(20_000);
        client.connect(options);
        return new Mqtt3Player(key, client, new Topics(Topics.DEFAULT_PREFIX));
    }

    public Mqtt3Player subscribeAcks() throws MqttException {
        client.subscribe(topics.ack(key), 1, (topic, message) -> {
            try {
                acks.add(Ack.decode(message.getPayload()));
            } catch (InvalidPayloadException e) {
                throw new AssertionError("server sent an unreadable ack", e);
            }
        });
        return this;
    }

    /** Publishes at QoS 1 and returns once the PUBACK arrived. */
    public void publishView(byte[] payload) throws MqttException {
        client.publish(topics.view(key), payload, 1, false);
    }

    /** Waits until the server has closed the connection; false if it is still open after the wait. */
    public boolean awaitDisconnected(long seconds) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (client.isConnected() && System.nanoTime() < until) {
            Thread.sleep(20);
        }
        return !client.isConnected();
    }

    public Ack nextAck(long seconds) throws InterruptedException {
        return acks.poll(seconds, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // already gone
        }
    }
}
