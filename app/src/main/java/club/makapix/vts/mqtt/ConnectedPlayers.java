package club.makapix.vts.mqtt;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Which MQTT connections belong to which player, and with which client certificate, so a revoked
 * player or certificate can be cut off at once and an administrator sees who is connected. Connections are counted per client id: when a client
 * reconnects with the same id, the new connection is counted before the old one's disconnect
 * arrives, and the entry survives it.
 */
public final class ConnectedPlayers {
    /** One client id's live connections and the certificate its latest one presented (null: none). */
    private record Connections(int count, X509Certificate certificate) {}

    private final Map<String, Map<String, Connections>> connectionsByPlayer = new ConcurrentHashMap<>();
    private final AtomicInteger connections = new AtomicInteger();
    private volatile ClientService clients;
    private volatile NodeLink nodes = NodeLink.alone();

    public ConnectedPlayers(MeterRegistry metrics) {
        Gauge.builder("vts_connected_players", connections, AtomicInteger::get)
                .description("Player connections over MQTT").register(metrics);
    }

    void attach(ClientService clients) {
        this.clients = clients;
    }

    /** The other nodes, told of revocations and changes made here. */
    public void link(NodeLink nodes) {
        this.nodes = nodes;
    }

    void connected(String playerKey, String clientId, X509Certificate certificate) {
        connectionsByPlayer.compute(playerKey, (k, byClient) -> {
            Map<String, Connections> map = byClient == null ? new ConcurrentHashMap<>() : byClient;
            map.merge(clientId, new Connections(1, certificate), (old, now) -> new Connections(old.count + 1, certificate));
            return map;
        });
        connections.incrementAndGet();
    }

    void disconnected(String playerKey, String clientId) {
        connectionsByPlayer.computeIfPresent(playerKey, (k, byClient) -> {
            if (byClient.containsKey(clientId)) {
                byClient.computeIfPresent(clientId, (id, c) -> c.count > 1 ? new Connections(c.count - 1, c.certificate) : null);
                connections.decrementAndGet();
            }
            return byClient.isEmpty() ? null : byClient;
        });
    }

    /** Whether the player has a live connection to this node's broker. */
    public boolean isConnected(String playerKey) {
        return connectionsByPlayer.containsKey(playerKey);
    }

    /** The player was revoked here: its connections end on this node and on every other. */
    public void revoked(String playerKey) {
        disconnect(playerKey);
        nodes.playerChanged(playerKey, true);
    }

    /** The player was registered or changed here (owner, secret): every other node forgets what it cached of it. */
    public void changed(String playerKey) {
        nodes.playerChanged(playerKey, false);
    }

    /** Disconnects every connection of the player on this node (after it was revoked). */
    void disconnect(String playerKey) {
        Map<String, Connections> byClient = connectionsByPlayer.get(playerKey);
        if (byClient != null) {
            byClient.keySet().forEach(clientId -> cut(clientId, "player revoked"));
        }
    }

    /** Disconnects every connection whose certificate is now revoked. */
    void disconnectCertificates(Predicate<X509Certificate> revoked) {
        connectionsByPlayer.values().forEach(byClient -> byClient.forEach((clientId, c) -> {
            if (c.certificate != null && revoked.test(c.certificate)) {
                cut(clientId, "certificate revoked");
            }
        }));
    }

    private void cut(String clientId, String why) {
        ClientService service = clients;
        if (service != null) {
            service.disconnectClient(clientId, false, DisconnectReasonCode.NOT_AUTHORIZED, why);
        }
    }
}
