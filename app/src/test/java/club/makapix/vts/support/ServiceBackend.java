package club.makapix.vts.support;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;

/**
 * The site's backend on the broker, as Makapix's {@code svc_backend} connects: MQTT 5, username and
 * password, QoS 1. Messages it receives are kept in arrival order for the test to look for.
 */
public final class ServiceBackend implements AutoCloseable {
    /** A message the backend received. */
    public record Received(String topic, String text, boolean retained) {}

    private final MqttAsyncClient client;
    private final List<Received> received = new ArrayList<>();

    private ServiceBackend(MqttAsyncClient client) {
        this.client = client;
    }

    public static ServiceBackend connect(String uri, String clientId, String user, String password) throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(uri, clientId, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setKeepAliveInterval(60);
        options.setUserName(user);
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setConnectionTimeout(10);
        ServiceBackend backend = new ServiceBackend(client);
        client.setCallback(new org.eclipse.paho.mqttv5.client.MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                synchronized (backend.received) {
                    backend.received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8), message.isRetained()));
                    backend.received.notifyAll();
                }
            }

            @Override
            public void disconnected(org.eclipse.paho.mqttv5.client.MqttDisconnectResponse response) {}

            @Override
            public void mqttErrorOccurred(MqttException exception) {}

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, org.eclipse.paho.mqttv5.common.packet.MqttProperties properties) {}
        });
        client.connect(options).waitForCompletion(10_000);
        return backend;
    }

    /** Subscribes at QoS 1 and returns the SUBACK's reason code (1 granted, 0x87 not authorized…). */
    public int subscribe(String filter) throws MqttException {
        try {
            IMqttToken token = client.subscribe(new MqttSubscription(filter, 1));
            token.waitForCompletion(10_000);
            return token.getReasonCodes()[0];
        } catch (MqttException refused) {
            return refused.getReasonCode();
        }
    }

    /** Publishes at QoS 1 and returns the PUBACK's reason code (0 accepted, 0x87 not authorized…). */
    public int publish(String topic, String text) throws MqttException {
        try {
            IMqttToken token = client.publish(topic, text.getBytes(StandardCharsets.UTF_8), 1, false);
            token.waitForCompletion(10_000);
            int[] codes = token.getReasonCodes();
            return codes == null || codes.length == 0 ? 0 : codes[0];
        } catch (MqttException refused) {
            return refused.getReasonCode();
        }
    }

    /** The first message on {@code topic} not taken yet, waiting up to {@code timeout}; null if none came. */
    public Received next(String topic, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (received) {
            while (true) {
                for (Iterator<Received> it = received.iterator(); it.hasNext(); ) {
                    Received r = it.next();
                    if (r.topic().equals(topic)) {
                        it.remove();
                        return r;
                    }
                }
                long left = until - System.nanoTime();
                if (left <= 0) {
                    return null;
                }
                TimeUnit.NANOSECONDS.timedWait(received, left);
            }
        }
    }

    /** How many messages on {@code topic} arrived and were not taken. */
    public int count(String topic) {
        synchronized (received) {
            return (int) received.stream().filter(r -> r.topic().equals(topic)).count();
        }
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(2_000);
            }
            client.close(true);
        } catch (MqttException ignored) {
            // already gone
        }
    }
}
