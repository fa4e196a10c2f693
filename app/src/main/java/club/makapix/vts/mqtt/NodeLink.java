package club.makapix.vts.mqtt;

import club.makapix.vts.concurrent.DaemonThreads;
import club.makapix.vts.store.PlayerDirectory;
import club.makapix.vts.store.RedisConnection;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.general.Qos;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.publish.PublishService;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to the other VTS nodes through Redis ({@code VTS_REDIS_URL}), so that several
 * nodes act as one broker for the device plane:
 *
 * <ul>
 *   <li>every device-plane message a client publishes here (the service account's to a player, a
 *       player's to the service account, a player's last will) is published on one Redis channel;
 *       every other node publishes it again on its own broker through HiveMQ's {@link PublishService},
 *       which no interceptor sees, so it is never sent on again (and each node skips its own messages
 *       by their origin). A node publishes a message for a player only if the player is connected to
 *       it, and a player's message only if a service client is connected to it or it is retained;</li>
 *   <li>retained messages (capabilities, state) are also kept in a Redis hash, which a node loads
 *       into its broker when it starts, so a backend subscribing later on any node gets them;</li>
 *   <li>each player connect takes a number from one Redis counter and tells the others, so a client
 *       id connected on two nodes keeps only its latest connection (a takeover, as one broker does);</li>
 *   <li>a revoked or changed player is forgotten, and a revoked one cut, on every node at once.</li>
 * </ul>
 *
 * Redis pub/sub delivers to the nodes subscribed at that moment, at most once: what a node misses
 * while its link to Redis is down is lost, as a message is for a clean-session subscriber that is
 * disconnected from a single broker. See docs/device-plane.md ("Several nodes"). Without Redis the
 * link is {@link #alone()} and does nothing.
 */
public final class NodeLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeLink.class);
    static final String CHANNEL = "vts:dp:nodes";
    static final String RETAINED = "vts:dp:retained";
    static final String CONNECT_SEQ = "vts:dp:connect-seq";
    private static final String SEQ_ATTRIBUTE = "vts.connect-seq";
    private static final String WILL_ATTRIBUTE = "vts.will";

    private final String node;
    private final StatefulRedisConnection<String, byte[]> redis;
    private final StatefulRedisPubSubConnection<String, byte[]> subscriber;
    private final ExecutorService inbox;
    /** The cluster-wide number of each client id's latest connection on this node. */
    private final Map<String, Long> localSeq = new ConcurrentHashMap<>();
    /** The latest number other nodes announced for a client id, for a connect whose own number comes back later. */
    private final Cache<String, Long> remoteSeq = Caffeine.newBuilder().expireAfterWrite(Duration.ofMinutes(2)).build();
    private final Counter sent;
    private final Counter received;
    private final Counter failed;
    private volatile boolean linkDown;

    private volatile PublishService publisher;
    private volatile ClientService clients;
    private volatile ConnectedPlayers connected;
    private volatile PlayerDirectory players;
    private volatile IntSupplier serviceClients = () -> 0;

    private NodeLink(String node, StatefulRedisConnection<String, byte[]> redis,
                     StatefulRedisPubSubConnection<String, byte[]> subscriber, MeterRegistry metrics) {
        this.node = node;
        this.redis = redis;
        this.subscriber = subscriber;
        this.inbox = redis == null ? null : Executors.newSingleThreadExecutor(DaemonThreads.named("vts-node-link"));
        this.sent = metrics == null ? null : Counter.builder("vts_mqtt_node_messages_total")
                .description("Messages this node sent to, and took from, the other nodes through Redis")
                .tag("direction", "sent").register(metrics);
        this.received = metrics == null ? null : Counter.builder("vts_mqtt_node_messages_total")
                .description("Messages this node sent to, and took from, the other nodes through Redis")
                .tag("direction", "received").register(metrics);
        this.failed = metrics == null ? null : Counter.builder("vts_mqtt_node_link_errors_total")
                .description("Messages for the other nodes that Redis did not take (lost for them), and local republishes that failed")
                .register(metrics);
    }

    /** One node: nothing to tell anyone. */
    public static NodeLink alone() {
        return new NodeLink("alone", null, null, null);
    }

    /** A link to the other nodes sharing {@code redis}. */
    public static NodeLink over(RedisConnection redis, MeterRegistry metrics) {
        StatefulRedisConnection<String, byte[]> publishing = redis.openBinary();
        try {
            return new NodeLink(UUID.randomUUID().toString().substring(0, 8), publishing, redis.openSubscriber(), metrics);
        } catch (RuntimeException e) {
            publishing.close();
            throw e;
        }
    }

    /** Whether other nodes may exist: messages are worth encoding. */
    public boolean isShared() {
        return redis != null;
    }

    String node() {
        return node;
    }

    /** The broker's services and this node's state, once the broker's extension starts. */
    void attach(PublishService publisher, ClientService clients, ConnectedPlayers connected, PlayerDirectory players,
                IntSupplier serviceClients) {
        this.publisher = publisher;
        this.clients = clients;
        this.connected = connected;
        this.players = players;
        this.serviceClients = serviceClients;
    }

    /** Starts listening to the other nodes, then loads the retained messages into this node's broker. */
    void start() {
        if (redis == null) {
            return;
        }
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, byte[] message) {
                inbox.execute(() -> receive(message));
            }
        });
        subscriber.sync().subscribe(CHANNEL);
        // subscribed first, so nothing stored after this read is missed; the read is at least as new
        // as any message already queued before it
        inbox.execute(this::loadRetained);
        LOG.info("Device plane shared with the other nodes through Redis (this node: {})", node);
    }

    // ---- what this node tells the others

    /** A message the service account published here for {@code playerKey}. */
    void toPlayer(String playerKey, String topic, int qos, byte[] payload) {
        if (redis != null) {
            send(new NodeMessage.Relay(node, playerKey, true, topic, qos, false, payload));
        }
    }

    /**
     * A message a player published here for the service account; {@code retain} when the broker keeps
     * it as retained (capabilities, state), so it is kept in Redis too (an empty one clears it).
     */
    void fromPlayer(String playerKey, String topic, int qos, boolean retain, byte[] payload) {
        if (redis == null) {
            return;
        }
        if (retain && payload.length == 0) {
            redis.async().hdel(RETAINED, topic).exceptionally(this::failed);
        } else if (retain) {
            redis.async().hset(RETAINED, topic, payload).exceptionally(this::failed);
        }
        send(new NodeMessage.Relay(node, playerKey, false, topic, qos, retain, payload));
    }

    /** Keeps a player's last will with its connection, for {@link #willSent} (wills never pass the interceptor). */
    void keepWill(ConnectionAttributeStore connection, String playerKey, String topic, int qos, boolean retain, byte[] payload) {
        if (redis != null) {
            connection.put(WILL_ATTRIBUTE,
                    ByteBuffer.wrap(NodeMessage.encode(new NodeMessage.Relay(node, playerKey, false, topic, qos, retain, payload))));
        }
    }

    /** The broker has just published this connection's last will here: the other nodes publish it too. */
    void willSent(ConnectionAttributeStore connection) {
        if (redis == null) {
            return;
        }
        connection.get(WILL_ATTRIBUTE).ifPresent(buffer -> {
            byte[] bytes = new byte[buffer.remaining()];
            buffer.duplicate().get(bytes);
            if (NodeMessage.decode(bytes) instanceof NodeMessage.Relay will) {
                fromPlayer(will.playerKey(), will.topic(), will.qos(), will.retain(), will.payload());
            }
        });
    }

    /** A player's client id connected here: older connections of it, on any node, end. */
    void playerConnected(String clientId, ConnectionAttributeStore connection) {
        if (redis == null) {
            return;
        }
        redis.async().incr(CONNECT_SEQ).whenComplete((seq, e) -> {
            if (e != null) {
                failed(e);
                return;
            }
            connection.put(SEQ_ATTRIBUTE, ByteBuffer.allocate(Long.BYTES).putLong(0, seq));
            localSeq.merge(clientId, seq, Math::max);
            Long newer = remoteSeq.getIfPresent(clientId);
            if (newer != null && newer > seq) {
                // another node took this client id while this connect waited for its number
                takeOver(clientId, seq);
            }
            send(new NodeMessage.Connected(node, clientId, seq));
        });
    }

    /** A player's connection here ended. */
    void playerDisconnected(String clientId, ConnectionAttributeStore connection) {
        connection.get(SEQ_ATTRIBUTE).ifPresent(buffer -> localSeq.remove(clientId, buffer.getLong(0)));
    }

    /** A player was revoked ({@code revoked}) or changed on this node: every other node forgets it, and cuts it if revoked. */
    void playerChanged(String playerKey, boolean revoked) {
        if (redis != null) {
            send(new NodeMessage.PlayerChanged(node, playerKey, revoked));
        }
    }

    private void send(NodeMessage message) {
        redis.async().publish(CHANNEL, NodeMessage.encode(message)).whenComplete((receivers, e) -> {
            if (e != null) {
                failed(e);
            } else {
                sent.increment();
                recovered();
            }
        });
    }

    // ---- what the others tell this node

    private void receive(byte[] data) {
        NodeMessage message = NodeMessage.decode(data);
        if (message == null || message.origin().equals(node)) {
            return;
        }
        received.increment();
        try {
            if (message instanceof NodeMessage.Relay relay) {
                republish(relay);
            } else if (message instanceof NodeMessage.Connected connect) {
                remoteSeq.asMap().merge(connect.clientId(), connect.seq(), Math::max);
                Long local = localSeq.get(connect.clientId());
                if (local != null && local < connect.seq()) {
                    takeOver(connect.clientId(), local);
                }
            } else if (message instanceof NodeMessage.PlayerChanged changed) {
                PlayerDirectory directory = players;
                if (directory != null) {
                    directory.forget(changed.playerKey());
                }
                ConnectedPlayers here = connected;
                if (changed.revoked() && here != null) {
                    here.disconnect(changed.playerKey());
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not handle a message from node {}: {}", message.origin(), e.toString());
        }
    }

    private void republish(NodeMessage.Relay relay) {
        PublishService service = publisher;
        if (service == null) {
            return;
        }
        if (relay.toPlayer()) {
            ConnectedPlayers here = connected;
            if (here == null || !here.isConnected(relay.playerKey())) {
                return;
            }
        } else if (!relay.retain() && serviceClients.getAsInt() == 0) {
            return;
        }
        publishHere(service, relay.topic(), relay.qos(), relay.retain(), relay.payload());
    }

    private void publishHere(PublishService service, String topic, int qos, boolean retain, byte[] payload) {
        service.publish(Builders.publish()
                        .topic(topic)
                        .qos(qos >= 1 ? Qos.AT_LEAST_ONCE : Qos.AT_MOST_ONCE)
                        .retain(retain)
                        .payload(ByteBuffer.wrap(payload))
                        .build())
                .exceptionally(this::failed);
    }

    private void loadRetained() {
        PublishService service = publisher;
        if (service == null) {
            return;
        }
        try {
            Map<String, byte[]> retained = redis.sync().hgetall(RETAINED);
            retained.forEach((topic, payload) -> publishHere(service, topic, 1, true, payload));
            if (!retained.isEmpty()) {
                LOG.info("Loaded {} retained device-plane messages kept by the nodes", retained.size());
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not load the retained messages kept in Redis ({}); players publish them again when they connect",
                    e.toString());
        }
    }

    /** Ends this node's connection of {@code clientId} (number {@code seq}): a newer one exists elsewhere. No will, as in a takeover. */
    private void takeOver(String clientId, long seq) {
        localSeq.remove(clientId, seq);
        ClientService service = clients;
        if (service != null) {
            service.disconnectClient(clientId, true, DisconnectReasonCode.SESSION_TAKEN_OVER,
                    "the client connected to another node");
        }
    }

    private <T> T failed(Throwable e) {
        if (failed != null) {
            failed.increment();
        }
        if (!linkDown) {
            linkDown = true;
            LOG.warn("The link to the other nodes failed ({}); messages for them are lost until Redis answers again",
                    e.getClass().getSimpleName());
        }
        return null;
    }

    private void recovered() {
        if (linkDown) {
            linkDown = false;
            LOG.info("The link to the other nodes works again");
        }
    }

    @Override
    public void close() {
        if (redis == null) {
            return;
        }
        inbox.shutdown();
        try {
            inbox.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        subscriber.close();
        redis.close();
    }
}
