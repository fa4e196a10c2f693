package club.makapix.vts.mqtt;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Which MQTT connections belong to which player, so a revoked player can be cut off at once. */
public final class ConnectedPlayers {
    private final Map<String, Set<String>> clientsByPlayer = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile ClientService clients;

    public ConnectedPlayers(MeterRegistry metrics) {
        Gauge.builder("vts_connected_players", connections, AtomicInteger::get)
                .description("Players connected over MQTT").register(metrics);
    }

    void attach(ClientService clients) {
        this.clients = clients;
    }

    void connected(String playerKey, String clientId) {
        if (clientsByPlayer.computeIfAbsent(playerKey, k -> ConcurrentHashMap.newKeySet()).add(clientId)) {
            connections.incrementAndGet();
        }
    }

    void disconnected(String playerKey, String clientId) {
        clientsByPlayer.computeIfPresent(playerKey, (k, ids) -> {
            if (ids.remove(clientId)) {
                connections.decrementAndGet();
            }
            return ids.isEmpty() ? null : ids;
        });
    }

    public int count() {
        return connections.get();
    }

    /** Disconnects every connection of the player (after it was revoked). */
    public void disconnect(String playerKey) {
        Set<String> ids = clientsByPlayer.get(playerKey);
        ClientService service = clients;
        if (ids == null || service == null) {
            return;
        }
        for (String clientId : Set.copyOf(ids)) {
            service.disconnectClient(clientId, false, DisconnectReasonCode.NOT_AUTHORIZED, "player revoked");
        }
    }
}
