package club.makapix.vts.bench;

import club.makapix.vts.protocol.Topics;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The subscriber of the Mosquitto reference: takes every player's view topic at QoS 1, so
 * Mosquitto relays what the players publish instead of dropping it, and counts what arrives.
 */
final class MosquittoDrain implements AutoCloseable {
    private final Mqtt5AsyncClient client;
    private final LongAdder received = new LongAdder();

    MosquittoDrain(int port, Topics topics) throws Exception {
        client = MqttClient.builder().useMqttVersion5().identifier("bench-drain")
                .serverHost("127.0.0.1").serverPort(port).buildAsync();
        client.connectWith().cleanStart(true).send().get(15, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter(topics.view("+")).qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> received.increment())
                .send().get(15, TimeUnit.SECONDS);
    }

    long received() {
        return received.sum();
    }

    @Override
    public void close() throws Exception {
        client.disconnect().get(5, TimeUnit.SECONDS);
    }
}
