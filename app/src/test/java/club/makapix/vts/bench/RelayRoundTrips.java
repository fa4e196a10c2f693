package club.makapix.vts.bench;

import club.makapix.vts.protocol.Topics;
import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The round trips of the relay phases, through one broker: a player publishes a request on
 * {@code {prefix}/{key}/request/{id}}, the site's backend (one MQTT 5 connection subscribed to
 * {@code {prefix}/+/request/+}) answers on {@code {prefix}/{key}/response/{id}} with the request's own
 * payload, all at QoS 1, and the message is done when the answer reaches the player. The request's
 * PUBACK only says "received"; a refused or lost request ends the round trip there, and an answer
 * that never comes leaves it unanswered.
 */
final class RelayRoundTrips implements PlayerMessages, AutoCloseable {
    private final Topics topics;
    private final Mqtt5AsyncClient backend;
    private final AtomicLong lastId = new AtomicLong();
    /** Round trips awaiting their answer, by request id. */
    private final Map<String, CompletableFuture<Integer>> awaited = new ConcurrentHashMap<>();

    private RelayRoundTrips(Topics topics, Mqtt5AsyncClient backend) {
        this.topics = topics;
        this.backend = backend;
    }

    /**
     * Connects the backend (the service account on VTS; on Mosquitto, which allows anonymous clients,
     * the same client with its credentials ignored) and subscribes every player to its responses, as a
     * p3a does ({@code response/#}).
     */
    static RelayRoundTrips start(int port, Topics topics, String backendUser, String backendPassword, List<BenchConnection> players)
            throws Exception {
        Mqtt5AsyncClient backend = MqttClient.builder().useMqttVersion5().identifier("bench-backend")
                .serverHost("127.0.0.1").serverPort(port).buildAsync();
        backend.connectWith().cleanStart(true)
                .simpleAuth().username(backendUser).password(backendPassword.getBytes(StandardCharsets.UTF_8)).applySimpleAuth()
                .send().get(15, TimeUnit.SECONDS);
        RelayRoundTrips roundTrips = new RelayRoundTrips(topics, backend);
        backend.subscribeWith().topicFilter(topics.topic("+", Topics.Kind.REQUEST, "+")).qos(MqttQos.AT_LEAST_ONCE)
                .callback(roundTrips::answer)
                .send().get(15, TimeUnit.SECONDS);
        CompletableFuture.allOf(players.stream()
                        .map(p -> p.subscribe(topics.topic(p.playerKey(), Topics.Kind.RESPONSE, "#"), roundTrips::answered))
                        .toArray(CompletableFuture[]::new))
                .get(60, TimeUnit.SECONDS);
        return roundTrips;
    }

    @Override
    public Message next(BenchConnection player) {
        String id = Long.toString(lastId.incrementAndGet());
        String topic = topics.topic(player.playerKey(), Topics.Kind.REQUEST, id);
        byte[] payload = ("{\"request_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
        return () -> {
            CompletableFuture<Integer> roundTrip = new CompletableFuture<>();
            awaited.put(id, roundTrip);
            player.publish(topic, payload).whenComplete((code, failure) -> {
                if (failure != null || code != 0) {
                    awaited.remove(id);
                    if (failure != null) {
                        roundTrip.completeExceptionally(failure);
                    } else {
                        roundTrip.complete(code);
                    }
                }
            });
            return roundTrip;
        };
    }

    /** The backend's side: each request answered on its player's response topic. */
    private void answer(Mqtt5Publish request) {
        Topics.Match m = topics.parse(request.getTopic().toString());
        backend.publishWith().topic(topics.topic(m.playerKey(), Topics.Kind.RESPONSE, m.id())).qos(MqttQos.AT_LEAST_ONCE)
                .payload(request.getPayloadAsBytes()).send();
    }

    /** The player's side: the answer completes its round trip. */
    private void answered(Mqtt5Publish response) {
        CompletableFuture<Integer> roundTrip = awaited.remove(topics.parse(response.getTopic().toString()).id());
        if (roundTrip != null) {
            roundTrip.complete(0);
        }
    }

    @Override
    public void close() throws Exception {
        backend.disconnect().get(5, TimeUnit.SECONDS);
    }
}
