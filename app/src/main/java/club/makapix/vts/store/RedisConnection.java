package club.makapix.vts.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.net.URI;
import java.time.Duration;

/**
 * A node's one connection to Redis ({@code VTS_REDIS_URL}), shared by the pipeline's windows and the
 * stats cache (Lettuce connections are thread-safe). Commands fail fast while Redis is away, so
 * their users can fall back instead of waiting.
 */
public final class RedisConnection implements AutoCloseable {
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private RedisConnection(RedisClient client, StatefulRedisConnection<String, String> connection) {
        this.client = client;
        this.connection = connection;
    }

    public static RedisConnection open(URI url) {
        RedisClient client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(250)))
                .build());
        try {
            return new RedisConnection(client, client.connect());
        } catch (RuntimeException e) {
            // the start stops here; the client's threads must not outlive it
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            throw e;
        }
    }

    public StatefulRedisConnection<String, String> connection() {
        return connection;
    }

    /** String keys and byte values: a connection of its own (the caller closes it), for binary messages. */
    public StatefulRedisConnection<String, byte[]> openBinary() {
        return client.connect(BINARY);
    }

    /** A connection of its own in subscriber mode (the caller closes it); it subscribes again after a reconnect. */
    public StatefulRedisPubSubConnection<String, byte[]> openSubscriber() {
        return client.connectPubSub(BINARY);
    }

    private static final RedisCodec<String, byte[]> BINARY = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
