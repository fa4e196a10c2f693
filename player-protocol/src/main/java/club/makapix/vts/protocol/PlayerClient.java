package club.makapix.vts.protocol;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;
import javax.net.SocketFactory;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A reference player on MQTT 5 (Eclipse Paho), as tests and the load simulator use it: connects
 * like a p3a (clean start, keepalive 60 s, last will "offline" on its status topic), publishes views
 * at QoS 1 and reports each PUBACK's reason code.
 *
 * <p>Paho refuses a publish beyond the server's receive maximum instead of waiting, so publishes
 * wait here on a semaphore sized to the receive maximum the server announced.
 */
public final class PlayerClient implements AutoCloseable {
    private final MqttAsyncClient client;
    private final Topics topics;
    private final String playerKey;
    private Semaphore inFlight = new Semaphore(1);
    private int receiveMaximum = 1;

    private PlayerClient(MqttAsyncClient client, Topics topics, String playerKey) {
        this.client = client;
        this.topics = topics;
        this.playerKey = playerKey;
    }

    /**
     * Connects a player. {@code secret} may be null when {@code socketFactory} presents a client
     * certificate (mutual TLS); {@code socketFactory} may be null for plain TCP.
     */
    public static PlayerClient connect(String serverUri, Topics topics, String playerKey, String secret,
                                       SocketFactory socketFactory) throws MqttException {
        Objects.requireNonNull(playerKey, "playerKey");
        MqttAsyncClient client = new MqttAsyncClient(serverUri, "p3a-" + playerKey, new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setKeepAliveInterval(60);
        options.setAutomaticReconnect(false);
        options.setUserName(playerKey);
        if (secret != null) {
            options.setPassword(secret.getBytes(StandardCharsets.UTF_8));
        }
        if (socketFactory != null) {
            options.setSocketFactory(socketFactory);
        }
        MqttMessage will = new MqttMessage(new StatusMessage(playerKey, "offline", null, null).encode(), 1, false, null);
        options.setWill(topics.status(playerKey), will);
        PlayerClient player = new PlayerClient(client, topics, playerKey);
        IMqttToken token = client.connect(options);
        token.waitForCompletion(15_000);
        Integer receiveMaximum = token.getResponseProperties() == null ? null
                : token.getResponseProperties().getReceiveMaximum();
        player.receiveMaximum = receiveMaximum == null ? 65_535 : receiveMaximum;
        player.inFlight = new Semaphore(player.receiveMaximum);
        return player;
    }

    public String playerKey() {
        return playerKey;
    }

    /** How many publishes may await their PUBACK at once, as the server announced it. */
    public int receiveMaximum() {
        return receiveMaximum;
    }

    public boolean isConnected() {
        return client.isConnected();
    }

    /**
     * Publishes one view at QoS 1. The future completes with the PUBACK's reason code (0 = success)
     * or exceptionally when the connection is lost before the PUBACK.
     */
    public CompletableFuture<Integer> publishView(ViewEvent event) throws InterruptedException {
        return publish(topics.view(playerKey), ViewEventCodec.encode(event));
    }

    /** Publishes raw bytes on a topic at QoS 1 (tests use it for malformed payloads and foreign topics). */
    public CompletableFuture<Integer> publish(String topic, byte[] payload) throws InterruptedException {
        inFlight.acquire();
        CompletableFuture<Integer> puback = new CompletableFuture<>();
        try {
            client.publish(topic, payload, 1, false, null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    inFlight.release();
                    int[] codes = token.getReasonCodes();
                    puback.complete(codes == null || codes.length == 0 ? 0 : codes[0]);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    inFlight.release();
                    puback.completeExceptionally(failure);
                }
            });
        } catch (MqttException | RuntimeException e) {
            inFlight.release();
            puback.completeExceptionally(e);
        }
        return puback;
    }

    public void publishStatus(StatusMessage status) throws MqttException {
        client.publish(topics.status(playerKey), status.encode(), 1, false).waitForCompletion(15_000);
    }

    /** Subscribes to this player's ack topic; each ack the server sends is handed to {@code onAck}. */
    public void subscribeAcks(Consumer<Ack> onAck) throws MqttException {
        // Paho 1.2.5's one-listener subscribe reads a subscription identifier that is not there and
        // throws (eclipse-paho/paho.mqtt.java#826); its listener-array form does not
        IMqttMessageListener listener = (topic, message) -> onAck.accept(Ack.decode(message.getPayload()));
        client.subscribe(new MqttSubscription[] {new MqttSubscription(topics.ack(playerKey), 1)}, null, null,
                new IMqttMessageListener[] {listener}, new MqttProperties()).waitForCompletion(15_000);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5_000);
            }
        } catch (MqttException e) {
            // closing anyway
        } finally {
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // nothing more to release
            }
        }
    }
}
