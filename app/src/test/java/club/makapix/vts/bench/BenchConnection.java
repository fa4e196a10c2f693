package club.makapix.vts.bench;

import club.makapix.vts.protocol.StatusMessage;
import club.makapix.vts.protocol.Topics;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * One player's MQTT 5 connection for the load generator, on HiveMQ's async client: all connections
 * share a few Netty event loops, so thousands of them cost the generator little CPU (Paho needs
 * about four threads per connection). Connects like a p3a: clean start, keepalive 60 s, last will
 * "offline" on its status topic.
 */
final class BenchConnection {
    private final Mqtt5AsyncClient client;
    private final String playerKey;
    private final String viewTopic;

    private BenchConnection(Mqtt5AsyncClient client, String playerKey, String viewTopic) {
        this.client = client;
        this.playerKey = playerKey;
        this.viewTopic = viewTopic;
    }

    /** Connects; credentials are sent to any broker (a Mosquitto that allows anonymous clients ignores them). */
    static CompletableFuture<BenchConnection> connect(int port, Topics topics, PlayerIdentity player) {
        Mqtt5AsyncClient client = MqttClient.builder().useMqttVersion5()
                .identifier("p3a-" + player.key())
                .serverHost("127.0.0.1").serverPort(port)
                .buildAsync();
        return client.connectWith()
                .cleanStart(true)
                .keepAlive(60)
                .simpleAuth().username(player.key()).password(player.secret().getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .willPublish().topic(topics.status(player.key()))
                .payload(new StatusMessage(player.key(), "offline", null, null).encode())
                .qos(MqttQos.AT_LEAST_ONCE).applyWillPublish()
                .send()
                .thenApply(connAck -> new BenchConnection(client, player.key(), topics.view(player.key())));
    }

    /** Publishes a view at QoS 1, as {@link #publish}. */
    CompletableFuture<Integer> publishView(byte[] payload) {
        return publish(viewTopic, payload);
    }

    /**
     * Publishes at QoS 1. Completes with the PUBACK's reason code (0 = success), or exceptionally
     * when the connection is lost first.
     */
    CompletableFuture<Integer> publish(String topic, byte[] payload) {
        return client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(payload).send()
                .handle((result, failure) -> {
                    Throwable error = failure != null ? unwrap(failure) : result.getError().orElse(null);
                    if (error instanceof Mqtt5PubAckException rejected) {
                        return rejected.getMqttMessage().getReasonCode().getCode();
                    }
                    if (error != null) {
                        throw new CompletionException(error);
                    }
                    return ((Mqtt5PublishResult.Mqtt5Qos1Result) result).getPubAck().getReasonCode().getCode();
                });
    }

    /**
     * Subscribes at QoS 1; completes exceptionally when the broker refuses. {@code onMessage} runs on
     * the client's event loop, so it must not block.
     */
    CompletableFuture<Void> subscribe(String filter, Consumer<Mqtt5Publish> onMessage) {
        return client.subscribeWith().topicFilter(filter).qos(MqttQos.AT_LEAST_ONCE).callback(onMessage).send()
                .thenApply(subAck -> null);
    }

    String playerKey() {
        return playerKey;
    }

    boolean isConnected() {
        return client.getState().isConnected();
    }

    CompletableFuture<Void> close() {
        return isConnected() ? client.disconnect().exceptionally(e -> null) : CompletableFuture.completedFuture(null);
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    }
}
