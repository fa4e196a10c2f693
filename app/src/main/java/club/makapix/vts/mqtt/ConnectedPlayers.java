package club.makapix.vts.mqtt;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which MQTT connections belong to which player, so a revoked player can be cut off at once and
 * an administrator sees who is connected.
 * Connections are counted per client id: when a client reconnects with the same id, the new
 * connection is counted before the old one's disconnect arrives, and the entry survives it.
 */
public final class ConnectedPlayers {
    private final Map<String, Map<String, Integer>> connectionsByPlayer = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile ClientService clients;

    public ConnectedPlayers(MeterRegistry metrics) {
        Gauge.builder("vts_connected_players", connections, AtomicInteger::get)
                .description("Player connections over MQTT").register(metrics);
    }

    void attach(ClientService clients) {
        this.clients = clients;
    }

    void connected(String playerKey, String clientId) {
        connectionsByPlayer.compute(playerKey, (k, byClient) -> {
            Map<String, Integer> map = byClient == null ? new ConcurrentHashMap<>() : byClient;
            map.merge(clientId, 1, Integer::sum);
            return map;
        });
        connections.incrementAndGet();
    }

    void disconnected(String playerKey, String clientId) {
        connectionsByPlayer.computeIfPresent(playerKey, (k, byClient) -> {
            if (byClient.containsKey(clientId)) {
                byClient.computeIfPresent(clientId, (id, n) -> n > 1 ? n - 1 : null);
                connections.decrementAndGet();
            }
            return byClient.isEmpty() ? null : byClient;
        });
    }

    /** Whether this node's broker has a connection of the player now. */
    public boolean isConnected(String playerKey) {
        return connectionsByPlayer.containsKey(playerKey);
    }

    /** Disconnects every connection of the player (after it was revoked). */
    public void disconnect(String playerKey) {
        Map<String, Integer> byClient = connectionsByPlayer.get(playerKey);
        ClientService service = clients;
        if (byClient == null || service == null) {
            return;
        }
        for (String clientId : List.copyOf(byClient.keySet())) {
            service.disconnectClient(clientId, false, DisconnectReasonCode.NOT_AUTHORIZED, "player revoked");
        }
    }
}
